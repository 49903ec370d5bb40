package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
)

// Dataset is a data file kept in the registry (encrypted at rest in an
// encrypted home), so that a version's lineage points at data that can be
// retrieved. Datasets are content-addressed: storing the same bytes twice
// keeps one copy.
type Dataset struct {
	SHA256    string    `json:"sha256"`
	Name      string    `json:"name"`
	Bytes     int64     `json:"bytes"`
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by"`
	// Versions is how many model versions list this data in their lineage.
	Versions int `json:"versions"`
}

func validDatasetName(name string) error {
	if name == "" || len(name) > 255 || strings.IndexFunc(name, unicode.IsControl) >= 0 || strings.ContainsAny(name, "/\\") {
		return fmt.Errorf("registry: dataset name %q: want a file name of 1-255 characters without '/' (e.g. train.jsonl)", name)
	}
	return nil
}

// PutDataset stores the data r yields under a name (e.g. its file name)
// and returns its record. If the same content is already stored, the
// existing record is returned (its name unchanged).
func (s *Store) PutDataset(ctx context.Context, name string, r io.Reader, by string) (Dataset, error) {
	if err := validDatasetName(name); err != nil {
		return Dataset{}, err
	}
	digest, n, err := s.blobs.put(ctx, r, nil)
	if err != nil {
		return Dataset{}, err
	}
	by = actor(by)
	err = s.writeTx(ctx, false, func(tx *sql.Tx) error {
		if ok, err := s.blobs.exists(ctx, digest); err != nil {
			return err
		} else if !ok {
			return errors.New("registry: the dataset's blob vanished before it was recorded (a concurrent gc?); store it again")
		}
		now := s.nowText()
		res, err := tx.ExecContext(ctx, `INSERT INTO datasets (sha256, name, bytes, created_at, created_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
			digest, name, n, now, by)
		if err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		if added, _ := res.RowsAffected(); added == 0 {
			return nil
		}
		return insertAudit(ctx, tx, now, by, ActionDatasetPut, "dataset:"+digest, map[string]any{"bytes": n})
	})
	if err != nil {
		return Dataset{}, err
	}
	return s.Dataset(ctx, digest)
}

const datasetColumns = `d.sha256, d.name, d.bytes, d.created_at, d.created_by,
	(SELECT count(DISTINCT version_id) FROM version_data WHERE sha256 = d.sha256) FROM datasets d`

func scanDataset(sc interface{ Scan(...any) error }) (Dataset, error) {
	var d Dataset
	var created sql.NullString
	if err := sc.Scan(&d.SHA256, &d.Name, &d.Bytes, &created, &d.CreatedBy, &d.Versions); err != nil {
		return Dataset{}, err
	}
	d.Created = parseTime(created)
	return d, nil
}

// Dataset returns a stored dataset's record.
func (s *Store) Dataset(ctx context.Context, sha256 string) (Dataset, error) {
	d, err := scanDataset(s.db.QueryRowContext(ctx, `SELECT `+datasetColumns+` WHERE d.sha256 = ?`, sha256))
	if errors.Is(err, sql.ErrNoRows) {
		return Dataset{}, notFound("no stored dataset with sha256 %s", sha256)
	}
	if err != nil {
		return Dataset{}, fmt.Errorf("registry: %w", err)
	}
	return d, nil
}

// GetDataset opens a stored dataset. The reader checks the size and
// sha256 as it goes and fails with a [*ChecksumError] at the end on a
// mismatch: read to io.EOF before trusting the data.
func (s *Store) GetDataset(ctx context.Context, sha256 string) (Dataset, io.ReadCloser, error) {
	d, err := s.Dataset(ctx, sha256)
	if err != nil {
		return Dataset{}, nil, err
	}
	r, err := s.blobs.open(ctx, d.SHA256, d.Bytes, "dataset "+d.Name+" ("+d.SHA256[:12]+")")
	if err != nil {
		return Dataset{}, nil, err
	}
	return d, r, nil
}

// Datasets lists stored datasets by name.
func (s *Store) Datasets(ctx context.Context) ([]Dataset, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+datasetColumns+` ORDER BY d.name, d.sha256`)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	defer rows.Close()
	out := []Dataset{}
	for rows.Next() {
		d, err := scanDataset(rows)
		if err != nil {
			return nil, fmt.Errorf("registry: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeleteDataset forgets a stored dataset (its blob goes at the next
// [Store.GC]). Versions keep its sha256 in their lineage.
func (s *Store) DeleteDataset(ctx context.Context, sha256, by string) error {
	return s.writeTx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM datasets WHERE sha256 = ?`, sha256)
		if err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("no stored dataset with sha256 %s", sha256)
		}
		return insertAudit(ctx, tx, s.nowText(), actor(by), ActionDatasetDelete, "dataset:"+sha256, nil)
	})
}
