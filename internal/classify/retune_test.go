package classify

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/eval"
)

func TestRetune(t *testing.T) {
	dir := t.TempDir()
	o := DefaultFitOptions()
	o.Train = writeFile(t, dir, "train.jsonl", adeLines(90, 0)...)
	fit, err := Fit(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	dev := writeFile(t, dir, "dev.jsonl", adeLines(30, 200)...)
	test := writeFile(t, dir, "test.jsonl", adeLines(30, 400)...)
	target, _ := eval.ParseTarget("recall=0.9")
	res, err := Retune(context.Background(), fit.Model, RetuneOptions{Dev: dev, Test: test, Tune: TuneOptions{Target: target}, From: "m", FromSHA256: "abc"})
	if err != nil {
		t.Fatal(err)
	}
	md := res.Model.Metadata()
	if md.ThresholdTuning == nil || md.ThresholdTuning.From != "m" || md.Data["tune"].Records != 30 || md.Data["test"].Records != 30 || md.Data["train"].Records != 90 {
		t.Errorf("metadata: tuning %+v data %+v", md.ThresholdTuning, md.Data)
	}
	if res.Before == nil || res.BeforeTest == nil || res.Metrics.Dev == nil || res.Metrics.Test == nil || len(res.Files["metrics.json"]) == 0 {
		t.Fatalf("result %+v", res)
	}
	if err := res.Save(filepath.Join(dir, "tuned")); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(filepath.Join(dir, "tuned")); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"thresholds tuned for recall=0.9 on " + dev + " (30 documents), from m:", "AE ", "met", "\ndev: AE precision", "\ntest (" + test + ", 30 documents): AE precision"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}

	// A dev set without positives cannot reach the target: the table, no
	// model.
	noPos := writeFile(t, dir, "nopos.jsonl", adeLines(3, 1)[:2]...)
	res, err = Retune(context.Background(), fit.Model, RetuneOptions{Dev: noPos, Tune: TuneOptions{Target: target}, From: "m"})
	var ue *UnreachableTargetError
	if !errors.As(err, &ue) || res == nil || res.Model != nil || res.Tuning == nil {
		t.Fatalf("unreachable: %v %+v", err, res)
	}
	b.Reset()
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "thresholds NOT tuned") || !strings.Contains(b.String(), "(precision, recall and F1 at the current thresholds)") {
		t.Errorf("unreachable text:\n%s", b.String())
	}
}
