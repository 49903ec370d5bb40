package registry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/osler-health/osler/internal/config"
	"github.com/osler-health/osler/internal/crypt"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/registry/s3store"
	"github.com/osler-health/osler/internal/registry/s3store/s3test"
)

// storeBackend makes empty artifact stores of one kind and reaches past
// them to the bytes they hold, as an operator (or an attacker) with
// access to the directory or the bucket could.
type storeBackend struct {
	name string
	// open returns a new, empty store.
	open func(t *testing.T) (registry.ArtifactStore, rawObjects)
}

// rawObjects is direct access to a store's objects, by object name.
type rawObjects interface {
	all(t *testing.T) map[string][]byte
	replace(t *testing.T, name string, b []byte)
	backdate(t *testing.T, name string, age time.Duration)
}

// storeBackends are the local directory and S3 (a fake on 127.0.0.1).
func storeBackends(t *testing.T) []storeBackend {
	srv := s3test.New(t, "osler-test")
	n := 0
	return []storeBackend{
		{"dir", func(t *testing.T) (registry.ArtifactStore, rawObjects) {
			dir := filepath.Join(t.TempDir(), "blobs")
			return registry.NewDirStore(dir), dirObjects(dir)
		}},
		{"s3", func(t *testing.T) (registry.ArtifactStore, rawObjects) {
			n++
			prefix := fmt.Sprintf("replicas/%d/", n)
			return srv.Open(t, "s3://osler-test/"+prefix), s3Objects{srv, "osler-test", prefix}
		}},
	}
}

type dirObjects string

func (d dirObjects) all(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	filepath.WalkDir(string(d), func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			if e != nil && e.IsDir() && e.Name() == "tmp" {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(string(d), p)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	return out
}

func (d dirObjects) replace(t *testing.T, name string, b []byte) {
	if err := os.WriteFile(filepath.Join(string(d), filepath.FromSlash(name)), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func (d dirObjects) backdate(t *testing.T, name string, age time.Duration) {
	old := time.Now().Add(-age)
	if err := os.Chtimes(filepath.Join(string(d), filepath.FromSlash(name)), old, old); err != nil {
		t.Fatal(err)
	}
}

type s3Objects struct {
	srv            *s3test.Server
	bucket, prefix string
}

func (s s3Objects) all(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	for k, b := range s.srv.Objects(t, s.bucket) {
		if name, ok := strings.CutPrefix(k, s.prefix); ok {
			out[name] = b
		}
	}
	return out
}

func (s s3Objects) replace(t *testing.T, name string, b []byte) {
	s.srv.Replace(t, s.bucket, s.prefix+name, b)
}

func (s s3Objects) backdate(t *testing.T, name string, age time.Duration) {
	s.srv.Backdate(t, s.bucket, s.prefix+name, age)
}

// TestArtifactStores checks the ArtifactStore contract on every backend.
func TestArtifactStores(t *testing.T) {
	for _, b := range storeBackends(t) {
		t.Run(b.name, func(t *testing.T) {
			st, _ := b.open(t)
			testArtifactStore(t, st)
		})
	}
}

func testArtifactStore(t *testing.T, st registry.ArtifactStore) {
	ctx := context.Background()
	read := func(name string) (string, error) {
		r, err := st.Open(ctx, name)
		if err != nil {
			return "", err
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		return string(b), err
	}
	if _, err := read("sha256/aa/missing"); !errors.Is(err, registry.ErrNotExist) {
		t.Fatalf("Open of a missing object: %v, want ErrNotExist", err)
	}
	if _, err := st.Stat(ctx, "sha256/aa/missing"); !errors.Is(err, registry.ErrNotExist) {
		t.Fatalf("Stat of a missing object: %v, want ErrNotExist", err)
	}
	if err := st.Delete(ctx, "sha256/aa/missing"); err != nil {
		t.Fatalf("Delete of a missing object: %v", err)
	}
	big := strings.Repeat("0123456789abcdef", 20000) // 320 KB: several parts in S3
	objects := map[string]string{"sha256/aa/one": "one", "sha256/bb/big": big, "sealed/cc/x": "sealed", "sha256/aa/empty": ""}
	for name, content := range objects {
		if err := st.Put(ctx, name, strings.NewReader(content), int64(len(content))); err != nil {
			t.Fatalf("Put %s: %v", name, err)
		}
	}
	// Unknown size, and putting an object that is there already.
	if err := st.Put(ctx, "sha256/bb/big", strings.NewReader(big), -1); err != nil {
		t.Fatalf("Put again, size unknown: %v", err)
	}
	for name, content := range objects {
		got, err := read(name)
		if err != nil || got != content {
			t.Fatalf("Open %s: %d bytes, %v; want %d bytes", name, len(got), err, len(content))
		}
		info, err := st.Stat(ctx, name)
		if err != nil || info.Size != int64(len(content)) || info.Name != name || time.Since(info.ModTime) > time.Hour {
			t.Fatalf("Stat %s: %+v %v", name, info, err)
		}
	}
	var listed []string
	if err := st.List(ctx, "sha256/", func(o registry.ObjectInfo) error {
		listed = append(listed, o.Name)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sort.Strings(listed)
	if want := []string{"sha256/aa/empty", "sha256/aa/one", "sha256/bb/big"}; strings.Join(listed, " ") != strings.Join(want, " ") {
		t.Fatalf("List sha256/: %v, want %v", listed, want)
	}
	stop := errors.New("stop")
	if err := st.List(ctx, "", func(registry.ObjectInfo) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("List does not return fn's error: %v", err)
	}
	if err := st.Delete(ctx, "sha256/aa/one"); err != nil {
		t.Fatal(err)
	}
	if _, err := read("sha256/aa/one"); !errors.Is(err, registry.ErrNotExist) {
		t.Fatalf("Open after Delete: %v", err)
	}
	// A short reader fails the put and leaves nothing behind.
	if err := st.Put(ctx, "sha256/dd/short", strings.NewReader("abc"), 10); err == nil {
		t.Fatal("Put of fewer bytes than the size succeeded")
	}
	if _, err := st.Stat(ctx, "sha256/dd/short"); !errors.Is(err, registry.ErrNotExist) {
		t.Fatalf("a failed Put left an object: %v", err)
	}
}

var suiteFiles = map[string]string{
	"model.json":    `{"format":"osler-classifier","note":"synthetic fixture"}`,
	"weights.bin":   strings.Repeat("\x00\x01weights", 30000), // 270 KB: multipart in S3
	"extra/lex.txt": "fever\ncough\n",
}

func writeFiles(t *testing.T, files map[string]string) string {
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

func openRegistry(t *testing.T, st registry.ArtifactStore, key *crypt.Key) *registry.Store {
	t.Helper()
	s, err := registry.Open(context.Background(), t.TempDir(), registry.Options{Key: key, Artifacts: st})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func registerFiles(t *testing.T, s *registry.Store, name string, files map[string]string) registry.Version {
	t.Helper()
	v, err := s.Register(context.Background(), registry.Registration{
		Name: name, Kind: registry.KindClassifier, Artifact: writeFiles(t, files),
		Metrics: json.RawMessage(`{}`), By: "user:test",
	})
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	return v
}

// TestRegistryOnArtifactStores runs the registry's artifact behaviour on
// every backend: the same function, the local directory and S3.
func TestRegistryOnArtifactStores(t *testing.T) {
	for _, b := range storeBackends(t) {
		t.Run(b.name, func(t *testing.T) {
			for _, c := range []struct {
				name string
				fn   func(t *testing.T, b storeBackend)
			}{
				{"RegisterResolveRead", testRegisterResolveRead},
				{"VerifyFindsDamage", testVerifyFindsDamage},
				{"Datasets", testDatasets},
				{"ExportImport", testExportImport},
				{"GC", testGC},
				{"Encrypted", testEncrypted},
			} {
				t.Run(c.name, func(t *testing.T) { c.fn(t, b) })
			}
		})
	}
}

func testRegisterResolveRead(t *testing.T, b storeBackend) {
	ctx := context.Background()
	st, raw := b.open(t)
	s := openRegistry(t, st, nil)
	registerFiles(t, s, "sepsis", suiteFiles)
	v, err := s.Resolve(ctx, registry.Ref{Name: "sepsis"})
	if err != nil || v.Version != 1 {
		t.Fatalf("Resolve: %+v %v", v, err)
	}
	fsys, err := s.ArtifactFS(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range suiteFiles {
		got, err := fs.ReadFile(fsys, name)
		if err != nil || string(got) != want {
			t.Fatalf("ArtifactFS %s: %d bytes, %v", name, len(got), err)
		}
	}
	dir := filepath.Join(t.TempDir(), "out")
	if err := s.Materialize(ctx, v, dir); err != nil {
		t.Fatal(err)
	}
	for name, want := range suiteFiles {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil || string(got) != want {
			t.Fatalf("Materialize %s: %d bytes, %v", name, len(got), err)
		}
	}
	if err := s.Verify(ctx, v); err != nil {
		t.Fatal(err)
	}
	// Three files and the manifest, all in the store.
	objs := raw.all(t)
	if len(objs) != 4 {
		t.Fatalf("the store holds %d objects, want 4: %v", len(objs), keysOf(objs))
	}
	for name := range objs {
		if !strings.HasPrefix(name, "sha256/") {
			t.Fatalf("object %s is not under sha256/", name)
		}
	}
	if b.name != "dir" {
		if _, err := os.Stat(filepath.Join(s.Home(), "blobs", "sha256")); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("blobs were also written to the home: %v", err)
		}
	}
}

func keysOf(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func testVerifyFindsDamage(t *testing.T, b storeBackend) {
	ctx := context.Background()
	st, raw := b.open(t)
	s := openRegistry(t, st, nil)
	v := registerFiles(t, s, "sepsis", suiteFiles)
	m, err := s.Manifest(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := m.Find("weights.bin")
	name := "sha256/" + f.SHA256[:2] + "/" + f.SHA256
	data := raw.all(t)[name]
	damaged := bytes.Clone(data)
	damaged[len(damaged)/2] ^= 0xff
	raw.replace(t, name, damaged)

	err = s.Verify(ctx, v)
	var ce *registry.ChecksumError
	if !errors.As(err, &ce) || !strings.Contains(ce.What, "weights.bin") || !strings.Contains(err.Error(), "weights.bin of sepsis:1") || !strings.Contains(ce.Path, f.SHA256) {
		t.Fatalf("Verify of a damaged object: %v, want a ChecksumError naming weights.bin and the object", err)
	}
	fsys, _ := s.ArtifactFS(ctx, v)
	if _, err := fs.ReadFile(fsys, "weights.bin"); !errors.As(err, &ce) {
		t.Fatalf("ArtifactFS read of a damaged object: %v", err)
	}
	// A truncated object, too.
	raw.replace(t, name, data[:len(data)-1])
	if err := s.Verify(ctx, v); !errors.As(err, &ce) {
		t.Fatalf("Verify of a truncated object: %v", err)
	}
	// Registering the same content again replaces the damaged copy.
	registerFiles(t, s, "sepsis", suiteFiles)
	if err := s.Verify(ctx, v); err != nil {
		t.Fatalf("after registering again: %v", err)
	}
}

func testDatasets(t *testing.T, b storeBackend) {
	ctx := context.Background()
	st, raw := b.open(t)
	s := openRegistry(t, st, nil)
	data := strings.Repeat(`{"text":"synthetic note","label":"flu"}`+"\n", 5000)
	d, err := s.PutDataset(ctx, "train.jsonl", strings.NewReader(data), "user:test")
	if err != nil {
		t.Fatal(err)
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
	if _, ok := raw.all(t)["sha256/"+d.SHA256[:2]+"/"+d.SHA256]; !ok {
		t.Fatal("the dataset is not in the store")
	}
}

func testExportImport(t *testing.T, b storeBackend) {
	ctx := context.Background()
	st, _ := b.open(t)
	s := openRegistry(t, st, nil)
	v := registerFiles(t, s, "sepsis", suiteFiles)
	var buf bytes.Buffer
	if err := s.Export(ctx, v, &buf, "user:test"); err != nil {
		t.Fatal(err)
	}
	st2, raw2 := b.open(t)
	other := openRegistry(t, st2, nil)
	iv, err := other.Import(ctx, &buf, registry.ImportOptions{By: "user:test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Verify(ctx, iv); err != nil {
		t.Fatal(err)
	}
	got, err := other.ReadFile(ctx, iv, "weights.bin")
	if err != nil || string(got) != suiteFiles["weights.bin"] {
		t.Fatalf("ReadFile after import: %d bytes, %v", len(got), err)
	}
	if n := len(raw2.all(t)); n != 4 {
		t.Fatalf("the importing store holds %d objects, want 4", n)
	}
}

func testGC(t *testing.T, b storeBackend) {
	ctx := context.Background()
	st, raw := b.open(t)
	s := openRegistry(t, st, nil)
	v1 := registerFiles(t, s, "m", map[string]string{"a.bin": "one", "shared.txt": "same"})
	v2 := registerFiles(t, s, "m", map[string]string{"a.bin": "two", "shared.txt": "same"})
	if _, err := s.DeleteVersion(ctx, v1.Ref(), "user:test", false); err != nil {
		t.Fatal(err)
	}
	// Within the grace period nothing goes.
	rep, err := s.GC(ctx, registry.GCOptions{Grace: time.Hour})
	if err != nil || rep.Removed != 0 || rep.Young != 2 {
		t.Fatalf("gc within grace: %+v %v", rep, err)
	}
	for name := range raw.all(t) {
		raw.backdate(t, name, 2*time.Hour)
	}
	rep, err = s.GC(ctx, registry.GCOptions{Grace: time.Hour, By: "user:test"})
	// Gone: a.bin "one" and v1's manifest; shared.txt is v2's too.
	if err != nil || rep.Removed != 2 || rep.Missing != 0 || rep.Referenced != 3 {
		t.Fatalf("gc: %+v %v", rep, err)
	}
	if err := s.Verify(ctx, v2); err != nil {
		t.Fatalf("gc broke %s: %v", v2.Ref(), err)
	}
	if n := len(raw.all(t)); n != 3 {
		t.Fatalf("%d objects after gc, want 3", n)
	}
}

func testEncrypted(t *testing.T, b storeBackend) {
	ctx := context.Background()
	st, raw := b.open(t)
	key, err := crypt.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	s := openRegistry(t, st, key)
	v := registerFiles(t, s, "sepsis", suiteFiles)
	m, err := s.Manifest(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	objs := raw.all(t)
	if len(objs) != 4 {
		t.Fatalf("%d objects, want 4", len(objs))
	}
	for name, data := range objs {
		if !strings.HasPrefix(name, "sealed/") {
			t.Fatalf("object %s of an encrypted registry is not under sealed/", name)
		}
		for _, f := range m.Files {
			plain := suiteFiles[f.Path]
			if strings.Contains(name, f.SHA256) {
				t.Fatalf("object %s is named by the plaintext sha256 of %s", name, f.Path)
			}
			if bytes.Equal(data, []byte(plain)) || bytes.Contains(data, []byte(plain)) {
				t.Fatalf("object %s holds the plaintext of %s", name, f.Path)
			}
		}
		for _, text := range []string{"osler-classifier", "synthetic fixture", "model.json", "weights"} {
			if bytes.Contains(data, []byte(text)) {
				t.Fatalf("object %s holds the plaintext %q", name, text)
			}
		}
	}
	got, err := s.ReadFile(ctx, v, "model.json")
	if err != nil || string(got) != suiteFiles["model.json"] {
		t.Fatalf("ReadFile: %q %v", got, err)
	}
}

// TestOpenConfigArtifacts: the artifacts setting (--artifacts,
// OSLER_ARTIFACTS_URL) picks the store: a directory, file:///DIR, or
// s3://BUCKET/PREFIX through HomeOptions.ObjectStore; errors name the URL.
func TestOpenConfigArtifacts(t *testing.T) {
	ctx := context.Background()
	srv := s3test.New(t, "models")
	opener := func(ctx context.Context, url string) (registry.ArtifactStore, error) {
		return s3store.Open(ctx, url, srv.Options())
	}
	dir := t.TempDir()
	for _, c := range []struct {
		url   string
		check func(t *testing.T, s *registry.Store)
	}{
		{filepath.Join(dir, "a"), func(t *testing.T, s *registry.Store) {
			if _, err := os.Stat(filepath.Join(dir, "a", "sha256")); err != nil {
				t.Fatalf("no blobs in the artifacts directory: %v", err)
			}
		}},
		{"file://" + filepath.Join(dir, "b"), func(t *testing.T, s *registry.Store) {
			if _, err := os.Stat(filepath.Join(dir, "b", "sha256")); err != nil {
				t.Fatalf("no blobs in the artifacts directory: %v", err)
			}
		}},
		{"s3://models/prod", func(t *testing.T, s *registry.Store) {
			if n := len(srv.Objects(t, "models")); n != 4 {
				t.Fatalf("%d objects in the bucket, want 4", n)
			}
		}},
	} {
		t.Run(c.url, func(t *testing.T) {
			home := t.TempDir()
			s, _, err := registry.OpenConfig(ctx, config.Registry{Home: home, Artifacts: c.url}, registry.HomeOptions{ObjectStore: opener})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			v := registerFiles(t, s, "m", suiteFiles)
			if err := s.Verify(ctx, v); err != nil {
				t.Fatal(err)
			}
			c.check(t, s)
			if _, err := os.Stat(filepath.Join(home, "blobs", "sha256")); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("blobs in the home too: %v", err)
			}
		})
	}
	for _, c := range []struct {
		url  string
		opts registry.HomeOptions
		want string
	}{
		{"s3://models/prod", registry.HomeOptions{}, "s3://models/prod: this command reads artifacts from a directory only"},
		{"s3://missing-bucket/prod", registry.HomeOptions{ObjectStore: opener}, "s3://missing-bucket/prod: bucket \"missing-bucket\" does not exist"},
		{"file://host/dir", registry.HomeOptions{}, "want file:///DIR"},
	} {
		_, _, err := registry.OpenConfig(ctx, config.Registry{Home: t.TempDir(), Artifacts: c.url}, c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("OpenConfig with artifacts %s: %v, want %q", c.url, err, c.want)
		}
	}
}
