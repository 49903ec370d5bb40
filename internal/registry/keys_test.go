package registry

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// clock is a settable time source for tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time            { return c.t }
func (c *clock) advance(d time.Duration)   { c.t = c.t.Add(d) }
func newClock() *clock                     { return &clock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)} }
func openAt(t *testing.T, c *clock) *Store { return openWith(t, Options{Now: c.now}) }
func openWith(t *testing.T, o Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestKeysCreateAuthenticateRevoke(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		c := newClock()
		s := b.openAt(t, c)
		pk, secret, err := s.CreateKey(ctx, "ehr-integration", []Scope{ScopePredict}, time.Time{}, "user:ana")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, KeyPrefix+pk.ID+"_") || len(secret) != len(KeyPrefix)+13+1+52 {
			t.Fatalf("secret %q does not look like osk_<id>_<random>", secret)
		}
		ak, adminSecret, _ := s.CreateKey(ctx, "ops", []Scope{ScopeAdmin}, time.Time{}, "user:ana")
		_, expSecret, _ := s.CreateKey(ctx, "temp", []Scope{ScopePredict}, c.t.Add(time.Hour), "user:ana")

		// Only the hash is stored.
		var stored []byte
		s.db.QueryRow(`SELECT hash FROM api_keys WHERE id = ?`, pk.ID).Scan(&stored)
		if len(stored) != 32 || strings.Contains(string(stored), secret) {
			t.Fatal("the key is not stored as a 32-byte hash")
		}

		wrongSecret := secret[:len(secret)-1] + map[bool]string{true: "b", false: "a"}[secret[len(secret)-1] == 'a']
		cases := []struct {
			name   string
			token  string
			need   Scope
			want   error
			wantID string
		}{
			{"predict key, predict", secret, ScopePredict, nil, pk.ID},
			{"predict key, any scope", " " + secret + "\n", "", nil, pk.ID},
			{"predict key, admin", secret, ScopeAdmin, ErrInsufficientScope, pk.ID},
			{"admin key, admin", adminSecret, ScopeAdmin, nil, ak.ID},
			{"admin key implies predict", adminSecret, ScopePredict, nil, ak.ID},
			{"no key", "", ScopePredict, ErrNoKey, ""},
			{"malformed", "Bearer abc", ScopePredict, ErrUnknownKey, ""},
			{"unknown id", KeyPrefix + "aaaaaaaaaaaaa_" + strings.Repeat("a", 52), ScopePredict, ErrUnknownKey, ""},
			{"wrong secret", wrongSecret, ScopePredict, ErrUnknownKey, ""},
			{"not yet expired", expSecret, ScopePredict, nil, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				k, err := s.Authenticate(ctx, tc.token, tc.need)
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				if tc.wantID != "" && k.ID != tc.wantID {
					t.Fatalf("key %q, want %q", k.ID, tc.wantID)
				}
				if err != nil && strings.Contains(err.Error(), secret) {
					t.Fatal("error shows the secret")
				}
			})
		}
		c.advance(2 * time.Hour)
		if _, err := s.Authenticate(ctx, expSecret, ScopePredict); !errors.Is(err, ErrExpiredKey) {
			t.Fatalf("expired key: %v", err)
		}
		if _, err := s.RevokeKey(ctx, pk.ID, "user:bo"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, secret, ScopePredict); !errors.Is(err, ErrRevokedKey) {
			t.Fatalf("revoked key: %v", err)
		}
		if _, err := s.RevokeKey(ctx, pk.ID, "user:bo"); err == nil || !strings.Contains(err.Error(), "already revoked") {
			t.Fatalf("revoking twice: %v", err)
		}
		if _, err := s.RevokeKey(ctx, "nosuchkey", "user:bo"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("revoking an unknown key: %v", err)
		}
		// Revoking by the full secret works too.
		if k, err := s.RevokeKey(ctx, adminSecret, "user:bo"); err != nil || k.ID != ak.ID || k.RevokedBy != "user:bo" || k.Revoked.IsZero() {
			t.Fatalf("revoke by secret: %+v %v", k, err)
		}
		s.useWG.Wait() // the last-used time is written in the background
		keys, _ := s.Keys(ctx)
		if len(keys) != 3 || keys[0].Name != "ehr-integration" || keys[0].Revoked.IsZero() || keys[0].LastUsed.IsZero() {
			t.Fatalf("keys %+v", keys)
		}
	})
}

func TestKeyValidation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		c := newClock()
		s := b.openAt(t, c)
		if _, _, err := s.CreateKey(ctx, "", []Scope{ScopePredict}, time.Time{}, ""); err == nil {
			t.Error("a key without a name was created")
		}
		if _, _, err := s.CreateKey(ctx, "x", nil, time.Time{}, ""); err == nil {
			t.Error("a key without a scope was created")
		}
		if _, _, err := s.CreateKey(ctx, "x", []Scope{"root"}, time.Time{}, ""); err == nil {
			t.Error("a key with an unknown scope was created")
		}
		if _, _, err := s.CreateKey(ctx, "x", []Scope{ScopePredict}, c.t.Add(-time.Second), ""); err == nil {
			t.Error("a key expiring in the past was created")
		}
		for in, want := range map[string]string{"predict": "predict", "admin,predict": "admin,predict", " PREDICT , admin ,": "admin,predict"} {
			got, err := ParseScopes(in)
			if err != nil || joinScopes(got) != want {
				t.Errorf("ParseScopes(%q) = %v, %v; want %s", in, got, err, want)
			}
		}
		for _, bad := range []string{"", ",", "write"} {
			if _, err := ParseScopes(bad); err == nil {
				t.Errorf("ParseScopes(%q) accepted", bad)
			}
		}
	})
}

func TestKeyUseIsThrottledAndAudited(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		c := newClock()
		s := b.openWith(t, t.TempDir(), Options{Now: c.now, KeyUseInterval: time.Minute})
		k, secret, _ := s.CreateKey(ctx, "app", []Scope{ScopePredict}, time.Time{}, "user:a")
		for i := 0; i < 100; i++ {
			if _, err := s.Authenticate(ctx, secret, ScopePredict); err != nil {
				t.Fatal(err)
			}
		}
		s.useWG.Wait()
		uses, _ := s.Audit(ctx, AuditQuery{Action: ActionKeyUse})
		if len(uses) != 1 || !strings.Contains(string(uses[0].Details), `"count":1`) {
			t.Fatalf("first use must be written at once, the rest held: %+v", uses)
		}
		c.advance(61 * time.Second)
		s.Authenticate(ctx, secret, ScopePredict)
		s.useWG.Wait()
		uses, _ = s.Audit(ctx, AuditQuery{Action: ActionKeyUse})
		if len(uses) != 2 || !strings.Contains(string(uses[1].Details), `"count":100`) || uses[1].Actor != k.Actor() {
			t.Fatalf("after the interval, one entry with the 100 uses since: %+v", uses)
		}
		// Refusals are recorded the same way, without the presented text.
		for i := 0; i < 5; i++ {
			s.Authenticate(ctx, "osk_garbage_request-text", ScopePredict)
		}
		s.Authenticate(ctx, secret, ScopeAdmin)
		s.Authenticate(ctx, secret, ScopePredict) // counted, not yet written
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s2, _ := b.Open(ctx, s.Home(), Options{Now: c.now})
		defer s2.Close()
		all, _ := s2.Audit(ctx, AuditQuery{Action: "key."})
		var denied, lastUse string
		for _, e := range all {
			if strings.Contains(string(e.Details), "garbage") || strings.Contains(string(e.Details), "request-text") {
				t.Fatalf("audit holds presented text: %s", e.Details)
			}
			if e.Action == ActionKeyDenied {
				denied += string(e.Details) + ";"
			}
			if e.Action == ActionKeyUse {
				lastUse = string(e.Details)
			}
		}
		if !strings.Contains(denied, `"reason":"malformed"`) || !strings.Contains(denied, `"reason":"scope:admin"`) {
			t.Fatalf("denials: %s", denied)
		}
		if !strings.Contains(lastUse, `"count":1`) {
			t.Fatalf("Close did not write the pending use: %s", lastUse)
		}
	})
}

func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	_, secret, _ := s.CreateKey(ctx, "bench", []Scope{ScopePredict}, time.Time{}, "")
	s.Authenticate(ctx, secret, ScopePredict) // the first use is written
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Authenticate(ctx, secret, ScopePredict); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAuthenticateParallel(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	_, secret, _ := s.CreateKey(ctx, "bench", []Scope{ScopePredict}, time.Time{}, "")
	s.Authenticate(ctx, secret, ScopePredict)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Authenticate(ctx, secret, ScopePredict); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
