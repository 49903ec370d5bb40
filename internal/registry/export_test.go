package registry

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportImportRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		src := b.openStore(t, t.TempDir(), newKey(t))
		base := register(t, src, "base", map[string]string{"w": "base"}, `{}`)
		parent := base.Ref()
		v, err := src.Register(ctx, Registration{
			Name: "sepsis", Kind: KindClassifier, Artifact: writeArtifact(t, sampleFiles), Description: "sepsis screen",
			Metrics: json.RawMessage(`{"dev":{"f1":0.8}}`), Hyperparameters: json.RawMessage(`{"c":2}`),
			Data: []DataRef{{Role: "train", Path: "train.jsonl", SHA256: strings.Repeat("c", 64), Records: 10}}, Parent: &parent, By: "user:ana",
		})
		if err != nil {
			t.Fatal(err)
		}
		src.Approve(ctx, v.Ref(), "user:ana", "")
		v, _ = src.Resolve(ctx, v.Ref())

		for _, compress := range []bool{false, true} {
			var buf bytes.Buffer
			var w io.Writer = &buf
			var zw *gzip.Writer
			if compress {
				zw = gzip.NewWriter(&buf)
				w = zw
			}
			if err := src.Export(ctx, v, w, "user:ana"); err != nil {
				t.Fatal(err)
			}
			if zw != nil {
				zw.Close()
			}
			// Into an unencrypted registry that has no "base" model.
			dst := b.openStore(t, t.TempDir(), nil)
			got, err := dst.Import(ctx, bytes.NewReader(buf.Bytes()), ImportOptions{By: "user:bo", Source: "sepsis.tar"})
			if err != nil {
				t.Fatalf("import (gzip %v): %v", compress, err)
			}
			if got.Model != "sepsis" || got.Version != 1 || got.Status != StatusPending || got.Manifest != v.Manifest ||
				string(got.Metrics) != string(v.Metrics) || string(got.Hyperparameters) != string(v.Hyperparameters) ||
				got.Description != "sepsis screen" || len(got.Data) != 1 || got.Data[0].Records != 10 || got.Parent != nil || got.RegisteredBy != "user:bo" {
				t.Fatalf("imported %+v", got)
			}
			var source struct {
				ImportedFrom map[string]any `json:"imported_from"`
			}
			json.Unmarshal(got.Source, &source)
			if source.ImportedFrom["status"] != "Approved" || source.ImportedFrom["parent"] != "base:1" || source.ImportedFrom["file"] != "sepsis.tar" {
				t.Fatalf("source %s", got.Source)
			}
			out := filepath.Join(t.TempDir(), "m")
			if err := dst.Materialize(ctx, got, out); err != nil {
				t.Fatal(err)
			}
			if !mapsEqual(readTree(t, out), sampleFiles) {
				t.Fatal("imported artifact differs")
			}
			// Under another name, and again (next version).
			if g, err := dst.Import(ctx, bytes.NewReader(buf.Bytes()), ImportOptions{Name: "sepsis-copy"}); err != nil || g.Model != "sepsis-copy" {
				t.Fatalf("import under a new name: %+v %v", g, err)
			}
			if g, _ := dst.Import(ctx, bytes.NewReader(buf.Bytes()), ImportOptions{}); g.Version != 2 {
				t.Fatalf("second import is version %d", g.Version)
			}
		}
		// Back into the source keeps the parent link, since base:1 exists there.
		var buf bytes.Buffer
		src.Export(ctx, v, &buf, "")
		back, err := src.Import(ctx, &buf, ImportOptions{})
		if err != nil || back.Parent == nil || *back.Parent != parent {
			t.Fatalf("re-import into the source: %+v %v", back.Parent, err)
		}
		if e, _ := src.Audit(ctx, AuditQuery{Action: ActionExport}); len(e) != 3 {
			t.Fatalf("%d export audit entries, want 3", len(e))
		}
	})
}

// rewriteExport applies fn to each entry of an export and returns the result.
func rewriteExport(t *testing.T, export []byte, fn func(h *tar.Header, body []byte) []byte) []byte {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(export))
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		body = fn(h, body)
		if body == nil {
			continue
		}
		h.Size = int64(len(body))
		tw.WriteHeader(h)
		tw.Write(body)
	}
	tw.Close()
	return out.Bytes()
}

func TestImportRejectsDamage(t *testing.T) {
	ctx := context.Background()
	src := openStore(t, t.TempDir(), nil)
	v := register(t, src, "m", sampleFiles, `{}`)
	var buf bytes.Buffer
	if err := src.Export(ctx, v, &buf, ""); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"file changed", rewriteExport(t, good, func(h *tar.Header, b []byte) []byte {
			if h.Name == "files/model.json" {
				return bytes.Replace(b, []byte("classifier"), []byte("classifiex"), 1)
			}
			return b
		}), "files/model.json has sha256"},
		{"file truncated", rewriteExport(t, good, func(h *tar.Header, b []byte) []byte {
			if h.Name == "files/weights.bin" {
				return b[:10]
			}
			return b
		}), "is 10 bytes, the manifest says"},
		{"file missing", rewriteExport(t, good, func(h *tar.Header, b []byte) []byte {
			if h.Name == "files/model.json" {
				return nil
			}
			return b
		}), "where files/model.json was expected"},
		{"manifest changed", rewriteExport(t, good, func(h *tar.Header, b []byte) []byte {
			if h.Name == "manifest.json" {
				return append(b, ' ')
			}
			return b
		}), "manifest.json has sha256"},
		{"extra entry", append(rewriteExport(t, good, func(h *tar.Header, b []byte) []byte { return b })[:0:0], func() []byte {
			var out bytes.Buffer
			tw := tar.NewWriter(&out)
			tr := tar.NewReader(bytes.NewReader(good))
			for {
				h, err := tr.Next()
				if err != nil {
					break
				}
				b, _ := io.ReadAll(tr)
				tw.WriteHeader(h)
				tw.Write(b)
			}
			tw.WriteHeader(&tar.Header{Name: "files/evil", Size: 1, Mode: 0o644, Typeflag: tar.TypeReg})
			tw.Write([]byte("x"))
			tw.Close()
			return out.Bytes()
		}()...), "unexpected entries"},
		{"not a tar", []byte("hello, this is not a tar file at all"), "not an Osler export"},
		{"truncated file", good[:len(good)/2], ""},
		{"empty", nil, "ends before"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := openStore(t, t.TempDir(), nil)
			_, err := dst.Import(ctx, bytes.NewReader(c.data), ImportOptions{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if ms, _ := dst.Models(ctx); len(ms) != 0 {
				t.Fatalf("a failed import registered %+v", ms)
			}
		})
	}
}

// TestEncryptionAtRest writes artifacts and a dataset holding known
// plaintext into an encrypted home, then reads every file under the home,
// SQLite files included, and finds none of it. The same run against an
// unencrypted home must find it, so the search itself is shown to work.
func TestEncryptionAtRest(t *testing.T) {
	ctx := context.Background()
	const marker = "PT-MARKER Mrs Jane Roe, MRN 00417, admitted with urosepsis"
	markers := []string{marker, "weights-marker-9f8e7d6c", "DATASET-MARKER chest pain radiating to left arm"}
	files := map[string]string{
		"model.json":  `{"format":"osler-classifier","note":"` + marker + `"}`,
		"weights.bin": strings.Repeat(markers[1], 20000), // several segments
		"small.txt":   "x",
	}
	dataset := strings.Repeat(`{"id":"n1","text":"`+markers[2]+`","labels":["cardiology"]}`+"\n", 3000)

	scan := func(home string) []string {
		var found []string
		filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range markers {
				if bytes.Contains(b, []byte(m)) {
					found = append(found, filepath.Base(p)+": "+m[:12])
				}
			}
			return nil
		})
		return found
	}
	fill := func(s *Store) {
		v, err := s.Register(ctx, Registration{Name: "m", Kind: KindClassifier, Artifact: writeArtifact(t, files), By: "user:a"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutDataset(ctx, "train.jsonl", strings.NewReader(dataset), "user:a"); err != nil {
			t.Fatal(err)
		}
		s.Approve(ctx, v.Ref(), "user:a", "")
		// Reading back works, and still leaves no plaintext on disk.
		if err := s.Verify(ctx, v); err != nil {
			t.Fatal(err)
		}
		var exp bytes.Buffer
		if err := s.Export(ctx, v, &exp, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Import(ctx, &exp, ImportOptions{Name: "m2"}); err != nil {
			t.Fatal(err)
		}
	}

	plainHome := t.TempDir()
	plain := openStore(t, plainHome, nil)
	fill(plain)
	plain.Close()
	if found := scan(plainHome); len(found) < len(markers) {
		t.Fatalf("the scan does not see plaintext in an unencrypted home (found %v): the test would prove nothing", found)
	}

	key := newKey(t)
	encHome := t.TempDir()
	enc := openStore(t, encHome, key)
	fill(enc)
	enc.Close()
	if found := scan(encHome); len(found) > 0 {
		t.Fatalf("plaintext found in the encrypted home: %v", found)
	}
	// And the data is all there for the right key.
	s := openStore(t, encHome, key)
	v, err := s.Resolve(ctx, Ref{Name: "m", Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.ReadFile(ctx, v, "model.json")
	if err != nil || !strings.Contains(string(b), marker) {
		t.Fatalf("reading back: %v", err)
	}
	// Blob file names are keyed, not the content's sha256.
	m, _ := s.Manifest(ctx, v)
	f, _ := m.Find("model.json")
	matches, _ := filepath.Glob(filepath.Join(encHome, "blobs", "*", "*", f.SHA256))
	if len(matches) > 0 {
		t.Fatalf("an encrypted blob is named by its plaintext sha256: %v", matches)
	}
}

func TestWrongKeyCannotReadBlobs(t *testing.T) {
	// Even bypassing Open's key check, blobs sealed under another key fail
	// authentication rather than decrypting to garbage.
	ctx := context.Background()
	home := t.TempDir()
	s := openStore(t, home, newKey(t))
	v := register(t, s, "m", sampleFiles, `{}`)
	other, err := openBlobStore(s.blobs.st, s.blobs.tmp, newKey(t), false)
	if err != nil {
		t.Fatal(err)
	}
	other.nameKey = s.blobs.nameKey // same names, other encryption key
	s.blobs.sealer = other.sealer
	err = s.Verify(ctx, v)
	var ce *ChecksumError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a ChecksumError", err)
	}
}

func FuzzParseManifest(f *testing.F) {
	good := Manifest{Files: []ManifestFile{{Path: "a/b.bin", SHA256: strings.Repeat("a", 64), Bytes: 3}, {Path: "model.json", SHA256: strings.Repeat("b", 64)}}}.encode()
	f.Add(good)
	f.Add([]byte(`{"format":"osler-artifact-manifest","format_version":1,"files":[{"path":"../x","sha256":"","bytes":0}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b)
		if err != nil {
			return
		}
		for _, fl := range m.Files {
			if err := checkArtifactPath(fl.Path); err != nil || strings.Contains(fl.Path, "..") && strings.Contains("/"+fl.Path+"/", "/../") {
				t.Fatalf("accepted unsafe path %q", fl.Path)
			}
		}
		m2, err := ParseManifest(m.encode())
		if err != nil || len(m2.Files) != len(m.Files) {
			t.Fatalf("accepted manifest does not re-encode: %v", err)
		}
	})
}

func FuzzImport(f *testing.F) {
	dir := f.TempDir()
	s, err := Open(context.Background(), filepath.Join(dir, "src"), Options{})
	if err != nil {
		f.Fatal(err)
	}
	v := register(f, s, "m", map[string]string{"a": "alpha", "b/c": "gamma"}, `{"f1":1}`)
	var buf bytes.Buffer
	s.Export(context.Background(), v, &buf, "")
	s.Close()
	f.Add(buf.Bytes())
	f.Add([]byte{0x1f, 0x8b, 0, 0})
	dst, err := Open(context.Background(), filepath.Join(dir, "dst"), Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { dst.Close() })
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := dst.Import(context.Background(), bytes.NewReader(b), ImportOptions{Name: "fuzz"})
		if err != nil {
			return
		}
		// Whatever was accepted must verify.
		if err := dst.Verify(context.Background(), got); err != nil {
			t.Fatalf("accepted import does not verify: %v", err)
		}
	})
}
