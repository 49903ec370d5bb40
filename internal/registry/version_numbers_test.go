package registry

import (
	"context"
	"path/filepath"
	"testing"
)

// TestVersionNumbersNeverReused: deleting a model with every version and
// registering it again goes on from the last number (issue 10: numbers
// were reused after models delete --all although the help says never),
// through repeated deletes, and for imports too.
func TestVersionNumbersNeverReused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		s := b.openStore(t, t.TempDir(), nil)
		for range 3 {
			register(t, s, "sepsis", sampleFiles, `{}`)
		}
		if _, err := s.DeleteModel(ctx, "sepsis", "test", false); err != nil {
			t.Fatal(err)
		}
		if v := register(t, s, "sepsis", sampleFiles, `{}`); v.Version != 4 {
			t.Fatalf("after deleting versions 1-3, the next is %d, want 4", v.Version)
		}
		if _, err := s.DeleteVersion(ctx, Ref{Name: "sepsis", Version: 4}, "test", false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeleteModel(ctx, "sepsis", "test", false); err != nil {
			t.Fatal(err)
		}
		v := register(t, s, "sepsis", sampleFiles, `{}`)
		if v.Version != 5 {
			t.Fatalf("after a second delete, the next is %d, want 5", v.Version)
		}
		// Other names are unaffected.
		if v := register(t, s, "other", sampleFiles, `{}`); v.Version != 1 {
			t.Fatalf("a new name starts at %d", v.Version)
		}
	})
}

// TestMigrationCarriesDeletedNumbers: a registry whose models were deleted
// before the deleted_models table existed learns their last numbers from
// the audit log when it is migrated.
func TestMigrationCarriesDeletedNumbers(t *testing.T) {
	ctx := context.Background()
	home := filepath.Join(t.TempDir(), "home")
	s := openStore(t, home, nil)
	register(t, s, "gone", sampleFiles, `{}`)
	register(t, s, "gone", sampleFiles, `{}`)
	register(t, s, "back", sampleFiles, `{}`)
	register(t, s, "back", sampleFiles, `{}`)
	register(t, s, "back", sampleFiles, `{}`)
	// As the first schema did it: the model rows go, numbers and all;
	// and "back" was registered again, restarting at 1.
	for _, q := range []string{`DROP TABLE deleted_models`, `DELETE FROM models WHERE name IN ('gone', 'back')`,
		`DROP TABLE cds_feedback`, `DELETE FROM schema_migrations WHERE version > 1`,
		`INSERT INTO models (name, kind, created_at, updated_at, last_version) VALUES ('back', 'classifier', 'x', 'x', 1)`} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s = openStore(t, home, nil)
	if v := register(t, s, "gone", sampleFiles, `{}`); v.Version != 3 {
		t.Fatalf("gone: next is %d, want 3", v.Version)
	}
	if v := register(t, s, "back", sampleFiles, `{}`); v.Version != 4 {
		t.Fatalf("back: next is %d, want 4", v.Version)
	}
}
