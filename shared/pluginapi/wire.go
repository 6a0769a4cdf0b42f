package pluginapi

import (
	"github.com/ceplus/ceplus/shared/inventory"
	pb "github.com/ceplus/ceplus/shared/pluginapi/proto/ceplus/plugin/v1"
)

// The converters below are the only place where generated protobuf types meet the domain
// types of shared/inventory. Each pair must round-trip every field (wire_test.go checks it).

func infoToWire(i Info) *pb.SourceInfo {
	return &pb.SourceInfo{Name: i.Name, Version: i.Version, Kind: i.Kind, Os: i.OS,
		RunningSystem: i.RunningSystem, Root: i.Root, Description: i.Description}
}

func infoFromWire(w *pb.SourceInfo) Info {
	return Info{Name: w.GetName(), Version: w.GetVersion(), Kind: w.GetKind(), OS: w.GetOs(),
		RunningSystem: w.GetRunningSystem(), Root: w.GetRoot(), Description: w.GetDescription()}
}

func deviceToWire(d inventory.Device) *pb.Device {
	return &pb.Device{Hostname: d.Hostname, MachineId: d.MachineID, OsFamily: d.OSFamily, OsName: d.OSName,
		OsVersion: d.OSVersion, Edition: d.Edition, FeatureUpdate: d.FeatureUpdate, OsBuild: d.OSBuild,
		Kernel: d.Kernel, Arch: d.Arch, Ecosystem: d.Ecosystem, Build: d.Build}
}

func deviceFromWire(w *pb.Device) inventory.Device {
	return inventory.Device{Hostname: w.GetHostname(), MachineID: w.GetMachineId(), OSFamily: w.GetOsFamily(),
		OSName: w.GetOsName(), OSVersion: w.GetOsVersion(), Edition: w.GetEdition(),
		FeatureUpdate: w.GetFeatureUpdate(), OSBuild: w.GetOsBuild(), Kernel: w.GetKernel(),
		Arch: w.GetArch(), Ecosystem: w.GetEcosystem(), Build: w.GetBuild()}
}

func packageToWire(p inventory.Package) *pb.Package {
	return &pb.Package{Name: p.Name, Version: p.Version, SourceName: p.SourceName,
		SourceVersion: p.SourceVersion, Ecosystem: p.Ecosystem, Arch: p.Arch}
}

func packageFromWire(w *pb.Package) inventory.Package {
	return inventory.Package{Name: w.GetName(), Version: w.GetVersion(), SourceName: w.GetSourceName(),
		SourceVersion: w.GetSourceVersion(), Ecosystem: w.GetEcosystem(), Arch: w.GetArch()}
}

func pendingToWire(u inventory.PendingUpdate) *pb.PendingUpdate {
	return &pb.PendingUpdate{Name: u.Name, Installed: u.Installed, Candidate: u.Candidate, Origin: u.Origin,
		Security: u.Security, Arch: u.Arch, Released: u.Released, Severity: u.Severity, Title: u.Title, Ids: u.IDs}
}

func pendingFromWire(w *pb.PendingUpdate) inventory.PendingUpdate {
	return inventory.PendingUpdate{Name: w.GetName(), Installed: w.GetInstalled(), Candidate: w.GetCandidate(),
		Origin: w.GetOrigin(), Security: w.GetSecurity(), Arch: w.GetArch(), Released: w.GetReleased(),
		Severity: w.GetSeverity(), Title: w.GetTitle(), IDs: w.GetIds()}
}

func installedToWire(u inventory.InstalledUpdate) *pb.InstalledUpdate {
	return &pb.InstalledUpdate{Id: u.ID, Title: u.Title, InstalledOn: u.InstalledOn}
}

func installedFromWire(w *pb.InstalledUpdate) inventory.InstalledUpdate {
	return inventory.InstalledUpdate{ID: w.GetId(), Title: w.GetTitle(), InstalledOn: w.GetInstalledOn()}
}

func applicationToWire(a inventory.Application) *pb.Application {
	return &pb.Application{Name: a.Name, Version: a.Version, Publisher: a.Publisher, Id: a.ID}
}

func applicationFromWire(w *pb.Application) inventory.Application {
	return inventory.Application{Name: w.GetName(), Version: w.GetVersion(), Publisher: w.GetPublisher(), ID: w.GetId()}
}

func statusToWire(s inventory.SourceStatus) *pb.SourceStatus {
	return &pb.SourceStatus{Name: s.Name, Version: s.Version, Status: string(s.Status), Errors: s.Errors,
		DurationMs: s.DurationMS}
}

func statusFromWire(w *pb.SourceStatus) inventory.SourceStatus {
	return inventory.SourceStatus{Name: w.GetName(), Version: w.GetVersion(), Status: inventory.Status(w.GetStatus()),
		Errors: w.GetErrors(), DurationMS: w.GetDurationMs()}
}

// pageSize is how many items of each list travel in one CollectResponse: 1,000 packages are
// about 80 kB, far below gRPC's 4 MB message limit, whatever the inventory's size.
const pageSize = 1000

// resultToWire splits r into the pages of a Collect stream: device first, status last.
func resultToWire(r inventory.Result) []*pb.CollectResponse {
	pages := []*pb.CollectResponse{{Device: deviceToWire(r.Device)}}
	page := func(n int) *pb.CollectResponse {
		i := n / pageSize
		for len(pages) <= i {
			pages = append(pages, &pb.CollectResponse{})
		}
		return pages[i]
	}
	for i, p := range r.Packages {
		pg := page(i)
		pg.Packages = append(pg.Packages, packageToWire(p))
	}
	for i, u := range r.PendingUpdates {
		pg := page(i)
		pg.PendingUpdates = append(pg.PendingUpdates, pendingToWire(u))
	}
	for i, u := range r.InstalledUpdates {
		pg := page(i)
		pg.InstalledUpdates = append(pg.InstalledUpdates, installedToWire(u))
	}
	for i, a := range r.Applications {
		pg := page(i)
		pg.Applications = append(pg.Applications, applicationToWire(a))
	}
	pages[len(pages)-1].Status = statusToWire(r.Status)
	return pages
}

// addFromWire appends one page of a Collect stream to r.
func addFromWire(r *inventory.Result, w *pb.CollectResponse) {
	if w.GetDevice() != nil {
		r.Device = deviceFromWire(w.GetDevice())
	}
	for _, p := range w.GetPackages() {
		r.Packages = append(r.Packages, packageFromWire(p))
	}
	for _, u := range w.GetPendingUpdates() {
		r.PendingUpdates = append(r.PendingUpdates, pendingFromWire(u))
	}
	for _, u := range w.GetInstalledUpdates() {
		r.InstalledUpdates = append(r.InstalledUpdates, installedFromWire(u))
	}
	for _, a := range w.GetApplications() {
		r.Applications = append(r.Applications, applicationFromWire(a))
	}
	if w.GetStatus() != nil {
		r.Status = statusFromWire(w.GetStatus())
	}
}
