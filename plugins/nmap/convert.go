package nmap

import (
	"net/netip"

	nmapxml "github.com/Ullaakut/nmap/v3"

	"github.com/ceplus/ceplus/shared/discovery"
)

// convertHosts turns nmap hosts into discovery hosts. Down hosts are kept only when they were
// named as single targets; names come from the targets, never from nmap. It returns the hosts
// and the up and down counts of all hosts, kept or not.
func convertHosts(in []nmapxml.Host, set targetSet) (hosts []discovery.Host, up, down int) {
	hosts = make([]discovery.Host, 0, len(in))
	for _, h := range in {
		dh := convertHost(h)
		if dh.Up() {
			up++
		} else {
			down++
		}
		single := false
		for _, a := range dh.Addresses {
			names, s := set.namesOf(a)
			single = single || s
			for _, n := range names {
				dh.Hostnames = appendName(dh.Hostnames, n)
			}
		}
		if dh.Up() || single {
			hosts = append(hosts, dh)
		}
	}
	return hosts, up, down
}

func convertHost(h nmapxml.Host) discovery.Host {
	dh := discovery.Host{
		Status:   discovery.HostStatus(h.Status.State),
		Reason:   h.Status.Reason,
		TimedOut: h.TimedOut,
	}
	for _, a := range h.Addresses {
		switch a.AddrType {
		case "mac":
			dh.MAC = discovery.NormalizeMAC(a.Addr)
			dh.MACVendor = a.Vendor
		default:
			if ip, err := netip.ParseAddr(a.Addr); err == nil {
				dh.Addresses = append(dh.Addresses, ip.Unmap())
			}
		}
	}
	if len(h.OS.Matches) > 0 {
		m := h.OS.Matches[0]
		g := &discovery.OSGuess{Name: m.Name, Accuracy: m.Accuracy}
		if len(m.Classes) > 0 {
			c := m.Classes[0]
			g.Vendor, g.Family, g.Generation, g.Type = c.Vendor, c.Family, c.OSGeneration, c.Type
			g.CPEs = cpeStrings(c.CPEs)
		}
		dh.OS = g
	}
	for _, p := range h.Ports {
		s := p.Service
		dh.Services = append(dh.Services, discovery.Service{
			Port:        p.ID,
			Protocol:    p.Protocol,
			State:       p.State.State,
			Reason:      p.State.Reason,
			Name:        s.Name,
			Product:     s.Product,
			Version:     s.Version,
			ExtraInfo:   s.ExtraInfo,
			OSType:      s.OSType,
			Tunnel:      s.Tunnel,
			CPEs:        cpeStrings(s.CPEs),
			Method:      s.Method,
			Confidence:  s.Confidence,
			Fingerprint: s.ServiceFP,
		})
	}
	return dh
}

func cpeStrings(in []nmapxml.CPE) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, len(in))
	for i, c := range in {
		out[i] = string(c)
	}
	return out
}
