package registry

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"testing"
)

// TestImportCheck: ImportOptions.Check sees the artifact's kind and its
// verified files before anything is registered, and its error stops the
// import (issue 10: a re-signed artifact whose checksums hold but whose
// weights crash the loader was imported and then crashed the server).
func TestImportCheck(t *testing.T) {
	ctx := context.Background()
	src := openStore(t, t.TempDir(), nil)
	v := register(t, src, "sepsis", sampleFiles, `{}`)
	var buf bytes.Buffer
	if err := src.Export(ctx, v, &buf, "test"); err != nil {
		t.Fatal(err)
	}
	dst := openStore(t, t.TempDir(), newKey(t))
	refuse := errors.New("weights.bin: corrupt")
	var seen map[string]string
	var kind Kind
	_, err := dst.Import(ctx, bytes.NewReader(buf.Bytes()), ImportOptions{Check: func(_ context.Context, k Kind, fsys fs.FS) error {
		kind = k
		seen = map[string]string{}
		for name := range sampleFiles {
			b, err := fs.ReadFile(fsys, name)
			if err != nil {
				return err
			}
			seen[name] = string(b)
		}
		return refuse
	}})
	if !errors.Is(err, refuse) {
		t.Fatalf("Import = %v, want the check's error", err)
	}
	if kind != KindClassifier || !mapsEqual(seen, sampleFiles) {
		t.Fatalf("the check saw kind %q and files %v", kind, seen)
	}
	if vs, err := dst.AllVersions(ctx); err != nil || len(vs) != 0 {
		t.Fatalf("after a refused import: %d versions (%v)", len(vs), err)
	}
	got, err := dst.Import(ctx, bytes.NewReader(buf.Bytes()), ImportOptions{Check: func(context.Context, Kind, fs.FS) error { return nil }})
	if err != nil || got.Version != 1 {
		t.Fatalf("import with a passing check: %+v %v", got, err)
	}
}
