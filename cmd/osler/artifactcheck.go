package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/modeldir"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/summarize/trained"
)

// checkArtifact loads an artifact the way osler serve loads it, so a
// version whose checksums hold but whose content its loader refuses (a
// crafted file re-signed after the export, a damaged table) is reported by
// models verify and refused by models import instead of failing, or worse,
// when it is served. An artifact that is not an Osler model (registered
// with --kind for another tool: no model.json, or a format Osler does not
// serve) has nothing to load and passes on its checksums alone.
func checkArtifact(fsys fs.FS, kind registry.Kind, name string) error {
	b, err := fs.ReadFile(fsys, modeldir.MetadataName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var head struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return fmt.Errorf("%s: %s: %w: invalid JSON: %v", name, modeldir.MetadataName, modeldir.ErrCorrupt, err)
	}
	switch head.Format {
	case classify.FormatName:
		if kind != registry.KindClassifier {
			return fmt.Errorf("%s: registered as a %s but the artifact is a classifier", name, kind)
		}
		_, err = classify.LoadFS(fsys, ".", name)
	case trained.FormatName:
		if kind != registry.KindSummarizer {
			return fmt.Errorf("%s: registered as a %s but the artifact is a summarizer", name, kind)
		}
		_, err = trained.LoadFS(fsys, ".", name)
	}
	return err
}

// checkVersion is [checkArtifact] for a registered version, read from the
// registry in memory.
func checkVersion(ctx context.Context, s *registry.Store, v registry.Version) error {
	fsys, err := s.ArtifactFS(ctx, v)
	if err != nil {
		return err
	}
	return checkArtifact(fsys, v.Kind, v.Ref().String())
}

// checkImport is [registry.ImportOptions.Check] for osler models import.
func checkImport(_ context.Context, kind registry.Kind, fsys fs.FS) error {
	return checkArtifact(fsys, kind, "the imported model")
}
