package vulndb

import "fmt"

// Problem levels. An Error problem means a record, or one of its affected entries, is out of
// matching; a Notice means the record is kept whole and the reader should know something.
const (
	LevelError  = "error"
	LevelNotice = "notice"
)

// Problem is one record the import or the index could not fully use, with the reason.
type Problem struct {
	ID     string `json:"id,omitempty"`
	Source string `json:"source"`
	Level  string `json:"level"`
	Reason string `json:"reason"`
}

// String formats the problem as "level: id (source): reason".
func (p Problem) String() string {
	id := p.ID
	if id == "" {
		id = "<no id>"
	}
	return fmt.Sprintf("%s: %s (%s): %s", p.Level, id, p.Source, p.Reason)
}
