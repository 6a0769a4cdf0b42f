package rules

import "strconv"

// sizes returns, per build index, the number of devices tested in full (test_all_types) and the
// number of the others.
func (h *history) sizes() (forced, others []int) {
	forced, others = make([]int, len(h.builds)), make([]int, len(h.builds))
	for d := range h.in.Devices {
		if h.forced[d] {
			forced[h.buildOf[d]]++
		} else {
			others[h.buildOf[d]]++
		}
	}
	return forced, others
}

// sampleSizes returns contract v1 sample_sizes: per build, its devices of the test_all_types
// types plus the table's size for its other devices.
func (h *history) sampleSizes() map[string]int {
	forced, others := h.sizes()
	out := make(map[string]int, len(h.builds))
	for b, name := range h.builds {
		out[name] = forced[b] + SampleSize(others[b])
	}
	return out
}

// deviceOutput fills in v.Devices (devices in exactly one sample) and v.Samples (every sampled
// device, per sample) from each device's latest test in its sample.
func (h *history) deviceOutput(v *CEPlusVerdict) {
	total, exclusive, exclusiveFindings := 0, 0, 0
	for s := 1; s <= 2; s++ {
		sm := &h.samples[s]
		for _, d := range sm.order {
			n := 0
			if k := sm.latest[d]; k >= 0 {
				n = len(h.tests[k].findings)
			}
			total += n
			if !h.samples[3-s].member[d] {
				exclusive++
				exclusiveFindings += n
			}
		}
	}
	states := make([]FindingState, exclusiveFindings)
	details := make([]FindingDetail, total)
	days := make([]int, total)
	v.Devices = make(map[string]DeviceState, exclusive)
	v.Samples = map[string]map[string]DeviceDetail{}
	for s := 1; s <= 2; s++ {
		sm := &h.samples[s]
		detail := make(map[string]DeviceDetail, len(sm.order))
		for _, d := range sm.order {
			dev := &h.in.Devices[d]
			st := DeviceState{Sample: s, Status: StatusUntested}
			dt := DeviceDetail{Build: dev.Build, Status: StatusUntested, Tests: int(sm.count[d])}
			exclusive := !h.samples[3-s].member[d]
			if k := sm.latest[d]; k >= 0 {
				t := &h.tests[k]
				n := len(t.findings)
				if exclusive {
					st.Findings, states = states[:n:n], states[n:]
				}
				dt.Findings, details = details[:n:n], details[n:]
				ds := days[:n:n]
				days = days[n:]
				for j := range t.findings {
					c := t.classes[j].class()
					if exclusive {
						st.Findings[j] = FindingState{IDs: t.findings[j].IDs, Class: c}
					}
					dt.Findings[j] = FindingDetail{Finding: &t.findings[j], Class: c}
					if c == ClassFail || c == ClassWithinGrace {
						ds[j] = t.date.DaysSince(*t.findings[j].FixReleased)
						dt.Findings[j].DaysSinceFix = &ds[j]
					}
				}
				st.Status = StatusPass
				if t.fails {
					st.Status = StatusFail
				}
				dt.Status, dt.LastTested, dt.FirstTested = st.Status, &t.at, &h.tests[sm.first[d]].at
			} else {
				st.Findings, dt.Findings = []FindingState{}, []FindingDetail{}
			}
			detail[dev.ID] = dt
			if exclusive {
				v.Devices[dev.ID] = st
			}
		}
		v.Samples[strconv.Itoa(s)] = detail
	}
}
