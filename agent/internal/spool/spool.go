// Package spool is the agent's on-disk queue of inventory uploads. An upload is written to its
// own file through a synced temporary file and a rename, so that it survives a crash or a
// reboot, and is removed only after the collector acknowledged it. The spool is bounded in
// entries and bytes; when a new upload does not fit, the oldest are dropped and counted, and
// the count is kept on disk and reported to the collector.
package spool

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ceplus/ceplus/shared/atomicfile"
	"github.com/ceplus/ceplus/shared/wire"
)

const (
	magic       = "CEPLUS-SPOOL-1\n"
	suffix      = ".upl"
	droppedFile = "dropped"
	maxHeader   = 64 << 10
)

// Spool is an on-disk FIFO of uploads. It is safe for concurrent use.
type Spool struct {
	dir      string
	maxBytes int64
	maxItems int
	log      *slog.Logger

	mu      sync.Mutex
	entries []entry // oldest first
	bytes   int64
	nextSeq uint64
	dropped uint64
}

type entry struct {
	seq  uint64
	id   wire.UploadID
	path string
	size int64
}

// header is the JSON description of an upload in its spool file.
type header struct {
	ID          string    `json:"id"`
	ContentHash string    `json:"content_hash"`
	Codec       int       `json:"codec"`
	RawSize     int64     `json:"raw_size"`
	CollectedAt time.Time `json:"collected_at"`
	RequestID   string    `json:"request_id,omitempty"`
	Reference   bool      `json:"reference,omitempty"`
}

// Open opens (creating) the spool in dir, holding at most maxItems uploads and maxBytes bytes.
// Files that cannot be read are moved aside with a ".bad" suffix and logged.
func Open(dir string, maxItems int, maxBytes int64, log *slog.Logger) (*Spool, error) {
	if maxItems < 1 || maxBytes < 1 {
		return nil, fmt.Errorf("spool %s: limits %d items / %d bytes: want both positive", dir, maxItems, maxBytes)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create spool directory: %w", err)
	}
	s := &Spool{dir: dir, maxBytes: maxBytes, maxItems: maxItems, log: log, nextSeq: 1}
	names, err := filepath.Glob(filepath.Join(dir, "*"+suffix))
	if err != nil {
		return nil, fmt.Errorf("list spool %s: %w", dir, err)
	}
	for _, path := range names {
		e, err := s.scan(path)
		if err != nil {
			log.Warn("spool entry unreadable; moved aside", "file", path, "err", err)
			if rerr := os.Rename(path, path+".bad"); rerr != nil {
				return nil, fmt.Errorf("move aside the unreadable spool entry %s: %w", path, rerr)
			}
			continue
		}
		s.entries = append(s.entries, e)
		s.bytes += e.size
		s.nextSeq = max(s.nextSeq, e.seq+1)
	}
	slices.SortFunc(s.entries, func(a, b entry) int { return cmp.Compare(a.seq, b.seq) })
	if b, err := os.ReadFile(filepath.Join(dir, droppedFile)); err == nil {
		s.dropped, _ = strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64) // a damaged counter restarts at 0
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read spool drop counter: %w", err)
	}
	return s, nil
}

// scan checks a spool file's name and header without keeping its body.
func (s *Spool) scan(path string) (entry, error) {
	base := strings.TrimSuffix(filepath.Base(path), suffix)
	seqStr, idStr, ok := strings.Cut(base, "-")
	seq, err := strconv.ParseUint(seqStr, 10, 64)
	if !ok || err != nil {
		return entry{}, fmt.Errorf("file name %q is not SEQ-UPLOADID%s", filepath.Base(path), suffix)
	}
	id, err := wire.ParseUploadID(idStr)
	if err != nil {
		return entry{}, err
	}
	u, err := readFile(path)
	if err != nil {
		return entry{}, err
	}
	if u.ID != id {
		return entry{}, fmt.Errorf("file name says upload %s, content %s", id, u.ID)
	}
	st, err := os.Stat(path)
	if err != nil {
		return entry{}, err
	}
	return entry{seq: seq, id: id, path: path, size: st.Size()}, nil
}

// Put adds an upload durably. When the spool would exceed its limits, the oldest uploads are
// dropped first (counted and logged).
func (s *Spool) Put(u *wire.Upload) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, err := encode(u)
	if err != nil {
		return err
	}
	if int64(len(data)) > s.maxBytes {
		return fmt.Errorf("upload %s is %d bytes, more than the whole spool holds (%d): raise the spool size", u.ID, len(data), s.maxBytes)
	}
	for len(s.entries) > 0 && (len(s.entries)+1 > s.maxItems || s.bytes+int64(len(data)) > s.maxBytes) {
		old := s.entries[0]
		if err := os.Remove(old.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("drop the oldest spool entry %s: %w", old.path, err)
		}
		s.entries = s.entries[1:]
		s.bytes -= old.size
		s.dropped++
		s.log.Warn("spool full: dropped the oldest unsent inventory", "upload", old.id.String(), "dropped_total", s.dropped,
			"max_items", s.maxItems, "max_bytes", s.maxBytes)
		if err := atomicfile.Write(filepath.Join(s.dir, droppedFile), []byte(strconv.FormatUint(s.dropped, 10)+"\n"), 0o600); err != nil {
			return fmt.Errorf("spool %w", err)
		}
	}
	e := entry{seq: s.nextSeq, id: u.ID, size: int64(len(data))}
	e.path = filepath.Join(s.dir, fmt.Sprintf("%020d-%s%s", e.seq, u.ID, suffix))
	if err := atomicfile.Write(e.path, data, 0o600); err != nil {
		return fmt.Errorf("spool %w", err)
	}
	s.nextSeq++
	s.entries = append(s.entries, e)
	s.bytes += e.size
	return nil
}

// List returns the IDs of the queued uploads, oldest first.
func (s *Spool) List() []wire.UploadID {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]wire.UploadID, len(s.entries))
	for i, e := range s.entries {
		ids[i] = e.id
	}
	return ids
}

// Get reads a queued upload; ok is false when it is no longer queued.
func (s *Spool) Get(id wire.UploadID) (u *wire.Upload, ok bool, err error) {
	s.mu.Lock()
	i := slices.IndexFunc(s.entries, func(e entry) bool { return e.id == id })
	var path string
	if i >= 0 {
		path = s.entries[i].path
	}
	s.mu.Unlock()
	if i < 0 {
		return nil, false, nil
	}
	u, err = readFile(path)
	if errors.Is(err, fs.ErrNotExist) { // dropped meanwhile
		return nil, false, nil
	}
	return u, err == nil, err
}

// Remove deletes an acknowledged (or permanently refused) upload. Removing an upload that is
// not queued does nothing.
func (s *Spool) Remove(id wire.UploadID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.entries, func(e entry) bool { return e.id == id })
	if i < 0 {
		return nil
	}
	e := s.entries[i]
	if err := os.Remove(e.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove spool entry %s: %w", e.path, err)
	}
	s.entries = slices.Delete(s.entries, i, i+1)
	s.bytes -= e.size
	if err := atomicfile.SyncDir(s.dir); err != nil {
		return fmt.Errorf("spool %w", err)
	}
	return nil
}

// Stats returns the number of queued uploads, their bytes and the uploads dropped so far.
func (s *Spool) Stats() (items int, bytes int64, dropped uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries), s.bytes, s.dropped
}

// encode lays out an upload file: magic, header length (uint32), header JSON, body.
func encode(u *wire.Upload) ([]byte, error) {
	h, err := json.Marshal(header{ID: u.ID.String(), ContentHash: u.ContentHash, Codec: int(u.Codec), RawSize: u.RawSize,
		CollectedAt: u.CollectedAt, RequestID: u.RequestID, Reference: u.Reference})
	if err != nil {
		return nil, fmt.Errorf("encode spool header: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteString(magic)
	binary.Write(&buf, binary.BigEndian, uint32(len(h))) // bytes.Buffer writes cannot fail
	buf.Write(h)
	buf.Write(u.Body)
	return buf.Bytes(), nil
}

func readFile(path string) (*wire.Upload, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	m := make([]byte, len(magic))
	if _, err := io.ReadFull(r, m); err != nil || string(m) != magic {
		return nil, fmt.Errorf("%s: not a spool file", path)
	}
	var n uint32
	if err := binary.Read(r, binary.BigEndian, &n); err != nil || n > maxHeader {
		return nil, fmt.Errorf("%s: bad header length", path)
	}
	hb := make([]byte, n)
	if _, err := io.ReadFull(r, hb); err != nil {
		return nil, fmt.Errorf("%s: truncated header", path)
	}
	var h header
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, fmt.Errorf("%s: header: %w", path, err)
	}
	id, err := wire.ParseUploadID(h.ID)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &wire.Upload{ID: id, ContentHash: h.ContentHash, Codec: wire.Codec(h.Codec), RawSize: h.RawSize,
		CollectedAt: h.CollectedAt, RequestID: h.RequestID, Reference: h.Reference, Body: body}, nil
}
