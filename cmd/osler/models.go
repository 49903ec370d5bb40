package main

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/osler-health/osler/internal/artifact"
	"github.com/osler-health/osler/internal/atomicfile"
	"github.com/osler-health/osler/internal/config"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/registry"
)

// modelsCommands are the subcommands of "osler models".
func modelsCommands() []command {
	return []command{
		{"list", "list models with their latest and latest Approved versions", (*Main).runModelsList},
		{"show", "show a model's versions, or one version's metrics, lineage, status and files", (*Main).runModelsShow},
		{"register", "store a model directory as the next version of a model", (*Main).runModelsRegister},
		{"approve", "mark a version Approved (the server serves the latest Approved version)", (*Main).runModelsApprove},
		{"reject", "mark a version Rejected", (*Main).runModelsReject},
		{"delete", "delete a version, or a model with all its versions", (*Main).runModelsDelete},
		{"export", "write a version to one portable file (tar, optionally gzip)", (*Main).runModelsExport},
		{"import", "register a version from an export file, checking every checksum", (*Main).runModelsImport},
		{"verify", "check the database and every artifact checksum", (*Main).runModelsVerify},
		{"gc", "remove blobs no version or dataset uses any more", (*Main).runModelsGC},
		{"migrate", "copy the registry into an empty PostgreSQL database (--to postgres://…)", (*Main).runModelsMigrate},
	}
}

func (m *Main) runModels(ctx context.Context, args []string) error {
	return m.runGroup(ctx, "osler models", "The model registry: versions, metrics, lineage and approvals, kept under one home directory\n(--home, else $OSLER_HOME, else ~/.osler), encrypted at rest when a master key is given.", modelsCommands(), args)
}

var modelsListDoc = helpDoc("models-list")

func (m *Main) runModelsList(ctx context.Context, args []string) error {
	fs := m.newFlagSet(modelsListDoc)
	var rf registryFlags
	rf.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := m.parseFlags(fs, modelsListDoc, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{errors.New("models list: takes no arguments (see osler models show NAME)")}
	}
	s, err := rf.open(ctx, m)
	if err != nil {
		return err
	}
	defer s.Close()
	models, err := s.Models(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, models)
	}
	if len(models) == 0 {
		fmt.Fprintf(m.Stderr, "no models in %s (register one with osler models register or osler train ... --register NAME)\n", s.Home())
		return nil
	}
	return registry.WriteModels(m.Stdout, models)
}

var modelsShowDoc = helpDoc("models-show")

func (m *Main) runModelsShow(ctx context.Context, args []string) error {
	fs := m.newFlagSet(modelsShowDoc)
	var rf registryFlags
	rf.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := m.parseFlags(fs, modelsShowDoc, args)
	if err != nil {
		return err
	}
	ref, err := oneRefArg("models show", pos, "NAME or NAME:VERSION")
	if err != nil {
		return err
	}
	s, err := rf.open(ctx, m)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Show(ctx, m.Stdout, ref, !strings.Contains(pos[0], ":"), *asJSON)
}

var modelsRegisterDoc = helpDoc("models-register")

// registrationInput are the flags that say how to register a directory.
type registrationInput struct {
	name, kind, artifact, metricsFile, hyperFile, parent, description, cond, note string
	data                                                                          []string
	storeData, approve                                                            bool
}

// buildRegistration builds the registration of an artifact directory
// (internal/artifact); a mistake in the flags is a usage error.
func (m *Main) buildRegistration(ctx context.Context, cmd string, s *registry.Store, in registrationInput, by string) (registry.Registration, error) {
	r, err := artifact.Registration(ctx, s, artifact.RegisterOptions{
		Name: in.name, Dir: in.artifact, Kind: in.kind, MetricsFile: in.metricsFile, HyperparametersFile: in.hyperFile,
		Parent: in.parent, Condition: in.cond, Description: in.description, Note: in.note,
		Data: in.data, StoreData: in.storeData, Approve: in.approve, By: by,
	})
	switch {
	case errors.Is(err, artifact.ErrInvalid):
		return r, usageError{fmt.Errorf("%s: %w", cmd, err)}
	case err != nil:
		return r, fmt.Errorf("%s: %w", cmd, err)
	}
	return r, nil
}

// registerWithProgress registers, showing progress on stderr (a bar on a
// terminal, a line every few seconds in a log).
func (m *Main) registerWithProgress(ctx context.Context, s *registry.Store, r registry.Registration) (registry.Version, error) {
	pr := progress.NewWriter(m.Stderr, m.IsTerminal(m.Stderr))
	r.Progress = pr
	v, err := s.Register(ctx, r)
	pr.Finish()
	return v, err
}

func (m *Main) runModelsRegister(ctx context.Context, args []string) error {
	fs := m.newFlagSet(modelsRegisterDoc)
	var rf registryFlags
	rf.register(fs)
	var in registrationInput
	fs.StringVar(&in.name, "name", "", "model name: 1-64 lowercase letters, digits, '.', '_' or '-' (required)")
	fs.StringVar(&in.artifact, "artifact", "", "the model directory to store (required)")
	fs.StringVar(&in.kind, "kind", "", "classifier or summarizer (default: from DIR/model.json)")
	fs.StringVar(&in.metricsFile, "metrics", "", "JSON file of metrics (default: \"metrics\" in DIR/model.json)")
	fs.StringVar(&in.hyperFile, "hyperparameters", "", "JSON file of hyperparameters (default: from DIR/model.json)")
	fs.StringVar(&in.parent, "parent", "", "the version this one derives from, NAME:VERSION")
	fs.StringVar(&in.description, "description", "", "a description of the model (used when the model is created; no patient text)")
	fs.StringVar(&in.cond, "if", "", `register only if this condition on the metrics holds, e.g. "dev.micro.f1>=0.80 && dev.macro.f1>=0.7"`)
	fs.BoolVar(&in.approve, "approve", false, "register as Approved instead of PendingManualApproval")
	fs.StringVar(&in.note, "note", "", "note recorded with --approve")
	fs.Var((*stringList)(&in.data), "data", "data file used, ROLE=PATH (repeatable; e.g. --data train=train.jsonl); its sha256 is recorded")
	fs.BoolVar(&in.storeData, "store-data", false, "also keep a copy of each --data file in the registry (encrypted in an encrypted home)")
	asJSON := fs.Bool("json", false, "print the registered version as JSON")
	if err := m.parseNoArgs(fs, modelsRegisterDoc, args, "the directory goes in --artifact"); err != nil {
		return err
	}
	if in.name == "" || in.artifact == "" {
		return usageError{errors.New("models register: --name and --artifact are required (see --help)")}
	}
	s, err := rf.open(ctx, m)
	if err != nil {
		return err
	}
	defer s.Close()
	r, err := m.buildRegistration(ctx, "models register", s, in, rf.actor(m))
	if err != nil {
		return err
	}
	v, err := m.registerWithProgress(ctx, s, r)
	if errors.Is(err, registry.ErrConditionNotMet) {
		return exitError{code: 3, msg: err.Error()}
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, v)
	}
	fmt.Fprintf(m.Stdout, "registered %s (%s, %s; %d files, %s)\n", v.Ref(), v.Kind, v.Status, v.Files, registry.FormatBytes(v.Bytes))
	return nil
}

var modelsApproveDoc = helpDoc("models-approve")

var modelsRejectDoc = helpDoc("models-reject")

func (m *Main) runModelsApprove(ctx context.Context, args []string) error {
	return m.setStatus(ctx, args, modelsApproveDoc, registry.StatusApproved)
}

func (m *Main) runModelsReject(ctx context.Context, args []string) error {
	return m.setStatus(ctx, args, modelsRejectDoc, registry.StatusRejected)
}

func (m *Main) setStatus(ctx context.Context, args []string, doc cmdDoc, status registry.Status) error {
	fs := m.newFlagSet(doc)
	var rf registryFlags
	rf.register(fs)
	note := fs.String("note", "", "why (recorded with the status and in the audit log; no patient text)")
	pos, err := m.parseFlags(fs, doc, args)
	if err != nil {
		return err
	}
	cmd := commandPath(doc)
	if len(pos) != 1 || !strings.Contains(pos[0], ":") {
		return usageError{fmt.Errorf("%s: want NAME:VERSION (e.g. sepsis:3, or sepsis:latest)", cmd)}
	}
	ref, err := parseRefArg(cmd, pos[0])
	if err != nil {
		return err
	}
	s, err := rf.open(ctx, m)
	if err != nil {
		return err
	}
	defer s.Close()
	v, changed, err := s.SetStatus(ctx, ref, status, rf.actor(m), *note)
	if err != nil {
		return err
	}
	if !changed {
		fmt.Fprintf(m.Stdout, "%s is already %s (since %s, by %s)\n", v.Ref(), v.Status, registry.FormatTime(v.StatusAt), v.StatusBy)
		return nil
	}
	fmt.Fprintf(m.Stdout, "%s is now %s\n", v.Ref(), v.Status)
	return nil
}

var modelsDeleteDoc = helpDoc("models-delete")

func (m *Main) runModelsDelete(ctx context.Context, args []string) error {
	fs := m.newFlagSet(modelsDeleteDoc)
	var rf registryFlags
	rf.register(fs)
	all := fs.Bool("all", false, "delete the model and every version of it")
	force := fs.Bool("force", false, "delete even Approved versions")
	pos, err := m.parseFlags(fs, modelsDeleteDoc, args)
	if err != nil {
		return err
	}
	ref, err := oneRefArg("models delete", pos, "NAME:VERSION, or NAME --all")
	if err != nil {
		return err
	}
	hasVersion := strings.Contains(pos[0], ":")
	if *all == hasVersion {
		return usageError{errors.New("models delete: give NAME:VERSION to delete one version, or NAME --all to delete the model")}
	}
	s, err := rf.open(ctx, m)
	if err != nil {
		return err
	}
	defer s.Close()
	if *all {
		n, err := s.DeleteModel(ctx, ref.Name, rf.actor(m), *force)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "deleted model %s (%d versions); run osler models gc to free the space\n", ref.Name, n)
		return nil
	}
	v, err := s.DeleteVersion(ctx, ref, rf.actor(m), *force)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "deleted %s; run osler models gc to free the space\n", v.Ref())
	return nil
}

var modelsExportDoc = helpDoc("models-export")

func (m *Main) runModelsExport(ctx context.Context, args []string) error {
	fs := m.newFlagSet(modelsExportDoc)
	var rf registryFlags
	rf.register(fs)
	out := fs.String("o", "", `output file (default NAME-VERSION.tar.gz; "-" for stdout)`)
	pos, err := m.parseFlags(fs, modelsExportDoc, args)
	if err != nil {
		return err
	}
	ref, err := oneRefArg("models export", pos, "NAME[:VERSION]")
	if err != nil {
		return err
	}
	s, err := rf.open(ctx, m)
	if err != nil {
		return err
	}
	defer s.Close()
	v, err := s.Resolve(ctx, ref)
	if err != nil {
		return err
	}
	path := *out
	if path == "" {
		path = fmt.Sprintf("%s-%d.tar.gz", v.Model, v.Version)
	}
	write := func(w io.Writer) error {
		if strings.HasSuffix(path, ".gz") || strings.HasSuffix(path, ".tgz") {
			zw := gzip.NewWriter(w)
			if err := s.Export(ctx, v, zw, rf.actor(m)); err != nil {
				return err
			}
			return zw.Close()
		}
		return s.Export(ctx, v, w, rf.actor(m))
	}
	if path == "-" {
		return write(m.Stdout)
	}
	if err := atomicfile.Write(path, 0o600, write); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "exported %s (%d files, %s) to %s\n", v.Ref(), v.Files, registry.FormatBytes(v.Bytes), path)
	if s.Encrypted() {
		fmt.Fprintln(m.Stderr, "note: the export is not encrypted; protect it like the model itself")
	}
	return nil
}

var modelsImportDoc = helpDoc("models-import")

func (m *Main) runModelsImport(ctx context.Context, args []string) error {
	fs := m.newFlagSet(modelsImportDoc)
	var rf registryFlags
	rf.register(fs)
	name := fs.String("name", "", "register under this model name instead of the exported one")
	asJSON := fs.Bool("json", false, "print the imported version as JSON")
	limit := int64(2 << 30)
	fs.Var((*config.ByteSize)(&limit), "max-bytes", "largest artifact accepted once unpacked (a small .tar.gz can unpack to gigabytes); checked from the manifest before anything is stored")
	pos, err := m.parseFlags(fs, modelsImportDoc, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{errors.New("models import: want FILE (see --help)")}
	}
	if *name != "" {
		if err := registry.ValidateName(*name); err != nil {
			return usageError{fmt.Errorf("models import: %w", err)}
		}
	}
	var r io.Reader = m.Stdin
	if pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return fmt.Errorf("models import: %w", err)
		}
		defer f.Close()
		r = f
	}
	s, err := rf.open(ctx, m)
	if err != nil {
		return err
	}
	defer s.Close()
	v, err := s.Import(ctx, r, registry.ImportOptions{Name: *name, By: rf.actor(m), Source: filepath.Base(pos[0]), Check: artifact.CheckImport, MaxBytes: limit})
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	if *asJSON {
		return writeJSON(m.Stdout, v)
	}
	fmt.Fprintf(m.Stdout, "imported %s (%s; %d files, %s)\n", v.Ref(), v.Status, v.Files, registry.FormatBytes(v.Bytes))
	return nil
}

var modelsVerifyDoc = helpDoc("models-verify")

func (m *Main) runModelsVerify(ctx context.Context, args []string) error {
	fs := m.newFlagSet(modelsVerifyDoc)
	var rf registryFlags
	rf.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := m.parseFlags(fs, modelsVerifyDoc, args)
	if err != nil {
		return err
	}
	for _, p := range pos {
		if _, err := parseRefArg("models verify", p); err != nil {
			return err
		}
	}
	s, err := rf.open(ctx, m)
	if err != nil {
		return err
	}
	defer s.Close()
	var bar *progress.Writer // nil (silent) off a terminal
	if m.IsTerminal(m.Stderr) {
		bar = progress.NewWriter(m.Stderr, true)
	}
	results, err := artifact.Verify(ctx, s, pos, progress.Or(bar))
	bar.Finish()
	if err != nil {
		return err
	}
	failed := artifact.Failed(results)
	if *asJSON {
		err = writeJSON(m.Stdout, results)
	} else {
		err = artifact.WriteVerifyResults(m.Stdout, results)
	}
	if err != nil {
		return err
	}
	if failed > 0 {
		return exitError{code: 1, msg: fmt.Sprintf("models verify: %d of %d checks failed", failed, len(results))}
	}
	if !*asJSON {
		fmt.Fprintf(m.Stderr, "all %d checks passed\n", len(results))
	}
	return nil
}

var modelsGCDoc = helpDoc("models-gc")

func (m *Main) runModelsGC(ctx context.Context, args []string) error {
	fs := m.newFlagSet(modelsGCDoc)
	var rf registryFlags
	rf.register(fs)
	grace := fs.Duration("grace", time.Hour, "keep unreferenced files younger than this (0 removes all)")
	dry := fs.Bool("dry-run", false, "report what would be removed without removing it")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := m.parseFlags(fs, modelsGCDoc, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{errors.New("models gc: takes no arguments")}
	}
	if *grace < 0 {
		return usageError{errors.New("models gc: --grace must not be negative")}
	}
	g := *grace
	if g == 0 {
		g = time.Nanosecond
	}
	s, err := rf.open(ctx, m)
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := s.GC(ctx, registry.GCOptions{Grace: g, DryRun: *dry, By: rf.actor(m)})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, rep)
	}
	verb := "removed"
	if *dry {
		verb = "would remove"
	}
	fmt.Fprintf(m.Stdout, "%s %d unused files (%s) and %d temporary files; %d in use, %d unused but younger than %s\n",
		verb, rep.Removed, registry.FormatBytes(rep.RemovedBytes), rep.Temp, rep.Referenced, rep.Young, *grace)
	if rep.Missing > 0 {
		fmt.Fprintf(m.Stdout, "warning: %d files in use are missing; run osler models verify\n", rep.Missing)
	}
	return nil
}
