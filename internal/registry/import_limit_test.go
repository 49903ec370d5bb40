package registry

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportBoundsUnpackedSize: an export whose files unpack past
// ImportOptions.MaxBytes is refused from its manifest, before anything is
// stored (issue 10: a 3.5 MB .tar.gz imported as 3 GB; the upload limit
// only saw the compressed bytes).
func TestImportBoundsUnpackedSize(t *testing.T) {
	ctx := context.Background()
	src := openStore(t, t.TempDir(), nil)
	v := register(t, src, "zeros", map[string]string{"model.json": `{}`, "weights.bin": strings.Repeat("\x00", 4<<20)}, `{}`)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if err := src.Export(ctx, v, zw, "test"); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	if gz.Len() > 64<<10 {
		t.Fatalf("setup: the export compresses to %d bytes", gz.Len())
	}
	home := t.TempDir()
	dst := openStore(t, home, nil)
	_, err := dst.Import(ctx, bytes.NewReader(gz.Bytes()), ImportOptions{MaxBytes: 1 << 20})
	if err == nil || !strings.Contains(err.Error(), "unpacks to more than the limit of 1048576 bytes") || !strings.Contains(err.Error(), "weights.bin") {
		t.Fatalf("Import = %v", err)
	}
	var stored int
	filepath.Walk(filepath.Join(home, "blobs"), func(_ string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			stored++
		}
		return nil
	})
	if stored != 0 {
		t.Fatalf("%d blobs stored by a refused import", stored)
	}
	// Within the limit (and by default) it imports.
	if _, err := dst.Import(ctx, bytes.NewReader(gz.Bytes()), ImportOptions{MaxBytes: 8 << 20}); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.Import(ctx, bytes.NewReader(gz.Bytes()), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
}
