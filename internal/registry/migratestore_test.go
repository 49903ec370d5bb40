package registry

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/osler-health/osler/internal/crypt"
)

// TestMigrateSQLiteToPostgres fills a SQLite registry with one of
// everything, migrates it into an empty PostgreSQL database, and checks
// that the copy reads back the same and goes on where the source left
// off; a second migration into it is refused.
func TestMigrateSQLiteToPostgres(t *testing.T) {
	for _, key := range []*crypt.Key{nil, newKey(t)} {
		name := "plain"
		if key != nil {
			name = "encrypted"
		}
		t.Run(name, func(t *testing.T) { testMigrate(t, key) })
	}
}

func testMigrate(t *testing.T, key *crypt.Key) {
	ctx := context.Background()
	pg := &backend{name: "postgres", t: t, dbs: map[string]string{}}
	requirePostgres(t)
	src := openStore(t, t.TempDir(), key)

	ds, err := src.PutDataset(ctx, "train.jsonl", strings.NewReader(`{"text":"synthetic"}`+"\n"), "user:a")
	if err != nil {
		t.Fatal(err)
	}
	v1 := register(t, src, "triage", sampleFiles, `{"dev":{"f1":0.8}}`)
	if _, _, err := src.Approve(ctx, v1.Ref(), "user:a", "looks good"); err != nil {
		t.Fatal(err)
	}
	parent := v1.Ref()
	if _, err := src.Register(ctx, Registration{Name: "triage", Kind: KindClassifier, Artifact: writeArtifact(t, map[string]string{"model.json": "{}"}),
		Parent: &parent, Data: []DataRef{{Role: "train", SHA256: ds.SHA256, Records: 1}}, Hyperparameters: json.RawMessage(`{"c":2}`)}); err != nil {
		t.Fatal(err)
	}
	v3 := register(t, src, "triage", sampleFiles, `{}`)
	if _, _, err := src.Reject(ctx, v3.Ref(), "user:b", "worse"); err != nil {
		t.Fatal(err)
	}
	if _, err := src.DeleteVersion(ctx, Ref{Name: "triage", Version: 2}, "user:a", false); err != nil {
		t.Fatal(err)
	}
	register(t, src, "gone", sampleFiles, `{}`)
	register(t, src, "gone", sampleFiles, `{}`)
	if _, err := src.DeleteModel(ctx, "gone", "user:a", false); err != nil {
		t.Fatal(err)
	}
	_, secret, err := src.CreateKey(ctx, "app", []Scope{ScopePredict}, time.Time{}, "user:a")
	if err != nil {
		t.Fatal(err)
	}
	revoked, _, _ := src.CreateKey(ctx, "old", []Scope{ScopeAdmin}, time.Now().Add(time.Hour), "user:a")
	if _, err := src.RevokeKey(ctx, revoked.ID, "user:a"); err != nil {
		t.Fatal(err)
	}
	fb := []CDSFeedback{{Card: "c1", Outcome: "accepted", OutcomeAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), AcceptedSuggestions: []string{"s1"}},
		{Card: "c2", Outcome: "overridden", OutcomeAt: time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC), OverrideCode: "x", HasComment: true}}
	if _, err := src.RecordCDSFeedback(ctx, "ehr", "svc", fb); err != nil {
		t.Fatal(err)
	}
	srcAudit, _ := src.Audit(ctx, AuditQuery{})
	srcGen, _ := src.Generation(ctx)

	dst := pg.openStore(t, t.TempDir(), key)
	rep, err := Migrate(ctx, src, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := MigrateReport{Models: 1, Versions: 2, Datasets: 1, Keys: 2, AuditEntries: len(srcAudit), CDSFeedback: 2, Verified: 2}
	rep.Blobs, rep.Bytes = 0, 0
	if rep != want {
		t.Fatalf("report %+v, want %+v", rep, want)
	}

	// Everything reads back the same.
	for _, check := range []struct {
		name string
		get  func(s *Store) (any, error)
	}{
		{"models", func(s *Store) (any, error) { return s.Models(ctx) }},
		{"versions", func(s *Store) (any, error) { return s.AllVersions(ctx) }},
		{"datasets", func(s *Store) (any, error) { return s.Datasets(ctx) }},
		{"keys", func(s *Store) (any, error) { return s.Keys(ctx) }},
		{"feedback", func(s *Store) (any, error) { return s.CDSFeedback(ctx, CDSFeedbackQuery{}) }},
	} {
		a, errA := check.get(src)
		b, errB := check.get(dst)
		if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
			t.Errorf("%s differ after the migration:\nsqlite   %+v (%v)\npostgres %+v (%v)", check.name, a, errA, b, errB)
		}
	}
	dstAudit, _ := dst.Audit(ctx, AuditQuery{})
	// The target's creation entry, the copies in order, the migration.
	if len(dstAudit) != len(srcAudit)+2 || dstAudit[len(dstAudit)-1].Action != ActionMigrate {
		t.Fatalf("target audit has %d entries, want %d", len(dstAudit), len(srcAudit)+2)
	}
	for i, e := range srcAudit {
		d := dstAudit[i+1]
		if d.Action != e.Action || d.Actor != e.Actor || d.Target != e.Target || string(d.Details) != string(e.Details) || !d.Time.Equal(e.Time) {
			t.Fatalf("audit entry %d: %+v, want %+v", i, d, e)
		}
	}
	if g, _ := dst.Generation(ctx); g <= srcGen {
		t.Fatalf("target change counter %d, want past the source's %d", g, srcGen)
	}

	// The copy goes on where the source left off: keys work, numbers
	// continue (deleted ones too), new rows get new ids.
	if k, err := dst.Authenticate(ctx, secret, ScopePredict); err != nil || k.Name != "app" {
		t.Fatalf("key after migration: %v", err)
	}
	if _, err := dst.Authenticate(ctx, KeyPrefix+revoked.ID+"_"+strings.Repeat("a", 52), ""); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("revoked key with a wrong secret: %v", err)
	}
	if v := register(t, dst, "triage", sampleFiles, `{}`); v.Version != 4 {
		t.Fatalf("next triage version %d, want 4", v.Version)
	}
	if v := register(t, dst, "gone", sampleFiles, `{}`); v.Version != 3 {
		t.Fatalf("gone registered again as version %d, want 3", v.Version)
	}
	if n, err := dst.RecordCDSFeedback(ctx, "ehr", "svc", append(fb, CDSFeedback{Card: "c3", Outcome: "accepted", OutcomeAt: time.Now()})); err != nil || n != 1 {
		t.Fatalf("feedback after migration: %d new, %v", n, err)
	}
	if la, err := dst.LatestApproved(ctx, "triage"); err != nil || la.Version != 1 || la.StatusNote != "looks good" {
		t.Fatalf("latest approved: %+v %v", la, err)
	}

	// A non-empty target is refused.
	if _, err := Migrate(ctx, src, dst, nil); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("second migration: %v", err)
	}
}

// TestMigrateRefusesMismatchedEncryption checks the source and target
// must be encrypted alike.
func TestMigrateRefusesMismatchedEncryption(t *testing.T) {
	src := openStore(t, t.TempDir(), newKey(t))
	dst := openStore(t, t.TempDir(), nil)
	if _, err := Migrate(context.Background(), src, dst, nil); err == nil || !strings.Contains(err.Error(), "same master key") {
		t.Fatalf("err = %v", err)
	}
}
