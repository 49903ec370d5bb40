package dataset

import (
	"context"
	"io"
)

// Count reads the file at path through and returns its number of records,
// or the first error (a *ParseError names its line) with the records
// counted before it. Commands use it to check a whole input before
// spending work on it, and to size a progress bar. ctx is checked every
// 4096 records.
func Count(ctx context.Context, path string, opts Options) (int, error) {
	f, err := Open(path, nil, opts)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	for {
		if n%4096 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		_, err := f.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}
