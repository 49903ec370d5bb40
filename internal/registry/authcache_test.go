package registry

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// TestAuthCache checks the cache answers as Authenticate does, counts every
// use in the audit log, and sees a revocation once MaxAge has passed.
func TestAuthCache(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		clock := func() time.Time { return now }
		s, err := b.Open(ctx, t.TempDir(), Options{Now: clock, KeyUseInterval: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		k, secret, err := s.CreateKey(ctx, "app", []Scope{ScopePredict}, now.Add(time.Hour), "test")
		if err != nil {
			t.Fatal(err)
		}
		c := s.NewAuthCache(time.Second)

		for i := range 5 {
			got, err := c.Authenticate(ctx, secret, ScopePredict)
			if err != nil || got.ID != k.ID {
				t.Fatalf("use %d: %v, %v", i, got.ID, err)
			}
		}
		// wrong secret with the right id: refused even though the id is cached
		bad := secret[:len(secret)-1] + "a"
		if bad == secret {
			bad = secret[:len(secret)-1] + "b"
		}
		if _, err := c.Authenticate(ctx, bad, ScopePredict); !errors.Is(err, ErrUnknownKey) {
			t.Errorf("wrong secret: %v, want ErrUnknownKey", err)
		}
		if _, err := c.Authenticate(ctx, secret, ScopeAdmin); !errors.Is(err, ErrInsufficientScope) {
			t.Errorf("admin scope: %v, want ErrInsufficientScope", err)
		}
		if _, err := c.Authenticate(ctx, "", ScopePredict); !errors.Is(err, ErrNoKey) {
			t.Errorf("no key: %v, want ErrNoKey", err)
		}

		// A wrong secret made the cache forget the key; this use checks the
		// database again and caches it.
		if _, err := c.Authenticate(ctx, secret, ScopePredict); err != nil {
			t.Fatal(err)
		}
		// Revoked elsewhere: still accepted within MaxAge, refused after.
		if _, err := s.RevokeKey(ctx, k.ID, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Authenticate(ctx, secret, ScopePredict); err != nil {
			t.Errorf("within max age: %v (the cache should still accept)", err)
		}
		now = now.Add(1500 * time.Millisecond)
		if _, err := c.Authenticate(ctx, secret, ScopePredict); !errors.Is(err, ErrRevokedKey) {
			t.Errorf("after max age: %v, want ErrRevokedKey", err)
		}

		// Every accepted use is counted: 5 + 1 + 1 after the revocation.
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s2, err := b.Open(ctx, s.Home(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		entries, err := s2.Audit(ctx, AuditQuery{Action: ActionKeyUse})
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, e := range entries {
			var d struct {
				Count int `json:"count"`
			}
			if err := json.Unmarshal(e.Details, &d); err != nil {
				t.Fatal(err)
			}
			total += d.Count
		}
		if total != 7 {
			t.Errorf("audit counts %d uses, want 7", total)
		}
	})
}

// TestAuthCacheExpiry checks an expired key is refused by the cache even
// within MaxAge.
func TestAuthCacheExpiry(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		s, err := b.Open(ctx, t.TempDir(), Options{Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		_, secret, err := s.CreateKey(ctx, "app", []Scope{ScopePredict}, now.Add(500*time.Millisecond), "test")
		if err != nil {
			t.Fatal(err)
		}
		c := s.NewAuthCache(time.Minute)
		if _, err := c.Authenticate(ctx, secret, ""); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Second)
		if _, err := c.Authenticate(ctx, secret, ""); !errors.Is(err, ErrExpiredKey) {
			t.Errorf("expired: %v, want ErrExpiredKey", err)
		}
	})
}

// TestAuthCacheServesThroughAnOutage: when the database cannot be read, a
// key verified within DefaultStaleAge keeps working (a replica keeps
// serving), a wrong secret or a key never verified is still refused, and
// after DefaultStaleAge the outage shows.
func TestAuthCacheServesThroughAnOutage(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s, err := Open(ctx, t.TempDir(), Options{Now: func() time.Time { return now }, KeyUseInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, secret, err := s.CreateKey(ctx, "app", []Scope{ScopePredict}, time.Time{}, "test")
	if err != nil {
		t.Fatal(err)
	}
	_, other, err := s.CreateKey(ctx, "other", []Scope{ScopePredict}, time.Time{}, "test")
	if err != nil {
		t.Fatal(err)
	}
	c := s.NewAuthCache(time.Second)
	if _, err := c.Authenticate(ctx, secret, ScopePredict); err != nil {
		t.Fatal(err)
	}
	s.db.Close() // the database is gone
	now = now.Add(time.Minute)
	if _, err := c.Authenticate(ctx, secret, ScopePredict); err != nil {
		t.Errorf("a verified key during the outage: %v", err)
	}
	if _, err := c.Authenticate(ctx, secret, ScopeAdmin); err == nil {
		t.Error("the outage widened a key's scope")
	}
	if _, err := c.Authenticate(ctx, secret[:len(secret)-1]+"x", ScopePredict); err == nil {
		t.Error("a wrong secret was accepted during the outage")
	}
	if _, err := c.Authenticate(ctx, other, ScopePredict); err == nil {
		t.Error("a key never verified was accepted during the outage")
	}
	now = now.Add(DefaultStaleAge)
	if _, err := c.Authenticate(ctx, secret, ScopePredict); err == nil || verdict(err) {
		t.Errorf("after DefaultStaleAge: %v, want the database error", err)
	}
}
