package cdsauth

import (
	"container/heap"
	"sync"
	"time"
)

// DefaultReplayCacheSize bounds the jti replay cache: at most this many
// (issuer, jti) pairs are held, about 100 bytes each plus the jti itself,
// so 100k entries is roughly 10-20 MB at worst. With 5-minute tokens it
// holds every token of a client sending up to ~330 requests a second.
const DefaultReplayCacheSize = 100_000

// replayCache remembers each (issuer, jti) until its token expires plus
// the leeway. When full, it first drops expired entries, then the entries
// that expire soonest: a jti it still holds is never accepted twice, but
// under a flood of valid tokens (which only a trusted issuer's key can
// make) an evicted jti could be. Only tokens that passed every other
// check are added, so forged tokens cannot fill it.
type replayCache struct {
	mu    sync.Mutex
	max   int
	seen  map[replayKey]struct{}
	order expiryHeap
}

type replayKey struct{ issuer, jti string }

type replayEntry struct {
	key     replayKey
	expires time.Time
}

// expiryHeap is a min-heap of entries by expiry.
type expiryHeap []replayEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(replayEntry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

func newReplayCache(max int) *replayCache {
	return &replayCache{max: max, seen: make(map[replayKey]struct{})}
}

// add records (issuer, jti) until expires and reports whether it was new;
// false means a replay of a jti still held.
func (c *replayCache) add(issuer, jti string, expires, now time.Time) bool {
	k := replayKey{issuer, jti}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropExpired(now)
	if _, ok := c.seen[k]; ok {
		return false
	}
	for len(c.order) >= c.max {
		c.popOldest()
	}
	c.seen[k] = struct{}{}
	heap.Push(&c.order, replayEntry{key: k, expires: expires})
	return true
}

// dropExpired removes the entries that expired at or before now.
func (c *replayCache) dropExpired(now time.Time) {
	for len(c.order) > 0 && !c.order[0].expires.After(now) {
		c.popOldest()
	}
}

func (c *replayCache) popOldest() {
	e := heap.Pop(&c.order).(replayEntry)
	delete(c.seen, e.key)
}

// len returns how many entries are held.
func (c *replayCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.order)
}
