package artifact

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/registry"
)

// VerifyResult is one check of [Verify]: the database, or a version.
type VerifyResult struct {
	Target string `json:"target"`
	OK     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`
}

// Verify checks the registry: SQLite's integrity and the schema, then
// every file of each version named in targets against its sha256, and
// that each Osler model loads as osler serve loads it. A target is NAME
// (every version of the model) or NAME:VERSION (one); no targets checks
// every version. A target that does not resolve is an error; a check that
// fails is a result that is not OK.
func Verify(ctx context.Context, s *registry.Store, targets []string, pr progress.Reporter) ([]VerifyResult, error) {
	var results []VerifyResult
	add := func(target string, err error) {
		r := VerifyResult{Target: target, OK: err == nil}
		if err != nil {
			r.Error = err.Error()
		}
		results = append(results, r)
	}
	add("database", s.IntegrityCheck(ctx))
	versions, err := versionsOf(ctx, s, targets)
	if err != nil {
		return nil, err
	}
	pr = progress.Or(pr)
	pr.Stage("verifying", len(versions))
	for _, v := range versions {
		err := s.Verify(ctx, v)
		if err == nil {
			err = CheckVersion(ctx, s, v)
		}
		add(v.Ref().String(), err)
		pr.Add(1)
	}
	return results, nil
}

// versionsOf resolves verify's targets.
func versionsOf(ctx context.Context, s *registry.Store, targets []string) ([]registry.Version, error) {
	if len(targets) == 0 {
		return s.AllVersions(ctx)
	}
	var versions []registry.Version
	for _, t := range targets {
		ref, err := registry.ParseRef(t)
		if err != nil {
			return nil, err
		}
		if !strings.Contains(t, ":") {
			vs, err := s.Versions(ctx, ref.Name)
			if err != nil {
				return nil, err
			}
			versions = append(versions, vs...)
			continue
		}
		v, err := s.Resolve(ctx, ref)
		if err != nil {
			return nil, err
		}
		versions = append(versions, v)
	}
	return versions, nil
}

// Failed counts the checks that failed.
func Failed(results []VerifyResult) int {
	n := 0
	for _, r := range results {
		if !r.OK {
			n++
		}
	}
	return n
}

// WriteVerifyResults prints one line per check: "ok     TARGET" or
// "FAILED TARGET: why".
func WriteVerifyResults(w io.Writer, results []VerifyResult) error {
	for _, r := range results {
		var err error
		if r.OK {
			_, err = fmt.Fprintf(w, "ok     %s\n", r.Target)
		} else {
			_, err = fmt.Fprintf(w, "FAILED %s: %s\n", r.Target, r.Error)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
