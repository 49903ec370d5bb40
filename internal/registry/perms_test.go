//go:build unix

package registry

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestDatabaseFilesArePrivate: in a home made beforehand (0755, umask
// 022), registry.db and its -wal and -shm files are 0600 like the blobs
// (issue 10: registry.db followed the umask, 0644, so the audit log, key
// ids and hashes were readable by every local user), and an existing
// database readable by others is narrowed when the registry is opened.
func TestDatabaseFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	home := filepath.Join(t.TempDir(), "home")
	if err := os.Mkdir(home, 0o755); err != nil {
		t.Fatal(err)
	}
	s := openStore(t, home, nil)
	register(t, s, "sepsis", sampleFiles, `{}`)
	check := func(when string) {
		t.Helper()
		for _, name := range []string{DBName, DBName + "-wal", DBName + "-shm"} {
			st, err := os.Stat(filepath.Join(home, name))
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("%s: %s has mode %v, want 0600", when, name, st.Mode().Perm())
			}
		}
		filepath.Walk(filepath.Join(home, "blobs"), func(p string, info os.FileInfo, err error) error {
			if err == nil && info.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s: %s has mode %v", when, p, info.Mode().Perm())
			}
			return nil
		})
	}
	check("created")
	s.Close()
	os.Chmod(filepath.Join(home, DBName), 0o644)
	s = openStore(t, home, nil)
	defer s.Close()
	register(t, s, "sepsis", sampleFiles, `{}`)
	check("reopened after a chmod 0644")
}
