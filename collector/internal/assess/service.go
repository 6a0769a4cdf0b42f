package assess

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sync"
	"time"

	"github.com/ceplus/ceplus/collector/internal/sample"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/calendar"
)

// Service runs assessments on a store. It is safe for concurrent use; steps on one assessment
// are serialised within the process, and across the collector processes sharing a PostgreSQL
// store by its advisory lock (store.Locker).
type Service struct {
	store    store.Store
	now      func() time.Time
	rand     io.Reader
	scanner  Scanner
	matchers Matchers
	scans    *scans

	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// Deps are what a Service needs. Store and Now are required.
type Deps struct {
	Store store.Store
	// Now is the clock; every event time and every verdict's "now" comes from it.
	Now func() time.Time
	// Rand is the source of draw seeds; nil means crypto/rand.
	Rand io.Reader
	// Scanner asks agents to inventory now; nil makes scans of agent devices fail with a clear
	// message (results can still be imported).
	Scanner Scanner
	// Matchers loads the pinned vulnerability snapshots; nil makes agent scans fail and lets
	// any snapshot hash be pinned.
	Matchers Matchers
}

// New returns a Service.
func New(d Deps) *Service {
	r := d.Rand
	if r == nil {
		r = rand.Reader
	}
	return &Service{store: d.Store, now: d.Now, rand: r, scanner: d.Scanner, matchers: d.Matchers,
		scans: newScans(), locks: map[string]*sync.Mutex{}}
}

// Now returns the service clock's time.
func (s *Service) Now() time.Time { return s.now() }

// lock serialises the steps of one assessment: within the process by a mutex, and across the
// collector processes sharing the store by its lock when it has one (store.Locker, PostgreSQL).
func (s *Service) lock(ctx context.Context, id string) (func(), error) {
	s.mu.Lock()
	l, ok := s.locks[id]
	if !ok {
		l = &sync.Mutex{}
		s.locks[id] = l
	}
	s.mu.Unlock()
	l.Lock()
	sl, ok := s.store.(store.Locker)
	if !ok {
		return l.Unlock, nil
	}
	unlock, err := sl.Lock(ctx, "assessment/"+id)
	if err != nil {
		l.Unlock()
		return nil, fmt.Errorf("assessment %s: take the step lock shared by the collectors: %w", id, err)
	}
	return func() { unlock(); l.Unlock() }, nil
}

// CreateRequest is what an assessor gives to create an assessment.
type CreateRequest struct {
	// ID is optional: one is generated when empty.
	ID           string   `json:"id,omitempty"`
	Title        string   `json:"title"`
	Organisation string   `json:"organisation"`
	Timezone     string   `json:"timezone,omitempty"`
	Holidays     []string `json:"holidays,omitempty"`
	TestAllTypes []string `json:"test_all_types,omitempty"`
	Snapshot     string   `json:"snapshot"`
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// Create records a new assessment: its header and its assessment_created event.
func (s *Service) Create(ctx context.Context, req CreateRequest) (*State, error) {
	set, err := req.settings()
	if err != nil {
		return nil, err
	}
	if s.matchers != nil {
		h, err := s.matchers.Resolve(ctx, set.Snapshot)
		if err != nil {
			return nil, fail(ErrInvalid, "snapshot_unknown", "snapshot %q: %v: import the vulnerability data first, or give the hash of an imported snapshot", set.Snapshot, err)
		}
		set.Snapshot = h
	} else if b, err := hex.DecodeString(set.Snapshot); err != nil || len(b) != 32 {
		return nil, fail(ErrInvalid, "invalid_snapshot", "snapshot %q: want the 64-hex-digit hash of the pinned vulnerability snapshot", set.Snapshot)
	}
	id := req.ID
	if id == "" {
		var b [6]byte
		if _, err := io.ReadFull(rand.Reader, b[:]); err != nil {
			return nil, fmt.Errorf("create assessment: generate id: %w", err)
		}
		id = "asm-" + hex.EncodeToString(b[:])
	}
	if !idPattern.MatchString(id) {
		return nil, fail(ErrInvalid, "invalid_id", "assessment id %q: want 1-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit", id)
	}
	raw, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("create assessment %s: %w", id, err)
	}
	now := s.now()
	h := store.Header{ID: id, Kind: store.KindAssessment, Title: set.Title, Organisation: set.Organisation, CreatedAt: now, Settings: raw}
	if err := s.store.CreateHeader(ctx, h); err != nil {
		if errors.Is(err, store.ErrExists) {
			return nil, fail(ErrConflict, "assessment_exists", "assessment %q already exists: choose another id", id)
		}
		return nil, fmt.Errorf("create assessment %s: %w", id, err)
	}
	if _, err := s.store.AppendEvent(ctx, id, KindCreated, raw, now); err != nil {
		return nil, fmt.Errorf("create assessment %s: %w", id, err)
	}
	return s.Load(ctx, id)
}

func (req CreateRequest) settings() (Settings, error) {
	set := Settings{Title: req.Title, Organisation: req.Organisation, Timezone: req.Timezone, Holidays: req.Holidays, Snapshot: req.Snapshot}
	if set.Organisation == "" {
		return set, fail(ErrInvalid, "invalid_organisation", "organisation is empty: give the applicant organisation's name")
	}
	if set.Title == "" {
		set.Title = "CE+ " + set.Organisation
	}
	if set.Timezone == "" {
		set.Timezone = calendar.DefaultZone
	}
	types, err := sample.NormalizeTypes(req.TestAllTypes)
	if err != nil {
		return set, fail(ErrInvalid, "invalid_policy", "test_all_types: %v", err)
	}
	set.TestAllTypes = types
	if set.TestAllTypes == nil {
		set.TestAllTypes = []string{}
	}
	if _, err := set.Calendar(); err != nil {
		return set, err
	}
	if set.Snapshot == "" {
		return set, fail(ErrInvalid, "invalid_snapshot", "snapshot is empty: pin the vulnerability snapshot the tests are matched against (its hash)")
	}
	return set, nil
}

// Calendar returns the assessment's time zone and holidays.
func (set Settings) Calendar() (*calendar.Calendar, error) {
	loc, err := time.LoadLocation(set.Timezone)
	if err != nil || set.Timezone == "" {
		return nil, fail(ErrInvalid, "invalid_timezone", "timezone %q: unknown time zone: give an IANA name such as Europe/London", set.Timezone)
	}
	if set.Holidays == nil {
		return calendar.Default().WithLocation(loc), nil
	}
	dates := make([]calendar.Date, len(set.Holidays))
	for i, h := range set.Holidays {
		d, err := calendar.ParseDate(h)
		if err != nil {
			return nil, fail(ErrInvalid, "invalid_holidays", "holidays[%d] %q: not a date: want YYYY-MM-DD", i, h)
		}
		dates[i] = d
	}
	return calendar.New(loc, calendar.FromDates(dates)), nil
}

// List returns every assessment's header, oldest first.
func (s *Service) List(ctx context.Context) ([]store.Header, error) {
	hs, err := s.store.ListHeaders(ctx, store.KindAssessment)
	if err != nil {
		return nil, fmt.Errorf("list assessments: %w", err)
	}
	return hs, nil
}

// appendEvent appends one event with the clock's time.
func (s *Service) appendEvent(ctx context.Context, id, kind string, payload any) (store.Event, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return store.Event{}, fmt.Errorf("assessment %s: encode %s: %w", id, kind, err)
	}
	e, err := s.store.AppendEvent(ctx, id, kind, raw, s.now())
	if err != nil {
		return store.Event{}, fmt.Errorf("assessment %s: record %s: %w", id, kind, err)
	}
	return e, nil
}
