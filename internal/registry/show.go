package registry

import (
	"context"
	"encoding/json"
	"io"
)

// Show writes what osler models show prints: with model set (a bare
// NAME), the model and its versions; otherwise the version ref names with
// its files. asJSON writes indented JSON instead of text.
func (s *Store) Show(ctx context.Context, w io.Writer, ref Ref, model, asJSON bool) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if model {
		md, err := s.Model(ctx, ref.Name)
		if err != nil {
			return err
		}
		vs, err := s.Versions(ctx, ref.Name)
		if err != nil {
			return err
		}
		if asJSON {
			return enc.Encode(struct {
				Model
				VersionList []Version `json:"version_list"`
			}{md, vs})
		}
		return WriteModel(w, md, vs)
	}
	v, err := s.Resolve(ctx, ref)
	if err != nil {
		return err
	}
	man, err := s.Manifest(ctx, v)
	if err != nil {
		return err
	}
	if asJSON {
		return enc.Encode(struct {
			Version
			Artifact []ManifestFile `json:"artifact"`
		}{v, man.Files})
	}
	return WriteVersion(w, v, man)
}
