package registry

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"testing/synctest"
	"time"

	"github.com/osler-health/osler/internal/crypt"
)

func openStore(t testing.TB, home string, key *crypt.Key) *Store {
	t.Helper()
	s, err := Open(context.Background(), home, Options{Key: key})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newKey(t testing.TB) *crypt.Key {
	k, err := crypt.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// writeArtifact makes a model directory with the given files.
func writeArtifact(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var sampleFiles = map[string]string{
	"model.json":    `{"format":"osler-classifier"}`,
	"weights.bin":   strings.Repeat("\x00\x01weights", 10000),
	"extra/lex.txt": "fever\ncough\n",
}

func register(t testing.TB, s *Store, name string, files map[string]string, metrics string) Version {
	t.Helper()
	v, err := s.Register(context.Background(), Registration{
		Name: name, Kind: KindClassifier, Artifact: writeArtifact(t, files),
		Metrics: json.RawMessage(metrics), By: "user:test",
	})
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	return v
}

func readTree(t testing.TB, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		got[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestOpenCreatesAndMigrates(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		home := filepath.Join(t.TempDir(), "nested", "home")
		s := b.openStore(t, home, nil)
		if v, err := s.SchemaVersion(ctx); err != nil || v != len(migrations) {
			t.Fatalf("schema version %d, %v", v, err)
		}
		if err := s.IntegrityCheck(ctx); err != nil {
			t.Fatal(err)
		}
		if !b.postgres() {
			var mode string
			s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
			var sync, fk int
			s.db.QueryRow(`PRAGMA synchronous`).Scan(&sync)
			s.db.QueryRow(`PRAGMA foreign_keys`).Scan(&fk)
			if mode != "wal" || sync != 2 || fk != 1 {
				t.Fatalf("journal_mode=%s synchronous=%d foreign_keys=%d; want wal, 2 (FULL), 1", mode, sync, fk)
			}
			if st, _ := os.Stat(home); st.Mode().Perm() != 0o700 {
				t.Fatalf("home mode %v, want 0700", st.Mode().Perm())
			}
		}
		s.Close()
		// Reopening applies nothing and keeps the data.
		s2 := b.openStore(t, home, nil)
		entries, _ := s2.Audit(ctx, AuditQuery{Action: ActionCreate})
		if len(entries) != 1 {
			t.Fatalf("%d registry.create entries after reopening, want 1", len(entries))
		}
	})
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		home := t.TempDir()
		s := b.openStore(t, home, nil)
		if _, err := s.db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', 'x')`, len(migrations)+1); err != nil {
			t.Fatal(err)
		}
		s.Close()
		_, err := b.Open(context.Background(), home, Options{})
		if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "upgrade Osler") {
			t.Fatalf("err = %v, want ErrNewerSchema", err)
		}
	})
}

func TestOpenEncryptionModes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		key := newKey(t)
		enc := t.TempDir()
		s := b.openStore(t, enc, key)
		if !s.Encrypted() {
			t.Fatal("home created with a key is not encrypted")
		}
		s.Close()
		plain := t.TempDir()
		b.openStore(t, plain, nil).Close()

		cases := []struct {
			name string
			home string
			key  *crypt.Key
			want error
		}{
			{"encrypted, right key", enc, key, nil},
			{"encrypted, no key", enc, nil, ErrKeyRequired},
			{"encrypted, wrong key", enc, newKey(t), ErrWrongKey},
			{"plain, no key", plain, nil, nil},
			{"plain, a key", plain, key, ErrNotEncrypted},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s, err := b.Open(ctx, c.home, Options{Key: c.key})
				if s != nil {
					s.Close()
				}
				if !errors.Is(err, c.want) {
					t.Fatalf("err = %v, want %v", err, c.want)
				}
			})
		}
		_, err := b.Open(ctx, enc, Options{Key: newKey(t)})
		if err == nil || !strings.Contains(err.Error(), "does not match the one this registry was created with") {
			t.Fatalf("wrong key message: %v", err)
		}
	})
}

func TestRegisterMaterializeVerify(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		for _, encrypted := range []bool{false, true} {
			t.Run(map[bool]string{false: "plain", true: "encrypted"}[encrypted], func(t *testing.T) {
				ctx := context.Background()
				var key *crypt.Key
				if encrypted {
					key = newKey(t)
				}
				s := b.openStore(t, t.TempDir(), key)
				before, _ := s.Generation(ctx)
				v := register(t, s, "sepsis", sampleFiles, `{"dev":{"f1":0.8}}`)
				if v.Version != 1 || v.Status != StatusPending || v.Files != 3 || v.Model != "sepsis" || v.RegisteredBy != "user:test" {
					t.Fatalf("registered %+v", v)
				}
				if after, _ := s.Generation(ctx); after <= before {
					t.Fatalf("generation %d -> %d: registration did not bump it", before, after)
				}
				out := filepath.Join(t.TempDir(), "out")
				if err := s.Materialize(ctx, v, out); err != nil {
					t.Fatal(err)
				}
				if got := readTree(t, out); !mapsEqual(got, sampleFiles) {
					t.Fatalf("materialized files differ: %v", keys(got))
				}
				if err := s.Verify(ctx, v); err != nil {
					t.Fatal(err)
				}
				b, err := s.ReadFile(ctx, v, "extra/lex.txt")
				if err != nil || string(b) != sampleFiles["extra/lex.txt"] {
					t.Fatalf("ReadFile: %q, %v", b, err)
				}
				if err := s.Materialize(ctx, v, out); err == nil {
					t.Fatal("materializing into a non-empty directory succeeded")
				}
				// The same content again dedupes blobs but is a new version.
				v2 := register(t, s, "sepsis", sampleFiles, `{}`)
				if v2.Version != 2 || v2.Manifest != v.Manifest {
					t.Fatalf("second registration: version %d manifest %s (first %s)", v2.Version, v2.Manifest, v.Manifest)
				}
			})
		}
	})
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

func keys(m map[string]string) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	return k
}

func TestRegisterValidation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		s := b.openStore(t, t.TempDir(), nil)
		art := writeArtifact(t, sampleFiles)
		register(t, s, "notes", sampleFiles, `{}`)
		parent := Ref{Name: "missing", Version: 1}
		cases := []struct {
			name string
			r    Registration
			want string
		}{
			{"bad name", Registration{Name: "Bad Name", Kind: KindClassifier, Artifact: art}, "invalid model name"},
			{"bad kind", Registration{Name: "a", Kind: "regressor", Artifact: art}, "unknown model kind"},
			{"kind clash", Registration{Name: "notes", Kind: KindSummarizer, Artifact: art}, "is a classifier"},
			{"metrics not an object", Registration{Name: "a", Kind: KindClassifier, Artifact: art, Metrics: json.RawMessage(`[1]`)}, "metrics must be a JSON object"},
			{"missing artifact", Registration{Name: "a", Kind: KindClassifier, Artifact: filepath.Join(art, "nope")}, "no such file"},
			{"artifact is a file", Registration{Name: "a", Kind: KindClassifier, Artifact: filepath.Join(art, "model.json")}, "not a directory"},
			{"empty artifact", Registration{Name: "a", Kind: KindClassifier, Artifact: t.TempDir()}, "has no files"},
			{"parent missing", Registration{Name: "a", Kind: KindClassifier, Artifact: art, Parent: &parent}, "parent missing:1"},
			{"bad data digest", Registration{Name: "a", Kind: KindClassifier, Artifact: art, Data: []DataRef{{Role: "train", SHA256: "abc"}}}, "invalid sha256"},
			{"data role twice", Registration{Name: "a", Kind: KindClassifier, Artifact: art, Data: []DataRef{{Role: "train", SHA256: strings.Repeat("a", 64)}, {Role: "train", SHA256: strings.Repeat("b", 64)}}}, "given twice"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := s.Register(ctx, c.r)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("err = %v, want %q", err, c.want)
				}
			})
		}
		if ms, _ := s.Models(ctx); len(ms) != 1 {
			t.Fatalf("failed registrations created models: %+v", ms)
		}
		if err := os.Symlink(filepath.Join(art, "model.json"), filepath.Join(art, "link.json")); err == nil {
			if _, err := s.Register(ctx, Registration{Name: "a", Kind: KindClassifier, Artifact: art}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
				t.Fatalf("symlink in artifact: err = %v", err)
			}
		}
	})
}

func TestLineageAndData(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		s := b.openStore(t, t.TempDir(), nil)
		v1 := register(t, s, "base", sampleFiles, `{}`)
		ds, err := s.PutDataset(ctx, "train.jsonl", strings.NewReader(`{"id":"1","text":"x","labels":["a"]}`+"\n"), "user:test")
		if err != nil {
			t.Fatal(err)
		}
		parent := v1.Ref()
		v, err := s.Register(ctx, Registration{
			Name: "child", Kind: KindClassifier, Artifact: writeArtifact(t, sampleFiles), Parent: &parent,
			Hyperparameters: json.RawMessage(`{"c": 1.5}`),
			Data: []DataRef{
				{Role: "train", Path: "data/train.jsonl", SHA256: ds.SHA256, Records: 1},
				{Role: "dev", Path: "data/dev.jsonl", SHA256: strings.Repeat("ab", 32), Records: 9},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Resolve(ctx, Ref{Name: "child", Version: 1})
		if err != nil {
			t.Fatal(err)
		}
		if got.Parent == nil || *got.Parent != parent || string(got.Hyperparameters) != `{"c":1.5}` {
			t.Fatalf("lineage %+v hyper %s", got.Parent, got.Hyperparameters)
		}
		if len(got.Data) != 2 || got.Data[0].Role != "dev" || got.Data[0].Stored || got.Data[1].Role != "train" || !got.Data[1].Stored || got.Data[1].Records != 1 {
			t.Fatalf("data %+v", got.Data)
		}
		js, _ := json.Marshal(v)
		var back Version
		if err := json.Unmarshal(js, &back); err != nil || back.Parent == nil || *back.Parent != parent {
			t.Fatalf("JSON round trip of the parent: %s %v", js, err)
		}
	})
}

func TestStatusChangesAndLatestApproved(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		s := b.openStore(t, t.TempDir(), nil)
		for i := 0; i < 3; i++ {
			register(t, s, "m", sampleFiles, `{}`)
		}
		if _, err := s.LatestApproved(ctx, "m"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "no Approved version") {
			t.Fatalf("no approved yet: %v", err)
		}
		g0, _ := s.Generation(ctx)
		v, changed, err := s.Approve(ctx, Ref{Name: "m", Version: 2}, "user:ana", "looks good on dev")
		if err != nil || !changed || v.Status != StatusApproved || v.StatusBy != "user:ana" || v.StatusNote != "looks good on dev" || v.StatusAt.IsZero() {
			t.Fatalf("approve: %+v %v %v", v, changed, err)
		}
		if _, changed, _ := s.Approve(ctx, Ref{Name: "m", Version: 2}, "user:ana", ""); changed {
			t.Fatal("approving an approved version reported a change")
		}
		g1, _ := s.Generation(ctx)
		if g1 != g0+1 {
			t.Fatalf("generation %d -> %d, want +1 (the no-op must not bump)", g0, g1)
		}
		la, err := s.LatestApproved(ctx, "m")
		if err != nil || la.Version != 2 {
			t.Fatalf("latest approved %d %v", la.Version, err)
		}
		s.Approve(ctx, Ref{Name: "m", Version: 3}, "user:ana", "")
		if la, _ := s.LatestApproved(ctx, "m"); la.Version != 3 {
			t.Fatalf("latest approved %d, want 3", la.Version)
		}
		s.Reject(ctx, Ref{Name: "m", Version: 3}, "user:bo", "drift")
		if la, _ := s.LatestApproved(ctx, "m"); la.Version != 2 {
			t.Fatalf("after rejecting 3, latest approved %d, want 2", la.Version)
		}
		if v, _ := s.Resolve(ctx, Ref{Name: "m", Approved: true}); v.Version != 2 {
			t.Fatalf("m:approved = %d", v.Version)
		}
		if v, _ := s.Resolve(ctx, Ref{Name: "m"}); v.Version != 3 {
			t.Fatalf("m:latest = %d", v.Version)
		}
		entries, _ := s.Audit(ctx, AuditQuery{Action: "version.", Target: "m"})
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action+" "+e.Target+" "+e.Actor)
		}
		want := []string{
			"version.register m:1 user:test", "version.register m:2 user:test", "version.register m:3 user:test",
			"version.approve m:2 user:ana", "version.approve m:3 user:ana", "version.reject m:3 user:bo",
		}
		if strings.Join(actions, "\n") != strings.Join(want, "\n") {
			t.Fatalf("audit:\n%s\nwant:\n%s", strings.Join(actions, "\n"), strings.Join(want, "\n"))
		}
		models, _ := s.Models(ctx)
		if len(models) != 1 || models[0].Versions != 3 || models[0].Latest != 3 || models[0].LatestApproved != 2 {
			t.Fatalf("models %+v", models)
		}
	})
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		s := b.openStore(t, t.TempDir(), nil)
		register(t, s, "m", sampleFiles, `{}`)
		if _, err := s.db.Exec(`UPDATE audit_log SET actor = 'x'`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("update: %v", err)
		}
		if _, err := s.db.Exec(`DELETE FROM audit_log`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("delete: %v", err)
		}
	})
}

func TestDeleteAndGC(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		s := b.openStore(t, t.TempDir(), nil)
		v1 := register(t, s, "m", map[string]string{"a.bin": "one"}, `{}`)
		v2 := register(t, s, "m", map[string]string{"a.bin": "two", "shared.txt": "same"}, `{}`)
		register(t, s, "other", map[string]string{"shared.txt": "same"}, `{}`)
		s.Approve(ctx, v1.Ref(), "user:a", "")

		if _, err := s.DeleteVersion(ctx, v1.Ref(), "user:a", false); !errors.Is(err, ErrApproved) {
			t.Fatalf("deleting an approved version without force: %v", err)
		}
		if _, err := s.DeleteVersion(ctx, v1.Ref(), "user:a", true); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeleteVersion(ctx, v2.Ref(), "user:a", false); err != nil {
			t.Fatal(err)
		}
		// Numbers are not reused.
		if v := register(t, s, "m", map[string]string{"a.bin": "three"}, `{}`); v.Version != 3 {
			t.Fatalf("next version %d, want 3", v.Version)
		}
		// Young orphans are kept; an old enough grace period collects them.
		rep, err := s.GC(ctx, GCOptions{})
		if err != nil || rep.Removed != 0 || rep.Young == 0 {
			t.Fatalf("gc within grace: %+v %v", rep, err)
		}
		old := time.Now().Add(-2 * time.Hour)
		filepath.WalkDir(s.blobs.root(), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				os.Chtimes(p, old, old)
			}
			return nil
		})
		os.WriteFile(filepath.Join(s.blobs.tmp, "put-crashed"), []byte("partial"), 0o600)
		os.Chtimes(filepath.Join(s.blobs.tmp, "put-crashed"), old, old)
		dry, err := s.GC(ctx, GCOptions{DryRun: true})
		if err != nil || dry.Removed == 0 {
			t.Fatalf("dry run: %+v %v", dry, err)
		}
		rep, err = s.GC(ctx, GCOptions{By: "user:a"})
		if err != nil {
			t.Fatal(err)
		}
		// Gone: a.bin "one", a.bin "two", and the two deleted manifests.
		if rep.Removed != 4 || rep.Temp != 1 || rep.Missing != 0 || rep.Removed != dry.Removed {
			t.Fatalf("gc: %+v (dry run %+v)", rep, dry)
		}
		for _, name := range []string{"m", "other"} {
			vs, _ := s.Versions(ctx, name)
			for _, v := range vs {
				if err := s.Verify(ctx, v); err != nil {
					t.Fatalf("gc broke %s: %v", v.Ref(), err)
				}
			}
		}
		n, err := s.DeleteModel(ctx, "other", "user:a", false)
		if err != nil || n != 1 {
			t.Fatalf("delete model: %d %v", n, err)
		}
		if _, err := s.Resolve(ctx, Ref{Name: "other"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted model still resolves: %v", err)
		}
	})
}

func TestChecksumErrors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		for _, encrypted := range []bool{false, true} {
			t.Run(map[bool]string{false: "plain", true: "encrypted"}[encrypted], func(t *testing.T) {
				ctx := context.Background()
				var key *crypt.Key
				if encrypted {
					key = newKey(t)
				}
				s := b.openStore(t, t.TempDir(), key)
				v := register(t, s, "m", sampleFiles, `{}`)
				m, _ := s.Manifest(ctx, v)
				f, _ := m.Find("weights.bin")
				p := s.blobs.path(f.SHA256)
				orig, _ := os.ReadFile(p)

				damage := []struct {
					name string
					data []byte
				}{
					{"flipped byte", flipByte(orig, len(orig)/2)},
					{"truncated", orig[:len(orig)-10]},
					{"extended", append(bytes.Clone(orig), 'x')},
				}
				for _, d := range damage {
					os.WriteFile(p, d.data, 0o600)
					err := s.Verify(ctx, v)
					var ce *ChecksumError
					if !errors.As(err, &ce) || !strings.Contains(err.Error(), "weights.bin of m:1") {
						t.Fatalf("%s: err = %v, want a ChecksumError naming weights.bin of m:1", d.name, err)
					}
					out := filepath.Join(t.TempDir(), "out")
					if err := s.Materialize(ctx, v, out); !errors.As(err, &ce) {
						t.Fatalf("%s: materialize err = %v", d.name, err)
					}
					if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
						t.Fatalf("%s: a failed materialize left %s behind", d.name, out)
					}
				}
				os.Remove(p)
				if err := s.Verify(ctx, v); err == nil || !strings.Contains(err.Error(), "missing") {
					t.Fatalf("missing blob: %v", err)
				}
				// Registering the same content again repairs the blob.
				register(t, s, "m", sampleFiles, `{}`)
				if err := s.Verify(ctx, v); err != nil {
					t.Fatalf("after re-registering: %v", err)
				}
			})
		}
	})
}

func flipByte(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x40
	return c
}

func TestDatasets(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		s := b.openStore(t, t.TempDir(), newKey(t))
		data := strings.Repeat(`{"id":"n1","text":"chest pain","labels":["cardiology"]}`+"\n", 5000)
		d, err := s.PutDataset(ctx, "train.jsonl", strings.NewReader(data), "user:a")
		if err != nil {
			t.Fatal(err)
		}
		if d.Bytes != int64(len(data)) || d.Name != "train.jsonl" {
			t.Fatalf("dataset %+v", d)
		}
		again, err := s.PutDataset(ctx, "copy.jsonl", strings.NewReader(data), "user:b")
		if err != nil || again.SHA256 != d.SHA256 || again.Name != "train.jsonl" {
			t.Fatalf("same content again: %+v %v", again, err)
		}
		_, r, err := s.GetDataset(ctx, d.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || string(got) != data {
			t.Fatalf("GetDataset: %d bytes, %v", len(got), err)
		}
		if _, err := s.PutDataset(ctx, "../x", strings.NewReader("x"), ""); err == nil {
			t.Fatal("a dataset name with a slash was accepted")
		}
		if list, _ := s.Datasets(ctx); len(list) != 1 {
			t.Fatalf("datasets %+v", list)
		}
		if err := s.DeleteDataset(ctx, d.SHA256, "user:a"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.GetDataset(ctx, d.SHA256); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted dataset: %v", err)
		}
	})
}

func TestRefs(t *testing.T) {
	cases := []struct {
		in   string
		want Ref
		err  bool
	}{
		{"m", Ref{Name: "m"}, false},
		{"m:latest", Ref{Name: "m"}, false},
		{"m:approved", Ref{Name: "m", Approved: true}, false},
		{"m:APPROVED", Ref{Name: "m", Approved: true}, false},
		{"m:12", Ref{Name: "m", Version: 12}, false},
		{"m:0", Ref{}, true},
		{"m:-1", Ref{}, true},
		{"m:+1", Ref{}, true},
		{"m:x", Ref{}, true},
		{"M:1", Ref{}, true},
		{"", Ref{}, true},
		{":1", Ref{}, true},
		{"a.b_c-d:3", Ref{Name: "a.b_c-d", Version: 3}, false},
	}
	for _, c := range cases {
		got, err := ParseRef(c.in)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("ParseRef(%q) = %+v, %v; want %+v, err %v", c.in, got, err, c.want, c.err)
		}
		if err == nil {
			back, _ := ParseRef(got.String())
			if back != got {
				t.Errorf("String does not round trip: %q -> %q", c.in, got.String())
			}
		}
	}
}

func TestIntegrityCheckFindsDamage(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), nil)
	register(t, s, "m", sampleFiles, `{}`)
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	// A dangling reference (foreign keys off for this connection only).
	conn, _ := s.db.Conn(ctx)
	conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`)
	if _, err := conn.ExecContext(ctx, `INSERT INTO version_data (version_id, role, sha256) VALUES (999, 'train', ?)`, strings.Repeat("a", 64)); err != nil {
		t.Fatal(err)
	}
	conn.ExecContext(ctx, `PRAGMA foreign_keys = ON`)
	conn.Close()
	if err := s.IntegrityCheck(ctx); err == nil || !strings.Contains(err.Error(), "foreign key") {
		t.Fatalf("dangling reference not found: %v", err)
	}
}

func TestConcurrentWritersShareAHome(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		home := t.TempDir()
		a := b.openStore(t, home, nil)
		c := b.openStore(t, home, nil)
		errs := make(chan error, 20)
		for i := 0; i < 10; i++ {
			for _, s := range []*Store{a, c} {
				go func(s *Store) {
					_, err := s.Register(ctx, Registration{Name: "m", Kind: KindClassifier, Artifact: writeArtifact(t, sampleFiles)})
					errs <- err
				}(s)
			}
		}
		for i := 0; i < 20; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		vs, _ := a.Versions(ctx, "m")
		if len(vs) != 20 || vs[19].Version != 20 {
			t.Fatalf("%d versions after 20 concurrent registrations", len(vs))
		}
	})
}

// Keep database/sql imported for the helpers above.
var _ = sql.ErrNoRows

func TestArtifactFS(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		s := b.openStore(t, t.TempDir(), newKey(t))
		v := register(t, s, "m", sampleFiles, `{}`)
		fsys, err := s.ArtifactFS(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		if err := fstest.TestFS(fsys, "model.json", "weights.bin", "extra/lex.txt"); err != nil {
			t.Fatal(err)
		}
		for name, want := range sampleFiles {
			got, err := fs.ReadFile(fsys, name)
			if err != nil || string(got) != want {
				t.Fatalf("%s: %d bytes, %v", name, len(got), err)
			}
		}
		if _, err := fsys.Open("nope"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("missing file: %v", err)
		}
		// A damaged blob fails to open, naming the file.
		m, _ := s.Manifest(ctx, v)
		f, _ := m.Find("model.json")
		raw, _ := os.ReadFile(s.blobs.path(f.SHA256))
		os.WriteFile(s.blobs.path(f.SHA256), flipByte(raw, len(raw)-1), 0o600)
		var ce *ChecksumError
		if _, err := fsys.Open("model.json"); !errors.As(err, &ce) || !strings.Contains(err.Error(), "model.json of m:1") {
			t.Fatalf("damaged file: %v", err)
		}
	})
}

// TestWaitForChange runs in a synctest bubble: the other process's
// approval comes 30 ms into a fake clock, so the test asserts when the
// wait returned (within one poll interval of the change) without
// depending on the machine's load.
func TestWaitForChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := openStore(t, t.TempDir(), nil)
		v := register(t, s, "m", sampleFiles, `{}`)
		g, _ := s.Generation(ctx)
		// Another process (a second Store on the same home) approves.
		other := openStore(t, s.Home(), nil)
		approved := make(chan error, 1)
		go func() {
			time.Sleep(30 * time.Millisecond)
			_, _, err := other.Approve(ctx, v.Ref(), "user:a", "")
			approved <- err
		}()
		start := time.Now()
		g2, err := s.WaitForChange(ctx, g, 5*time.Millisecond)
		if err != nil || g2 <= g {
			t.Fatalf("WaitForChange: %d -> %d, %v", g, g2, err)
		}
		if took := time.Since(start); took < 30*time.Millisecond || took > 35*time.Millisecond {
			t.Errorf("WaitForChange returned after %v, want within the 5ms poll interval after the change at 30ms", took)
		}
		if err := <-approved; err != nil {
			t.Fatal(err)
		}
		if la, err := s.LatestApproved(ctx, "m"); err != nil || la.Version != 1 {
			t.Fatalf("after the change: %v %v", la.Version, err)
		}
		short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		start = time.Now()
		if _, err := s.WaitForChange(short, g2, 5*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("no change: %v", err)
		}
		if took := time.Since(start); took != 20*time.Millisecond {
			t.Errorf("without a change WaitForChange returned after %v, want at the 20ms deadline", took)
		}
	})
}
