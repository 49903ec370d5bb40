package demo

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/osler-health/osler/internal/artifact"
	"github.com/osler-health/osler/internal/registry"
	"github.com/osler-health/osler/internal/server"
)

// Serve serves models on addr until ctx is done, for the demo's last
// step. home is a registry home (created when missing). Each entry of
// models is NAME=DIR, a model directory registered and approved in home as
// the next version of NAME and then served, or a pin as osler serve
// --models takes it (NAME, NAME:latest, NAME:VERSION) of a model already
// in home; nil serves every Approved model of home. It creates an admin
// API key for the demo (expiring in a week), prints it to out with
// ready-to-paste curl commands and the UI's address, and serves without
// logs. When addr's port is taken it serves on a free port.
func Serve(ctx context.Context, home, addr string, models []string, out io.Writer) error {
	st, err := registry.Open(ctx, home, registry.Options{})
	if err != nil {
		return fmt.Errorf("serve: %w (home %s)", err, home)
	}
	defer st.Close()
	cfg := server.Config{Store: st, LogOutput: io.Discard}
	for _, spec := range models {
		pin, err := pinOf(ctx, st, spec)
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		cfg.Pins = append(cfg.Pins, pin)
	}
	_, secret, err := st.CreateKey(ctx, "demo", []registry.Scope{registry.ScopeAdmin}, time.Now().Add(7*24*time.Hour), "osler-demo")
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	s, err := server.New(ctx, cfg)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer s.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	}
	writeCommands(out, server.BaseURL(ln.Addr(), false), secret, s)
	return s.Serve(ctx, ln, nil)
}

// pinOf registers and approves NAME=DIR, or parses a pin.
func pinOf(ctx context.Context, st *registry.Store, spec string) (server.Pin, error) {
	name, dir, ok := strings.Cut(spec, "=")
	if !ok {
		return server.ParsePin(spec)
	}
	r, err := artifact.Registration(ctx, st, artifact.RegisterOptions{Name: name, Dir: dir, Approve: true, Note: "osler demo", By: "osler-demo"})
	if err != nil {
		return server.Pin{}, err
	}
	v, err := st.Register(ctx, r)
	if err != nil {
		return server.Pin{}, fmt.Errorf("register %s: %w", dir, err)
	}
	return server.Pin{Name: v.Model, Version: v.Version}, nil
}

// exampleTexts are synthetic example inputs for the printed commands.
var exampleTexts = map[registry.Kind]string{
	registry.KindClassifier: "The patient developed a widespread rash two days after starting amoxicillin.",
	registry.KindSummarizer: "FINDINGS: Heart size is normal. The lungs are clear. No pleural effusion or pneumothorax.",
}

// writeCommands prints curl commands against the running server.
func writeCommands(w io.Writer, base, key string, s *server.Server) {
	fmt.Fprintf(w, "\nServing on %s  (web UI: %s/ ; paste the key there)\n", base, base)
	fmt.Fprintf(w, "API key (admin, for this demo only): %s\n\nTry it:\n\n", key)
	fmt.Fprintf(w, "  export OSLER_API_KEY=%s\n", key)
	fmt.Fprintf(w, "  curl -s %s/ping\n", base)
	fmt.Fprintf(w, "  curl -s -H \"Authorization: Bearer $OSLER_API_KEY\" %s/v1/models\n", base)
	for _, name := range s.Models() {
		kind := s.ModelKind(name)
		text := exampleTexts[kind]
		path := "/v1/classify"
		if kind == registry.KindSummarizer {
			path = "/v1/summarize"
		}
		fmt.Fprintf(w, "  curl -s -H \"Authorization: Bearer $OSLER_API_KEY\" -H 'Content-Type: application/json' \\\n    -d '{\"model\": \"%s\", \"inputs\": [\"%s\"]}' %s%s\n", name, text, base, path)
		fmt.Fprintf(w, "  curl -s -H \"Authorization: Bearer $OSLER_API_KEY\" -H 'Content-Type: application/json' -H 'X-Amzn-SageMaker-Target-Model: %s' \\\n    -d '{\"inputs\": \"%s\"}' %s/invocations\n", name, text, base)
	}
	fmt.Fprintf(w, "  curl -s -H \"Authorization: Bearer $OSLER_API_KEY\" %s/metrics | grep osler_model_loaded\n", base)
	fmt.Fprintf(w, "\nPress Ctrl-C to stop.\n")
}
