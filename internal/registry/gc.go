package registry

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// GCOptions configure [Store.GC].
type GCOptions struct {
	// Grace keeps unreferenced blobs and temporary files younger than this
	// (0 means one hour), so a registration that has written its blobs but
	// not yet committed is never robbed.
	Grace time.Duration
	// DryRun counts what would be removed without removing it.
	DryRun bool
	// By is who runs the collection, for the audit log.
	By string
}

// GCReport says what [Store.GC] found and removed.
type GCReport struct {
	// Referenced is the number of blobs versions and datasets use.
	Referenced int `json:"referenced"`
	// Removed and RemovedBytes count unreferenced blobs removed (or, in a
	// dry run, that would be).
	Removed      int   `json:"removed"`
	RemovedBytes int64 `json:"removed_bytes"`
	// Young counts unreferenced blobs kept because they are within the
	// grace period.
	Young int `json:"young"`
	// Temp counts leftover temporary files removed.
	Temp int `json:"temp"`
	// Missing counts referenced blobs that are not in the store (run
	// `osler models verify` to see which versions they break).
	Missing int  `json:"missing"`
	DryRun  bool `json:"dry_run"`
}

// GC removes blobs that no version or dataset references (left by deleted
// versions, or by registrations that died before committing) and old
// temporary files, from the home's [ArtifactStore] (a blob's age is its
// object's modification time there). It holds the database's write lock while it works, so
// a registration cannot commit a reference to a blob being removed.
func (s *Store) GC(ctx context.Context, opts GCOptions) (GCReport, error) {
	grace := opts.Grace
	if grace <= 0 {
		grace = time.Hour
	}
	rep := GCReport{DryRun: opts.DryRun}
	cutoff := time.Now().Add(-grace)
	err := s.writeTx(ctx, false, func(tx *sql.Tx) error {
		live := map[string]bool{}
		var manifests []string
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT manifest FROM versions UNION SELECT sha256 FROM datasets`)
		if err != nil {
			return fmt.Errorf("registry: gc: %w", err)
		}
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				rows.Close()
				return fmt.Errorf("registry: gc: %w", err)
			}
			manifests = append(manifests, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("registry: gc: %w", err)
		}
		var datasets = map[string]bool{}
		drows, err := tx.QueryContext(ctx, `SELECT sha256 FROM datasets`)
		if err != nil {
			return fmt.Errorf("registry: gc: %w", err)
		}
		for drows.Next() {
			var d string
			drows.Scan(&d)
			datasets[d] = true
		}
		drows.Close()
		for _, d := range manifests {
			live[s.blobs.object(d)] = true
			if datasets[d] {
				continue
			}
			b, err := s.blobs.readAll(ctx, d, "manifest "+d)
			if err != nil {
				// Without the manifest its files can't be told apart from
				// garbage: collect nothing rather than guess.
				return fmt.Errorf("registry: gc stopped, nothing removed: %w", err)
			}
			m, err := ParseManifest(b)
			if err != nil {
				return fmt.Errorf("registry: gc stopped, nothing removed: manifest %s: %w", d, err)
			}
			for _, f := range m.Files {
				live[s.blobs.object(f.SHA256)] = true
			}
		}
		rep.Referenced = len(live)
		seen := map[string]bool{}
		st := s.blobs.st
		err = st.List(ctx, s.blobs.kind()+"/", func(o ObjectInfo) error {
			if live[o.Name] {
				seen[o.Name] = true
				return nil
			}
			if o.ModTime.After(cutoff) {
				rep.Young++
				return nil
			}
			rep.Removed++
			rep.RemovedBytes += o.Size
			if opts.DryRun {
				return nil
			}
			return st.Delete(ctx, o.Name)
		})
		if err != nil {
			return fmt.Errorf("registry: gc: %w", err)
		}
		rep.Missing = len(live) - len(seen)
		entries, err := os.ReadDir(s.blobs.tmp)
		if err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("registry: gc: %w", err)
		}
		for _, e := range entries {
			info, err := e.Info()
			if err != nil || info.ModTime().After(cutoff) {
				continue
			}
			rep.Temp++
			if !opts.DryRun {
				os.Remove(filepath.Join(s.blobs.tmp, e.Name()))
			}
		}
		if opts.DryRun {
			return nil
		}
		return insertAudit(ctx, tx, s.nowText(), actor(opts.By), ActionGC, "", rep)
	})
	return rep, err
}
