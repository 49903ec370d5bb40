package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/osler-health/osler/internal/registry"
)

// keysCommands are the subcommands of "osler keys".
func keysCommands() []command {
	return []command{
		{"create", "create an API key (the secret is printed once)", (*Main).runKeysCreate},
		{"list", "list API keys: id, name, scopes, created, last used, revoked", (*Main).runKeysList},
		{"revoke", "revoke an API key; it stops working at once", (*Main).runKeysRevoke},
	}
}

func (m *Main) runKeys(ctx context.Context, args []string) error {
	return m.runGroup(ctx, "osler keys", "API keys for the HTTP server. Scopes: predict (call models) and admin (manage models,\napprovals and keys; implies predict). Only a SHA-256 of each key is stored.", keysCommands(), args)
}

var keysCreateDoc = helpDoc("keys-create")

func (m *Main) runKeysCreate(ctx context.Context, args []string) error {
	fs := m.newFlagSet(keysCreateDoc)
	var rf registryFlags
	rf.register(fs)
	name := fs.String("name", "", "what the key is for, e.g. the application using it (required)")
	scope := fs.String("scope", "", "predict or admin, or both comma-separated (required)")
	expires := fs.String("expires", "", "stop working after this long, e.g. 90d or 12h (default: never)")
	asJSON := fs.Bool("json", false, "print JSON (with the secret)")
	if err := m.parseNoArgs(fs, keysCreateDoc, args, ""); err != nil {
		return err
	}
	if *name == "" || *scope == "" {
		return usageError{errors.New("keys create: --name and --scope are required (see --help)")}
	}
	scopes, err := registry.ParseScopes(*scope)
	if err != nil {
		return usageError{fmt.Errorf("keys create: %w", err)}
	}
	var exp time.Time
	if *expires != "" {
		d, err := registry.ParseAge(*expires)
		if err != nil {
			return usageError{fmt.Errorf("keys create: --expires: %w", err)}
		}
		exp = time.Now().Add(d)
	}
	s, err := rf.open(ctx, m)
	if err != nil {
		return err
	}
	defer s.Close()
	k, secret, err := s.CreateKey(ctx, *name, scopes, exp, rf.actor(m))
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, struct {
			registry.Key
			Secret string `json:"secret"`
		}{k, secret})
	}
	fmt.Fprintln(m.Stdout, secret)
	fmt.Fprintf(m.Stderr, "created key %s (%s, scopes %s). The secret above is shown once: store it now.\n", k.ID, k.Name, registry.ScopeList(k.Scopes))
	return nil
}

var keysListDoc = helpDoc("keys-list")

func (m *Main) runKeysList(ctx context.Context, args []string) error {
	fs := m.newFlagSet(keysListDoc)
	var rf registryFlags
	rf.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := m.parseFlags(fs, keysListDoc, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{errors.New("keys list: takes no arguments")}
	}
	s, err := rf.open(ctx, m)
	if err != nil {
		return err
	}
	defer s.Close()
	keys, err := s.Keys(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, keys)
	}
	if len(keys) == 0 {
		fmt.Fprintln(m.Stderr, "no API keys (create one with osler keys create --name NAME --scope predict)")
		return nil
	}
	return registry.WriteKeys(m.Stdout, keys)
}

var keysRevokeDoc = helpDoc("keys-revoke")

func (m *Main) runKeysRevoke(ctx context.Context, args []string) error {
	fs := m.newFlagSet(keysRevokeDoc)
	var rf registryFlags
	rf.register(fs)
	pos, err := m.parseFlags(fs, keysRevokeDoc, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{errors.New("keys revoke: want the key's ID (see osler keys list)")}
	}
	s, err := rf.open(ctx, m)
	if err != nil {
		return err
	}
	defer s.Close()
	k, err := s.RevokeKey(ctx, pos[0], rf.actor(m))
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "revoked key %s (%s)\n", k.ID, k.Name)
	return nil
}
