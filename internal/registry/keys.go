package registry

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Scope is what an API key may do.
type Scope string

// Scopes. An admin key may also predict.
const (
	// ScopePredict calls models.
	ScopePredict Scope = "predict"
	// ScopeAdmin manages models, approvals, datasets and keys.
	ScopeAdmin Scope = "admin"
)

// ParseScopes reads a comma-separated list of scopes ("predict",
// "admin", "predict,admin").
func ParseScopes(s string) ([]Scope, error) {
	var out []Scope
	for _, part := range strings.Split(s, ",") {
		switch sc := Scope(strings.ToLower(strings.TrimSpace(part))); sc {
		case ScopePredict, ScopeAdmin:
			if !slices.Contains(out, sc) {
				out = append(out, sc)
			}
		case "":
		default:
			return nil, fmt.Errorf("registry: unknown scope %q: want predict or admin", part)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("registry: a key needs a scope: predict or admin")
	}
	slices.Sort(out)
	return out, nil
}

// Errors from [Store.Authenticate].
var (
	ErrNoKey             = errors.New("registry: no API key given")
	ErrUnknownKey        = errors.New("registry: unknown API key")
	ErrRevokedKey        = errors.New("registry: API key revoked")
	ErrExpiredKey        = errors.New("registry: API key expired")
	ErrInsufficientScope = errors.New("registry: API key lacks the scope")
)

// KeyPrefix starts every API key secret.
const KeyPrefix = "osk_"

// Key is an API key's record; the secret itself is shown once, at
// creation, and only its SHA-256 is stored.
type Key struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Scopes    []Scope   `json:"scopes"`
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by"`
	Expires   time.Time `json:"expires,omitzero"`
	LastUsed  time.Time `json:"last_used,omitzero"`
	Revoked   time.Time `json:"revoked,omitzero"`
	RevokedBy string    `json:"revoked_by,omitempty"`
}

// Has reports whether the key grants scope (admin implies predict).
func (k Key) Has(scope Scope) bool {
	return slices.Contains(k.Scopes, scope) || scope == ScopePredict && slices.Contains(k.Scopes, ScopeAdmin)
}

// Actor is how the key appears in the audit log: "key:ID".
func (k Key) Actor() string { return "key:" + k.ID }

var keyEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// CreateKey makes an API key and returns its record and its secret,
// "osk_<id>_<random>": 256 random bits, of which only the SHA-256 is
// kept. A zero expires means it never expires.
func (s *Store) CreateKey(ctx context.Context, name string, scopes []Scope, expires time.Time, by string) (Key, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return Key{}, "", errors.New("registry: a key needs a name (1-100 characters, e.g. the application that will use it)")
	}
	scopes = slices.Clone(scopes)
	for _, sc := range scopes {
		if sc != ScopePredict && sc != ScopeAdmin {
			return Key{}, "", fmt.Errorf("registry: unknown scope %q: want predict or admin", sc)
		}
	}
	if len(scopes) == 0 {
		return Key{}, "", errors.New("registry: a key needs a scope: predict or admin")
	}
	slices.Sort(scopes)
	scopes = slices.Compact(scopes)
	if !expires.IsZero() && !expires.After(s.now()) {
		return Key{}, "", errors.New("registry: the key's expiry is in the past")
	}
	idBytes := make([]byte, 8)
	secret := make([]byte, 32)
	if _, err := rand.Read(idBytes); err != nil {
		return Key{}, "", fmt.Errorf("registry: %w", err)
	}
	if _, err := rand.Read(secret); err != nil {
		return Key{}, "", fmt.Errorf("registry: %w", err)
	}
	id := keyEncoding.EncodeToString(idBytes)
	token := KeyPrefix + id + "_" + keyEncoding.EncodeToString(secret)
	sum := sha256.Sum256([]byte(token))
	by = actor(by)
	var exp any
	if !expires.IsZero() {
		exp = expires.UTC().Format(timeFormat)
	}
	err := s.writeTx(ctx, false, func(tx *sql.Tx) error {
		now := s.nowText()
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_keys (id, name, scopes, hash, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, name, joinScopes(scopes), sum[:], now, by, exp); err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		details := map[string]any{"name": name, "scopes": scopes}
		if exp != nil {
			details["expires"] = exp
		}
		return insertAudit(ctx, tx, now, by, ActionKeyCreate, "key:"+id, details)
	})
	if err != nil {
		return Key{}, "", err
	}
	k, err := s.key(ctx, id)
	return k, token, err
}

func joinScopes(scopes []Scope) string {
	parts := make([]string, len(scopes))
	for i, sc := range scopes {
		parts[i] = string(sc)
	}
	return strings.Join(parts, ",")
}

const keyColumns = `id, name, scopes, created_at, created_by, expires_at, last_used_at, revoked_at, revoked_by`

func scanKey(sc interface{ Scan(...any) error }, extra ...any) (Key, error) {
	var k Key
	var scopes string
	var created, expires, used, revoked sql.NullString
	dst := append([]any{&k.ID, &k.Name, &scopes, &created, &k.CreatedBy, &expires, &used, &revoked, &k.RevokedBy}, extra...)
	if err := sc.Scan(dst...); err != nil {
		return Key{}, err
	}
	for _, p := range strings.Split(scopes, ",") {
		if p != "" {
			k.Scopes = append(k.Scopes, Scope(p))
		}
	}
	k.Created, k.Expires, k.LastUsed, k.Revoked = parseTime(created), parseTime(expires), parseTime(used), parseTime(revoked)
	return k, nil
}

func (s *Store) key(ctx context.Context, id string) (Key, error) {
	k, err := scanKey(s.db.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Key{}, notFound("no API key with id %s", id)
	}
	if err != nil {
		return Key{}, fmt.Errorf("registry: %w", err)
	}
	return k, nil
}

// Keys lists API keys (revoked ones too), oldest first.
func (s *Store) Keys(ctx context.Context) ([]Key, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+keyColumns+` FROM api_keys ORDER BY `+s.dialect.keyOrder)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	defer rows.Close()
	keys := []Key{}
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("registry: %w", err)
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// RevokeKey revokes an API key by id (or by its full secret); it stops
// working at once. Revoking a revoked key is an error that says when it
// was revoked.
func (s *Store) RevokeKey(ctx context.Context, id, by string) (Key, error) {
	if strings.HasPrefix(id, KeyPrefix) {
		if kid, _, ok := splitToken(id); ok {
			id = kid
		}
	}
	by = actor(by)
	err := s.writeTx(ctx, false, func(tx *sql.Tx) error {
		var revoked sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM api_keys WHERE id = ?`, id).Scan(&revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("no API key with id %s (see osler keys list)", id)
		}
		if err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		if revoked.Valid {
			return fmt.Errorf("registry: API key %s was already revoked at %s", id, revoked.String)
		}
		now := s.nowText()
		if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ?, revoked_by = ? WHERE id = ?`, now, by, id); err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		return insertAudit(ctx, tx, now, by, ActionKeyRevoke, "key:"+id, nil)
	})
	if err != nil {
		return Key{}, err
	}
	return s.key(ctx, id)
}

// splitToken splits "osk_<id>_<secret>".
func splitToken(t string) (id, secret string, ok bool) {
	rest, ok := strings.CutPrefix(t, KeyPrefix)
	if !ok {
		return "", "", false
	}
	id, secret, ok = strings.Cut(rest, "_")
	if !ok || len(id) != 13 || len(secret) != 52 {
		return "", "", false
	}
	return id, secret, true
}

// Authenticate checks a presented API key and that it grants need ("" for
// any scope), and returns its record. Errors wrap [ErrNoKey],
// [ErrUnknownKey] (also for a malformed key or a wrong secret),
// [ErrRevokedKey], [ErrExpiredKey] or [ErrInsufficientScope] (with the
// key's record returned). The secret is compared in constant time.
//
// Use is recorded at most once per key per [Options.KeyUseInterval]: the
// key's last-used time and an audit entry "key.use" with the number of
// uses since the previous one; refusals likewise as "key.denied". No
// request data is recorded. The record is written in the background, so
// the request never waits on it; a failed write is retried with the next
// one, and [Store.Close] writes what is pending. Cost on the request
// path: one primary-key read and a SHA-256.
func (s *Store) Authenticate(ctx context.Context, presented string, need Scope) (Key, error) {
	presented = strings.TrimSpace(presented)
	if presented == "" {
		return Key{}, ErrNoKey
	}
	id, _, ok := splitToken(presented)
	if !ok {
		s.recordKeyEvent(ctx, "unknown", ActionKeyDenied, "malformed")
		return Key{}, fmt.Errorf("%w (it should look like %s<id>_<secret>)", ErrUnknownKey, KeyPrefix)
	}
	var hash []byte
	k, err := scanKey(s.db.QueryRowContext(ctx, `SELECT `+keyColumns+`, hash FROM api_keys WHERE id = ?`, id), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		s.recordKeyEvent(ctx, "unknown", ActionKeyDenied, "unknown")
		return Key{}, ErrUnknownKey
	}
	if err != nil {
		return Key{}, fmt.Errorf("registry: %w", err)
	}
	sum := sha256.Sum256([]byte(presented))
	if subtle.ConstantTimeCompare(sum[:], hash) != 1 {
		s.recordKeyEvent(ctx, k.ID, ActionKeyDenied, "wrong-secret")
		return Key{}, ErrUnknownKey
	}
	now := s.now()
	switch {
	case !k.Revoked.IsZero():
		s.recordKeyEvent(ctx, k.ID, ActionKeyDenied, "revoked")
		return Key{}, fmt.Errorf("%w (key %s, at %s)", ErrRevokedKey, k.ID, k.Revoked.Format(time.RFC3339))
	case !k.Expires.IsZero() && !now.Before(k.Expires):
		s.recordKeyEvent(ctx, k.ID, ActionKeyDenied, "expired")
		return Key{}, fmt.Errorf("%w (key %s, at %s)", ErrExpiredKey, k.ID, k.Expires.Format(time.RFC3339))
	case need != "" && !k.Has(need):
		s.recordKeyEvent(ctx, k.ID, ActionKeyDenied, "scope:"+string(need))
		return k, fmt.Errorf("%w %q (key %s has %s)", ErrInsufficientScope, need, k.ID, joinScopes(k.Scopes))
	}
	s.recordKeyEvent(ctx, k.ID, ActionKeyUse, "")
	return k, nil
}

// keyUse counts a key's uses (or refusals, by reason) since they were
// last written.
type keyUse struct {
	id, action, reason string
	count              int
	since, written     time.Time
}

func (s *Store) recordKeyEvent(ctx context.Context, id, action, reason string) {
	if s.readOnly {
		return // nothing is written to a read-only registry
	}
	now := s.now()
	k := id + "\x00" + action + "\x00" + reason
	s.useMu.Lock()
	u := s.uses[k]
	if u == nil {
		u = &keyUse{id: id, action: action, reason: reason, since: now}
		s.uses[k] = u
	}
	u.count++
	if now.Sub(u.written) < s.useInterval {
		s.useMu.Unlock()
		return
	}
	snap := *u
	u.count, u.since, u.written = 0, now, now
	s.useMu.Unlock()
	// Written in the background: the request does not wait for the fsync,
	// nor for another process holding the write lock (a long gc).
	s.useWG.Add(1)
	go func() {
		defer s.useWG.Done()
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := s.writeKeyUse(wctx, snap); err != nil {
			// Put the count back; the next write carries it.
			s.useMu.Lock()
			u.count += snap.count
			if snap.since.Before(u.since) {
				u.since = snap.since
			}
			s.useMu.Unlock()
		}
	}()
}

func (s *Store) writeKeyUse(ctx context.Context, u keyUse) error {
	return s.writeTx(ctx, false, func(tx *sql.Tx) error {
		now := s.nowText()
		if u.action == ActionKeyUse {
			if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, now, u.id); err != nil {
				return fmt.Errorf("registry: %w", err)
			}
		}
		details := map[string]any{"count": u.count, "since": u.since.UTC().Format(timeFormat)}
		if u.reason != "" {
			details["reason"] = u.reason
		}
		return insertAudit(ctx, tx, now, "key:"+u.id, u.action, "key:"+u.id, details)
	})
}

// flushKeyUse waits for background writes and writes the uses counted
// since the last write.
func (s *Store) flushKeyUse(ctx context.Context) error {
	s.useWG.Wait()
	s.useMu.Lock()
	var pending []keyUse
	for _, u := range s.uses {
		if u.count > 0 {
			pending = append(pending, *u)
			u.count, u.written = 0, s.now()
		}
	}
	s.useMu.Unlock()
	var errs []error
	for _, u := range pending {
		errs = append(errs, s.writeKeyUse(ctx, u))
	}
	return errors.Join(errs...)
}

// HasUsableKey reports whether some API key is neither revoked nor
// expired at now: a server that needs keys refuses to start without one,
// since it would refuse every request.
func (s *Store) HasUsableKey(ctx context.Context, now time.Time) (bool, error) {
	keys, err := s.Keys(ctx)
	if err != nil {
		return false, err
	}
	for _, k := range keys {
		if k.Revoked.IsZero() && (k.Expires.IsZero() || k.Expires.After(now)) {
			return true, nil
		}
	}
	return false, nil
}
