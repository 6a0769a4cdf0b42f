package ingest

import (
	"time"

	"github.com/ceplus/ceplus/shared/identity"
)

// bucket is one agent's token bucket.
type bucket struct {
	tokens float64
	last   time.Time
}

func (s *Server) rate() Rate {
	if s.Rate.Burst <= 0 || s.Rate.Every <= 0 {
		return Rate{Burst: 30, Every: 6 * time.Second}
	}
	return s.Rate
}

// allow takes one upload token from the agent's bucket, reporting whether there was one.
func (s *Server) allow(id identity.AgentID) bool {
	r, now := s.rate(), s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buckets == nil {
		s.buckets = map[identity.AgentID]*bucket{}
	}
	b := s.buckets[id]
	if b == nil {
		b = &bucket{tokens: float64(r.Burst), last: now}
		s.buckets[id] = b
	}
	b.tokens = min(float64(r.Burst), b.tokens+float64(now.Sub(b.last))/float64(r.Every))
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
