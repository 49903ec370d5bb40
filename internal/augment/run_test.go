package augment

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/config"
)

func TestReportText(t *testing.T) {
	r := &Result{Asked: 10, Generated: 8, Kept: 5, Calls: 2, Retries: 1, Malformed: 1, Dropped: Dropped{TooShort: 2, Guard: 1}}
	var b strings.Builder
	if err := r.Report("fall", "out.jsonl").WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "augment \"fall\": asked 10, generated 8, kept 5, written to out.jsonl\ndropped 3: too short 2, guard 1\n2 calls, 1 retries, 1 malformed replies, 0 prompts given up\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestRunRequiresFlags(t *testing.T) {
	for flag, o := range map[string]RunOptions{
		"--train": {Options: Options{Label: "fall", N: 1}, Out: "o"},
		"--label": {Options: Options{N: 1}, TrainPath: "t", Out: "o"},
		"--out":   {Options: Options{Label: "fall", N: 1}, TrainPath: "t"},
	} {
		_, err := Run(context.Background(), o)
		var oe *config.OptionError
		if !errors.As(err, &oe) || !strings.Contains(err.Error(), flag) {
			t.Errorf("without %s: %v", flag, err)
		}
	}
}
