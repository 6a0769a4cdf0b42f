package sample

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
)

// Algorithm names the draw algorithm specified in docs/sampling.md. It is also the domain
// separation tag of the random stream; a change that alters any draw needs a new version.
const Algorithm = "ceplus-sample-v1"

// stream is the deterministic random stream of one build in one draw. Block i is
//
//	SHA-256("ceplus-sample-v1" ‖ seed ‖ scope hash ‖ uint64(sample) ‖ uint64(len(build)) ‖ build ‖ uint64(i))
//
// with every integer big-endian, and each 32-byte block gives four big-endian uint64 words,
// consumed in order.
type stream struct {
	msg   []byte // the block input; its last 8 bytes hold the counter
	block [sha256.Size]byte
	next  uint64 // counter of the next block to compute
	used  int    // words of block already consumed (4 = none left)
}

func newStream(seed Seed, scope [sha256.Size]byte, sample int, build string) *stream {
	msg := make([]byte, 0, len(Algorithm)+SeedSize+sha256.Size+8+8+len(build)+8)
	msg = append(msg, Algorithm...)
	msg = append(msg, seed[:]...)
	msg = append(msg, scope[:]...)
	msg = binary.BigEndian.AppendUint64(msg, uint64(sample))
	msg = binary.BigEndian.AppendUint64(msg, uint64(len(build)))
	msg = append(msg, build...)
	msg = binary.BigEndian.AppendUint64(msg, 0)
	return &stream{msg: msg, used: 4}
}

// word returns the next 64-bit word of the stream.
func (s *stream) word() uint64 {
	if s.used == 4 {
		binary.BigEndian.PutUint64(s.msg[len(s.msg)-8:], s.next)
		s.block = sha256.Sum256(s.msg)
		s.next++
		s.used = 0
	}
	w := binary.BigEndian.Uint64(s.block[8*s.used:])
	s.used++
	return w
}

// uniform returns an integer uniformly distributed in [0, n), n ≥ 1, by rejection sampling:
// words w ≥ floor(2^64/n)·n are discarded, the first other word gives w mod n. It always
// consumes at least one word, even for n = 1.
func (s *stream) uniform(n uint64) uint64 {
	r := -n % n // 2^64 mod n
	limit := math.MaxUint64 - r
	for {
		if w := s.word(); w <= limit {
			return w % n
		}
	}
}

// choose returns k elements of pool (k ≤ len(pool)) chosen uniformly at random by a partial
// Fisher–Yates shuffle run forwards: for i = 0 … k-1, j = i + uniform(n-i), swap pool[i] and
// pool[j]; the result is pool[0:k] in draw order. pool is modified.
func choose[T any](pool []T, k int, s *stream) []T {
	n := len(pool)
	for i := 0; i < k; i++ {
		j := i + int(s.uniform(uint64(n-i)))
		pool[i], pool[j] = pool[j], pool[i]
	}
	return pool[:k]
}
