package classify

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/dataset"
)

// writeFile writes lines to a file in dir.
func writeFile(t *testing.T, dir, name string, lines ...string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// adeLines is a small, learnable binary dataset: rash-like words mean AE.
func adeLines(n int, offset int) []string {
	var out []string
	for i := 0; i < n; i++ {
		k := i + offset
		if k%3 == 0 {
			out = append(out, `{"id":"a`+itoa(k)+`","text":"Patient developed a rash and hives after dose `+itoa(k)+` of amoxicillin.","labels":["AE"]}`)
		} else {
			out = append(out, `{"id":"n`+itoa(k)+`","text":"Routine follow-up visit number `+itoa(k)+`, blood pressure stable.","labels":["none"]}`)
		}
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestFit(t *testing.T) {
	dir := t.TempDir()
	o := DefaultFitOptions()
	o.Train = writeFile(t, dir, "train.jsonl", adeLines(90, 0)...)
	o.Dev = writeFile(t, dir, "dev.jsonl", adeLines(30, 200)...)
	o.Test = writeFile(t, dir, "test.jsonl", adeLines(30, 400)...)
	o.Config.CGrid = []float64{1, 4}
	var notices bytes.Buffer
	o.Notices = &notices
	res, err := Fit(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(notices.String(), "mode: binary (inferred from "+o.Train) {
		t.Errorf("notices lack the inferred mode:\n%s", notices.String())
	}
	if res.Model.Mode() != dataset.ModeBinary || res.Model.PositiveLabel() != "AE" {
		t.Errorf("mode %s positive %q", res.Model.Mode(), res.Model.PositiveLabel())
	}
	if res.Metrics.Dev == nil || res.Metrics.Test == nil || res.Metrics.Test.Model.Accuracy < 0.99 {
		t.Fatalf("metrics %+v", res.Metrics)
	}
	for _, name := range []string{"metrics.json", "report.html", "report-dev.html"} {
		if len(res.Files[name]) == 0 {
			t.Errorf("no %s", name)
		}
	}
	md := res.Model.Metadata()
	if md.Data["train"].Records != 90 || md.Data["dev"].Records != 30 || len(md.Data["test"].SHA256) != 64 {
		t.Errorf("data %+v", md.Data)
	}
	written, err := res.Save(filepath.Join(dir, "model"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(written, ","); got != "model.json,weights.bin,SHA256SUMS,metrics.json,report.html,report-dev.html" {
		t.Errorf("written %s", got)
	}
	for _, name := range written {
		if _, err := os.Stat(filepath.Join(dir, "model", name)); err != nil {
			t.Error(err)
		}
	}
	var text bytes.Buffer
	if err := res.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"trained a binary classifier: 2 labels, 90 documents", "(best of 4 settings on dev)", "positive label: AE",
		"thresholds: dev", "dev (" + o.Dev + ", 30 documents), thresholds tuned on this file:", "test (" + o.Test + ", 30 documents):", "accuracy 1.0000"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
}

func TestFitValidationAndLexicon(t *testing.T) {
	dir := t.TempDir()
	train := adeLines(60, 0)
	dev := adeLines(30, 200)
	o := DefaultFitOptions()
	o.Train = writeFile(t, dir, "train.jsonl", train...)
	o.Dev = writeFile(t, dir, "dev.jsonl", append(dev, train[0])...) // leaks a training text
	_, err := Fit(context.Background(), o)
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Report.Errors == 0 || !strings.Contains(err.Error(), "validation found") {
		t.Fatalf("leakage: %v", err)
	}
	// --allow-leakage turns it into a warning, listed in the notices; a
	// lexicon's entries from a dev sentence (its drug and its effect) are
	// skipped.
	o.AllowLeakage = true
	o.Config.Mode = dataset.ModeBinary
	o.Lexicons = []string{writeFile(t, dir, "lex.jsonl",
		`{"text":"Patient developed a rash and hives after dose 201 of amoxicillin.","drug":"amoxicillin","effect":"rash"}`,
		`{"text":"Seizure after starting a new drug.","drug":"new drug","effect":"seizure"}`)}
	var notices bytes.Buffer
	o.Notices = &notices
	res, err := Fit(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"warning leakage", "lexicon " + o.Lexicons[0] + ": skipped 2 of 4 entries whose sentence is in " + o.Dev} {
		if !strings.Contains(notices.String(), want) {
			t.Errorf("notices lack %q:\n%s", want, notices.String())
		}
	}
	if strings.Contains(notices.String(), "inferred") {
		t.Error("a given mode is reported as inferred")
	}
	if res.Model.Metadata().Lexicon == nil {
		t.Error("no lexicon in the model")
	}
	// A bad setting fails before any data are read.
	o.Train = filepath.Join(dir, "missing.jsonl")
	o.Config.Loss = "hinge"
	if _, err := Fit(context.Background(), o); err == nil || !strings.Contains(err.Error(), `loss "hinge": want logistic or svm`) {
		t.Errorf("bad loss: %v", err)
	}
}

func TestOptionValues(t *testing.T) {
	var l Loss
	var w ClassWeight
	var nb NBScaling
	var m dataset.Mode
	for _, tc := range []struct {
		v    interface{ Set(string) error }
		good []string
		bad  string
	}{
		{&l, []string{"logistic", "svm"}, "hinge"},
		{&w, []string{"none", "balanced"}, "auto"},
		{&nb, []string{"auto", "on", "off"}, "yes"},
		{&m, []string{"binary", "multi-class", "multilabel", ""}, "regression"},
	} {
		for _, g := range tc.good {
			if err := tc.v.Set(g); err != nil {
				t.Errorf("Set(%q): %v", g, err)
			}
		}
		if err := tc.v.Set(tc.bad); err == nil {
			t.Errorf("Set(%q) accepted", tc.bad)
		}
	}
	if l != LossSVM || w != ClassWeightBalanced || nb != NBOff || m != "" {
		t.Errorf("values %q %q %q %q", l, w, nb, m)
	}
}

func TestFlagValues(t *testing.T) {
	cfg := DefaultTrainConfig(dataset.ModeBinary)
	ft := &cfg.Features
	if got := WordNgrams(ft).String() + " " + CharNgrams(ft).String() + " " + (*Normalization)(ft).String() + " " + (*CGrid)(&cfg.CGrid).String(); got != "1-2 2-5 lower,digits,units,deid 1,4,16" {
		t.Errorf("defaults read %q", got)
	}
	for _, tc := range []struct {
		v    interface{ Set(string) error }
		in   string
		want string // "" when it must fail
	}{
		{WordNgrams(ft), "1-3", "1-3"},
		{WordNgrams(ft), "0", "0"},
		{CharNgrams(ft), "3", "3"},
		{CharNgrams(ft), "5-2", ""},
		{CharNgrams(ft), "-1", ""},
		{(*Normalization)(ft), "lower, deid", "lower,deid"},
		{(*Normalization)(ft), "none", "none"},
		{(*Normalization)(ft), "stem", ""},
		{(*CGrid)(&cfg.CGrid), "0.5,2", "0.5,2"},
		{(*CGrid)(&cfg.CGrid), "1,-2", ""},
	} {
		err := tc.v.Set(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%T.Set(%q) accepted", tc.v, tc.in)
			}
			continue
		}
		if got := tc.v.(interface{ String() string }).String(); err != nil || got != tc.want {
			t.Errorf("%T.Set(%q): %q %v, want %q", tc.v, tc.in, got, err, tc.want)
		}
	}
	if ft.WordNgramMin != 0 || ft.CharNgramMin != 3 || ft.CharNgramMax != 3 || ft.Lowercase || ft.Deid || cfg.CGrid[0] != 0.5 {
		t.Errorf("bound fields %+v %v", ft, cfg.CGrid)
	}
	// A value that fails leaves the setting as it was.
	norm := (*Normalization)(ft)
	if err := norm.Set("lower,units"); err != nil {
		t.Fatal(err)
	}
	if err := norm.Set("lower,stem"); err == nil || norm.String() != "lower,units" {
		t.Errorf("failed Set: %v, left %q", err, norm.String())
	}
	var c FixedC
	if err := c.Set("auto"); err != nil || c.String() != "auto" {
		t.Errorf("auto: %v %q", err, c.String())
	}
	c.Apply(&cfg)
	if len(cfg.CGrid) != 2 {
		t.Error("auto dropped the grid")
	}
	if err := c.Set("0"); err == nil {
		t.Error("C 0 accepted")
	}
	if err := c.Set("2.5"); err != nil {
		t.Fatal(err)
	}
	c.Apply(&cfg)
	if cfg.C != 2.5 || cfg.CGrid != nil {
		t.Errorf("fixed C: %v %v", cfg.C, cfg.CGrid)
	}
}
