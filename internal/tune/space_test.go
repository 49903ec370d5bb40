package tune

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSpace(t *testing.T) {
	good := `{"params": [
  {"name": "lr", "type": "float", "low": 1e-4, "high": 1, "log": true},
  {"name": "epochs", "type": "int", "low": 1, "high": 20},
  {"name": "loss", "type": "categorical", "choices": ["hinge", "log"]},
  {"name": "balanced", "type": "bool"}
]}`
	s, err := ParseSpace([]byte(good), "space.json")
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Param("epochs"); len(s.Params) != 4 || p.Step != 1 || p.Type != Int {
		t.Errorf("parsed %+v", s.Params)
	}
	for _, tc := range []struct{ name, json, want string }{
		{"syntax", "{\"params\": [\n{\"name\": }]}", "space.json:2: invalid JSON"},
		{"unknown field", `{"params": [{"name": "x", "type": "float", "hgh": 1}]}`, `space.json: invalid space: json: unknown field "hgh"`},
		{"type of field", `{"params": [{"name": "x", "type": "float", "low": "0"}]}`, "space.json:1: params.low: got a JSON string, want float64"},
		{"unknown type", `{"params": [{"name": "x", "type": "real"}]}`, `unknown parameter type "real"`},
		{"no params", `{"params": []}`, "space.json: params: no parameters"},
		{"no name", `{"params": [{"type": "bool"}]}`, "space.json: params[0].name: missing"},
		{"no type", `{"params": [{"name": "x"}]}`, "space.json: params[0] (x).type: missing; want float, int, categorical or bool"},
		{"duplicate", `{"params": [{"name": "x", "type": "bool"}, {"name": "x", "type": "bool"}]}`, "params[1] (x).name: duplicate of params[0]"},
		{"low > high", `{"params": [{"name": "x", "type": "float", "low": 2, "high": 1}]}`, "params[0] (x).high: 1 is below low (2)"},
		{"log low", `{"params": [{"name": "lr", "type": "float", "low": 0, "high": 1, "log": true}]}`, "params[0] (lr).low: 0 must be > 0 for a log-scale parameter"},
		{"int bounds", `{"params": [{"name": "n", "type": "int", "low": 0.5, "high": 3}]}`, "params[0] (n).low: int bounds must be whole numbers"},
		{"log step", `{"params": [{"name": "n", "type": "int", "low": 1, "high": 9, "log": true, "step": 2}]}`, "params[0] (n).step: a log-scale int parameter must have step 1"},
		{"float step", `{"params": [{"name": "x", "type": "float", "high": 1, "step": 0.1}]}`, "params[0] (x).step: only int parameters have a step"},
		{"no choices", `{"params": [{"name": "k", "type": "categorical"}]}`, "params[0] (k).choices: missing"},
		{"dup choice", `{"params": [{"name": "k", "type": "categorical", "choices": ["a", "a"]}]}`, `params[0] (k).choices: duplicate choice "a"`},
		{"bool bounds", `{"params": [{"name": "b", "type": "bool", "high": 1}]}`, "params[0] (b).type: bool parameters take no low"},
		{"trailing", `{"params": [{"name": "b", "type": "bool"}]} {}`, "unexpected data after the space object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSpace([]byte(tc.json), "space.json")
			var se *SpaceError
			if !errors.As(err, &se) {
				t.Fatalf("err %v (%T), want a *SpaceError", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %q\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestSpaceCheck(t *testing.T) {
	s := mixedSpace()
	a, _ := Random{}.Sample(&History{}, s, TrialRand(1, 0))
	for _, tc := range []struct {
		name string
		edit func(Assignment)
	}{
		{"out of bounds", func(a Assignment) { a["c"] = Num(4) }},
		{"off step", func(a Assignment) { a["epochs"] = Num(3) }},
		{"bad choice", func(a Assignment) { a["loss"] = Str("l2") }},
		{"wrong kind", func(a Assignment) { a["balanced"] = Num(1) }},
		{"missing", func(a Assignment) { delete(a, "lr") }},
		{"extra", func(a Assignment) { a["zz"] = Num(1) }},
	} {
		b := a.Clone()
		tc.edit(b)
		if err := s.Check(b); err == nil {
			t.Errorf("%s: Check(%s) passed", tc.name, b.Format())
		}
	}
}
