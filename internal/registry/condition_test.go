package registry

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

const sampleMetrics = `{
	"dev":  {"micro": {"f1": 0.83, "precision": 0.9}, "macro": {"f1": 0.79}, "accuracy": 0.91,
	         "per_label": [{"label": "heart failure", "f1": 0.7}, {"label": "sepsis", "f1": 0.95}],
	         "roc_auc": null, "converged": true},
	"test": {"micro": {"f1": 0.81}, "rouge-l": 0.42},
	"f1": 0.8
}`

func TestFlattenMetrics(t *testing.T) {
	m, err := FlattenMetrics(json.RawMessage(sampleMetrics))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"dev.micro.f1": 0.83, "dev.macro.f1": 0.79, "dev.accuracy": 0.91,
		"dev.per_label.0.f1": 0.7, "dev.per_label.heart failure.f1": 0.7, "dev.per_label.sepsis.f1": 0.95,
		"dev.converged": 1, "test.micro.f1": 0.81, "test.rouge-l": 0.42, "f1": 0.8,
	}
	for k, v := range want {
		if got, ok := m[k]; !ok || got != v {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	if _, ok := m["dev.roc_auc"]; ok {
		t.Error("a null metric was given a value")
	}
	if _, err := FlattenMetrics(json.RawMessage(`[1,2]`)); err == nil {
		t.Error("an array was accepted as metrics")
	}
	if m, err := FlattenMetrics(nil); err != nil || len(m) != 0 {
		t.Errorf("empty metrics: %v %v", m, err)
	}
}

func TestConditionEval(t *testing.T) {
	m, _ := FlattenMetrics(json.RawMessage(sampleMetrics))
	cases := []struct {
		cond string
		want bool
	}{
		{"f1>=0.80", true},
		{"f1>=0.81", false},
		{"f1 > 0.8", false},
		{"dev.micro.f1 > 0.8 && dev.macro.f1>=0.81", false},
		{"dev.micro.f1 > 0.8 && dev.macro.f1>=0.79", true},
		{"dev.micro.f1 > 0.9 || test.micro.f1 >= 0.81", true},
		{"dev.micro.f1>=0.8, test.micro.f1>=0.8", true},
		{"dev.micro.f1 >= 0.8 and not test.micro.f1 < 0.8", true},
		{"!(macro.f1 >= 0.8)", true},
		{"0.8 <= micro.precision", true},
		{"0.95 < micro.precision", false},
		{"accuracy >= 91%", true},
		{"accuracy == 0.91", true},
		{"accuracy = 0.91", true},
		{"accuracy != 0.91", false},
		{"rouge-l >= 0.4", true},
		{`dev.per_label."heart failure".f1 < 0.75`, true},
		{"per_label.sepsis.f1 >= 0.9", true},
		{"converged == 1", true},
		{"dev.micro.f1 >= 8e-1", true},
		{"(f1 >= 0.9 || dev.accuracy > 0.9) && test.micro.f1 > 0.5", true},
	}
	for _, c := range cases {
		t.Run(c.cond, func(t *testing.T) {
			cond, err := ParseCondition(c.cond)
			if err != nil {
				t.Fatal(err)
			}
			got, err := cond.Eval(m)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("%s = %v, want %v (%s)", c.cond, got, c.want, cond.Explain(m))
			}
		})
	}
}

func TestConditionErrors(t *testing.T) {
	m, _ := FlattenMetrics(json.RawMessage(sampleMetrics))
	parse := []struct{ cond, want string }{
		{"", "empty condition"},
		{"f1", "expected a comparison"},
		{"f1 >=", "expected a number"},
		{">= 0.8", "expected a metric name"},
		{"f1 >= 0.8 &&", "ends early"},
		{"(f1 >= 0.8", "expected )"},
		{"f1 >= 0.8)", "unexpected )"},
		{"f1 >= abc", "compare a metric with a number"},
		{"0.1 < 0.2", "not two numbers"},
		{"f1 >= 0.8.1", "not a number"},
		{"f1 ~ 0.8", "unexpected character"},
		{`"unterminated >= 1`, "unterminated"},
	}
	for _, c := range parse {
		t.Run("parse "+c.cond, func(t *testing.T) {
			_, err := ParseCondition(c.cond)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
	eval := []struct{ cond, want string }{
		{"f2 >= 0.8", `unknown metric "f2"; available: dev.accuracy`},
		{"micro.f1 >= 0.8", "ambiguous: it could be dev.micro.f1 or test.micro.f1"},
		{"dev.roc_auc >= 0.8", `unknown metric "dev.roc_auc"`},
		// An unknown metric is reported even when the other side decides.
		{"f1 >= 0.5 || typo > 1", `unknown metric "typo"`},
	}
	for _, c := range eval {
		t.Run("eval "+c.cond, func(t *testing.T) {
			cond, err := ParseCondition(c.cond)
			if err != nil {
				t.Fatal(err)
			}
			_, err = cond.Eval(m)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
	cond, _ := ParseCondition("x > 1")
	if _, err := cond.Eval(Metrics{}); err == nil || !strings.Contains(err.Error(), "no metrics") {
		t.Fatalf("no metrics: %v", err)
	}
}

func TestConditionExplainAndString(t *testing.T) {
	m, _ := FlattenMetrics(json.RawMessage(sampleMetrics))
	cond, _ := ParseCondition("  f1>=0.80 && dev.macro.f1 > 0.81 ")
	if cond.String() != "f1>=0.80 && dev.macro.f1 > 0.81" {
		t.Fatalf("String = %q", cond.String())
	}
	if got := cond.Explain(m); got != "f1 = 0.8, dev.macro.f1 = 0.79" {
		t.Fatalf("Explain = %q", got)
	}
	if got := strings.Join(cond.Metrics(), ","); got != "f1,dev.macro.f1" {
		t.Fatalf("Metrics = %q", got)
	}
}

func TestRegisterIf(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		s := b.openStore(t, t.TempDir(), nil)
		art := writeArtifact(t, sampleFiles)
		reg := func(cond string) error {
			c, err := ParseCondition(cond)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Register(t.Context(), Registration{Name: "m", Kind: KindClassifier, Artifact: art,
				Metrics: json.RawMessage(sampleMetrics), Condition: c, By: "ci"})
			return err
		}
		err := reg("dev.macro.f1 >= 0.81")
		if !errors.Is(err, ErrConditionNotMet) || !strings.Contains(err.Error(), "dev.macro.f1 = 0.79") {
			t.Fatalf("failing condition: %v", err)
		}
		if _, err := s.Resolve(t.Context(), Ref{Name: "m"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a version appeared although the condition failed: %v", err)
		}
		if err := reg("typo >= 1"); err == nil || errors.Is(err, ErrConditionNotMet) || !strings.Contains(err.Error(), "unknown metric") {
			t.Fatalf("unknown metric: %v", err)
		}
		if err := reg("dev.micro.f1 >= 0.8"); err != nil {
			t.Fatal(err)
		}
		entries, _ := s.Audit(t.Context(), AuditQuery{Action: ActionRegisterSkipped})
		if len(entries) != 1 || !strings.Contains(string(entries[0].Details), "dev.macro.f1 = 0.79") ||
			!strings.Contains(string(entries[0].Details), `"condition":"dev.macro.f1 >= 0.81"`) {
			t.Fatalf("skipped registration audit: %+v", entries)
		}
	})
}

func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{"f1>=0.80", "dev.micro.f1 > 0.8 && dev.macro.f1>=0.81", `a."b c".d != 1e-3`, "!(x<1)||y>=2%", "((", "a >= -.5"} {
		f.Add(s)
	}
	m := Metrics{"f1": 0.8, "dev.micro.f1": 0.85}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCondition(s)
		if err != nil {
			return
		}
		// Evaluation never panics, and the condition's own text parses to
		// a condition that decides the same way.
		got, err1 := c.Eval(m)
		c2, err := ParseCondition(c.String())
		if err != nil {
			t.Fatalf("String() %q does not parse: %v", c.String(), err)
		}
		got2, err2 := c2.Eval(m)
		if got != got2 || (err1 == nil) != (err2 == nil) {
			t.Fatalf("re-parsed condition decides differently")
		}
		// The canonical form parses back to itself.
		c3, err := ParseCondition(c.root.String())
		if err != nil {
			t.Fatalf("canonical form %q does not parse: %v", c.root.String(), err)
		}
		if c3.root.String() != c.root.String() {
			t.Fatalf("canonical form is not stable: %q -> %q", c.root.String(), c3.root.String())
		}
	})
}
