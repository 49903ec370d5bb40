package registry

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestWriteVersion(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	v := Version{Model: "ade", Kind: KindClassifier, Version: 3, Status: StatusApproved, StatusBy: "user:ann", StatusAt: at,
		StatusNote: "ok\x1b[2J", Manifest: "abc", Files: 2, Bytes: 3 << 20,
		Metrics: json.RawMessage(`{"dev":{"f1":0.83,"accuracy":0.9}}`), Hyperparameters: json.RawMessage(`{"c":4}`),
		Data:   []DataRef{{Role: "train", SHA256: "def", Path: "train.jsonl", Records: 100, Stored: true}},
		Parent: &Ref{Name: "ade", Version: 2}, Description: "file\u202egnp", RegisteredBy: "user:bob", Created: at}
	man := Manifest{Files: []ManifestFile{{Path: "model.json", SHA256: "111", Bytes: 2048}, {Path: "weights.bin", SHA256: "222", Bytes: 3 << 20}}}
	var b strings.Builder
	if err := WriteVersion(&b, v, man); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"version      ade:3 (classifier)",
		"status       Approved by user:ann at 2026-03-01 09:30:00Z",
		`note         ok\x1b[2J`,
		`description  file\u202egnp`,
		"parent       ade:2",
		"artifact     2 files, 3.0 MiB, manifest sha256 abc",
		"  train  def  100 records  train.jsonl (stored)",
		"  dev.accuracy  0.9",
		"  dev.f1        0.83",
		"hyperparameters:\n  {\"c\":4}",
		"  model.json   2.0 KiB  111",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\x1b\u202e") {
		t.Errorf("raw control characters reach the terminal:\n%q", out)
	}
}

func TestMetricSummary(t *testing.T) {
	raw := json.RawMessage(`{"dev":{"accuracy":0.9,"loss":0.2,"f1":0.83,"per_label":{"a":{"f1":0.5}}},"test":{"rougeL":0.61234}}`)
	if got := MetricSummary(raw, 3); got != "dev.f1=0.83 test.rougeL=0.6123 dev.accuracy=0.9 ..." {
		t.Errorf("summary %q", got)
	}
	if got := MetricSummary(nil, 3); got != "-" {
		t.Errorf("no metrics: %q", got)
	}
}

func TestTablesAndParsers(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	var b strings.Builder
	WriteModels(&b, []Model{{Name: "m", Kind: KindSummarizer, Versions: 2, Latest: 2, Updated: at}})
	WriteKeys(&b, []Key{{ID: "k1", Name: "ehr\x07", Scopes: []Scope{ScopePredict, ScopeAdmin}, Created: at}})
	WriteAudit(&b, []AuditEntry{{Seq: 7, Time: at, Actor: "user:a", Action: "key.create", Details: json.RawMessage(`{"x":1}`)}})
	for _, want := range []string{"m     summarizer  2         2       -         2026-01-02 02:04:05Z", `ehr\x07`, "predict,admin", "7    2026-01-02 02:04:05Z  user:a  key.create  -       {\"x\":1}"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("tables lack %q:\n%s", want, b.String())
		}
	}
	for in, want := range map[string]time.Duration{"90d": 90 * 24 * time.Hour, "12h": 12 * time.Hour, "1h30m": 90 * time.Minute, "0.5d": 12 * time.Hour} {
		if got, err := ParseAge(in); err != nil || got != want {
			t.Errorf("ParseAge(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "-1d", "0h", "soon"} {
		if _, err := ParseAge(bad); err == nil {
			t.Errorf("ParseAge(%q) accepted", bad)
		}
	}
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	if got, err := ParseSince("7d", now); err != nil || !got.Equal(now.Add(-7*24*time.Hour)) {
		t.Errorf("7d: %v %v", got, err)
	}
	if got, err := ParseSince("2025-03-01", now); err != nil || got.Format("2006-01-02") != "2025-03-01" {
		t.Errorf("date: %v %v", got, err)
	}
	if _, err := ParseSince("yesterday", now); err == nil {
		t.Error("yesterday accepted")
	}
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 5 << 30: "5.0 GiB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q", n, got)
		}
	}
	if FormatTime(time.Time{}) != "-" {
		t.Error("zero time")
	}
}
