package registry

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"strings"
	"sync"
	"time"
)

// AuthCache puts [Store.Authenticate] in front of a server's request
// path: a key the database accepted is remembered (its record and the
// SHA-256 of its secret) for MaxAge, and requests presenting it within
// that time are checked in memory (SHA-256 and a constant-time compare, no
// database read). Every use is still counted exactly: cached hits go to the
// same throttled "key.use" audit counts and last-used time as
// Authenticate's. Refusals always go to the database, so they are
// recorded as Authenticate records them.
//
// The cost is staleness: a key revoked (or whose record changed) in
// another process (osler keys revoke) keeps working for at most MaxAge in
// this one. Expiry and scope are checked on every hit.
//
// When the database cannot be read (a PostgreSQL registry whose server is
// down), keys verified within [DefaultStaleAge] keep working, so a server
// replica keeps serving its clients through the outage; a key revoked
// during it takes effect when the database is back. Keys never seen, and
// wrong secrets, are refused as always.
type AuthCache struct {
	s        *Store
	maxAge   time.Duration
	staleAge time.Duration

	mu      sync.RWMutex
	entries map[string]*authEntry // by key id
}

type authEntry struct {
	key     Key
	hash    [sha256.Size]byte
	checked time.Time
}

// NewAuthCache returns a cache of s's keys; maxAge 0 means one second.
func (s *Store) NewAuthCache(maxAge time.Duration) *AuthCache {
	if maxAge <= 0 {
		maxAge = time.Second
	}
	return &AuthCache{s: s, maxAge: maxAge, staleAge: DefaultStaleAge, entries: map[string]*authEntry{}}
}

// DefaultStaleAge bounds how long a verified key keeps working while the
// database cannot be read.
const DefaultStaleAge = 15 * time.Minute

// verdict reports whether err is the database's answer about a key (as
// opposed to a failure to read the database).
func verdict(err error) bool {
	return errors.Is(err, ErrNoKey) || errors.Is(err, ErrUnknownKey) || errors.Is(err, ErrRevokedKey) ||
		errors.Is(err, ErrExpiredKey) || errors.Is(err, ErrInsufficientScope)
}

// MaxAge is how long a verified key is trusted without a database read.
func (c *AuthCache) MaxAge() time.Duration { return c.maxAge }

// Authenticate is [Store.Authenticate] with the cache in front; it returns
// the same keys and errors.
func (c *AuthCache) Authenticate(ctx context.Context, presented string, need Scope) (Key, error) {
	presented = strings.TrimSpace(presented)
	id, _, ok := splitToken(presented)
	if ok {
		c.mu.RLock()
		e := c.entries[id]
		c.mu.RUnlock()
		now := c.s.now()
		if e != nil && now.Sub(e.checked) < c.maxAge && now.Sub(e.checked) >= 0 {
			sum := sha256.Sum256([]byte(presented))
			k := e.key
			if subtle.ConstantTimeCompare(sum[:], e.hash[:]) == 1 &&
				(k.Expires.IsZero() || now.Before(k.Expires)) && (need == "" || k.Has(need)) {
				c.s.recordKeyEvent(ctx, k.ID, ActionKeyUse, "")
				return k, nil
			}
		}
	}
	k, err := c.s.Authenticate(ctx, presented, need)
	if err != nil && ok && !verdict(err) && ctx.Err() == nil {
		if k, ok := c.stale(id, presented, need); ok {
			return k, nil
		}
		return Key{}, err
	}
	switch {
	case err == nil:
		c.mu.Lock()
		c.entries[k.ID] = &authEntry{key: k, hash: sha256.Sum256([]byte(presented)), checked: c.s.now()}
		c.mu.Unlock()
	case ok && !errors.Is(err, ErrInsufficientScope):
		c.forget(id)
	}
	return k, err
}

// stale returns a key verified within staleAge, for when the database
// cannot be read.
func (c *AuthCache) stale(id, presented string, need Scope) (Key, bool) {
	c.mu.RLock()
	e := c.entries[id]
	c.mu.RUnlock()
	if e == nil {
		return Key{}, false
	}
	now := c.s.now()
	sum := sha256.Sum256([]byte(presented))
	k := e.key
	if now.Sub(e.checked) >= c.staleAge || subtle.ConstantTimeCompare(sum[:], e.hash[:]) != 1 ||
		!k.Expires.IsZero() && !now.Before(k.Expires) || need != "" && !k.Has(need) {
		return Key{}, false
	}
	return k, true
}

func (c *AuthCache) forget(id string) {
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
}
