package nmap

import (
	"encoding/xml"
	"errors"
	"io"
	"time"

	nmapxml "github.com/Ullaakut/nmap/v3"

	"github.com/ceplus/ceplus/shared/discovery"
)

// Progress is nmap's own report on the task it is running (see discovery.Progress): Percent and
// Remaining are per task and nmap's estimate, never an ETA.
type Progress = discovery.Progress

// span is the byte range of one completed <host> element in the XML stream.
type span struct{ start, end int64 }

// streamState is what the stream decoder has seen so far.
type streamState struct {
	hosts    []span
	complete bool // </nmaprun> was read
}

// decodeStream reads nmap's XML from r as it arrives. It reports <taskprogress>, <taskbegin> and
// <taskend> through progress (which may be nil), records the byte range of every completed
// <host> (decoded later, so a cut stream still yields them) and notes whether the document ended.
// It returns at EOF or at the first XML error; an error after a cut is expected and the caller
// decides whether it matters.
func decodeStream(r io.Reader, progress func(Progress)) (streamState, error) {
	var st streamState
	dec := xml.NewDecoder(r)
	emit := func(p Progress) {
		if progress != nil {
			p.HostsDone = len(st.hosts)
			progress(p)
		}
	}
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return st, nil
		}
		if err != nil {
			return st, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "host":
				if err := dec.Skip(); err != nil {
					return st, err
				}
				st.hosts = append(st.hosts, span{start: start, end: dec.InputOffset()})
				emit(Progress{})
			case "taskprogress":
				var tp nmapxml.TaskProgress
				if err := dec.DecodeElement(&tp, &t); err != nil {
					return st, err
				}
				emit(Progress{Task: tp.Task, Percent: float64(tp.Percent), Remaining: time.Duration(tp.Remaining) * time.Second})
			case "taskbegin", "taskend":
				var task nmapxml.Task
				if err := dec.DecodeElement(&task, &t); err != nil {
					return st, err
				}
				if t.Name.Local == "taskend" {
					emit(Progress{Task: task.Task, Percent: 100, Done: true})
				} else {
					emit(Progress{Task: task.Task})
				}
			}
		case xml.EndElement:
			if t.Name.Local == "nmaprun" {
				st.complete = true
			}
		}
	}
}

// partialHosts decodes the completed <host> elements of a cut stream.
func partialHosts(all []byte, spans []span) ([]nmapxml.Host, error) {
	out := make([]nmapxml.Host, 0, len(spans))
	for _, s := range spans {
		if s.end > int64(len(all)) {
			break
		}
		var h nmapxml.Host
		if err := xml.Unmarshal(all[s.start:s.end], &h); err != nil {
			return out, err
		}
		out = append(out, h)
	}
	return out, nil
}
