package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/osler-health/osler/internal/registry"
)

var auditDoc = helpDoc("audit")

func (m *Main) runAudit(ctx context.Context, args []string) error {
	fs := m.newFlagSet(auditDoc)
	var rf registryFlags
	rf.register(fs)
	since := fs.String("since", "", "only entries since then: 24h, 7d, or a time such as 2025-03-01")
	action := fs.String("action", "", `only this action, or a prefix ending in "." ("version.", "key.")`)
	target := fs.String("target", "", "only this target (a model name also matches its versions)")
	who := fs.String("actor", "", "only entries by this actor (user:NAME or key:ID)")
	limit := fs.Int("limit", 0, "only the newest N entries (0: all)")
	asJSON := fs.Bool("json", false, "print JSON lines, one entry per line")
	pos, err := m.parseFlags(fs, auditDoc, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{errors.New("audit: takes no arguments (see --help for filters)")}
	}
	q := registry.AuditQuery{Action: *action, Target: *target, Actor: *who, Limit: *limit}
	if *since != "" {
		if q.Since, err = registry.ParseSince(*since, time.Now()); err != nil {
			return usageError{fmt.Errorf("audit: --since: %w", err)}
		}
	}
	if *limit < 0 {
		return usageError{errors.New("audit: --limit must not be negative")}
	}
	s, err := rf.open(ctx, m)
	if err != nil {
		return err
	}
	defer s.Close()
	entries, err := s.Audit(ctx, q)
	if err != nil {
		return err
	}
	if *asJSON {
		for _, e := range entries {
			if err := writeJSONLine(m, e); err != nil {
				return err
			}
		}
		return nil
	}
	return registry.WriteAudit(m.Stdout, entries)
}

func writeJSONLine(m *Main, v any) error {
	enc := json.NewEncoder(m.Stdout)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
