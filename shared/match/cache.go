package match

import (
	"container/list"
	"sync"
)

type cacheKey struct{ snapshot, inventory string }

type cacheEntry struct {
	key cacheKey
	val raw
}

// lru is a small least-recently-used cache of match results; values are never mutated after
// insertion (Match copies what it classifies).
type lru struct {
	mu    sync.Mutex
	size  int
	ll    *list.List
	items map[cacheKey]*list.Element
}

func newLRU(size int) *lru {
	return &lru{size: size, ll: list.New(), items: map[cacheKey]*list.Element{}}
}

func (c *lru) get(k cacheKey) (raw, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*cacheEntry).val, true
	}
	return raw{}, false
}

func (c *lru) put(k cacheKey, v raw) {
	if c.size <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		e.Value.(*cacheEntry).val = v
		c.ll.MoveToFront(e)
		return
	}
	c.items[k] = c.ll.PushFront(&cacheEntry{key: k, val: v})
	for c.ll.Len() > c.size {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
	}
}
