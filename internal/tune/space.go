package tune

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Kind is the type of a [Param]: float, int, categorical or bool.
type Kind int

const (
	// Float is a real-valued parameter in [Low, High].
	Float Kind = iota + 1
	// Int is an integer parameter in [Low, High] on a grid of Step.
	Int
	// Categorical is one of a list of strings (Choices).
	Categorical
	// Bool is true or false.
	Bool
)

var kindNames = map[Kind]string{Float: "float", Int: "int", Categorical: "categorical", Bool: "bool"}

// String returns the kind's name as written in a space file.
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) {
	if _, ok := kindNames[k]; !ok {
		return nil, fmt.Errorf("unknown parameter type %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads "float", "int", "categorical" or "bool".
func (k *Kind) UnmarshalText(b []byte) error {
	for kind, name := range kindNames {
		if name == string(b) {
			*k = kind
			return nil
		}
	}
	return fmt.Errorf("unknown parameter type %q (want float, int, categorical or bool)", b)
}

// Param is one named dimension of a search [Space].
//
// Float and Int use Low and High (inclusive) and Log (sample uniformly in
// log space; needs Low > 0). Int also uses Step (default 1; with Log it
// must be 1). Categorical uses Choices. Bool uses nothing else.
type Param struct {
	Name    string   `json:"name"`
	Type    Kind     `json:"type"`
	Low     float64  `json:"low,omitempty"`
	High    float64  `json:"high,omitempty"`
	Log     bool     `json:"log,omitempty"`
	Step    float64  `json:"step,omitempty"`
	Choices []string `json:"choices,omitempty"`
}

// Space is an ordered list of parameters to search. Build one with
// [ParseSpace] or as a literal followed by [Space.Validate].
type Space struct {
	Params []Param `json:"params"`
}

// SpaceError is a problem with a search space: the file it came from (if
// any), the field ("params[1].low") and what to fix.
type SpaceError struct {
	File  string
	Line  int // 1-based; 0 when unknown
	Field string
	Msg   string
	Err   error // underlying error (e.g. from encoding/json), if any
}

// Error returns "file:line: field: msg".
func (e *SpaceError) Error() string {
	var b bytes.Buffer
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying error.
func (e *SpaceError) Unwrap() error { return e.Err }

// ParseSpace reads a JSON search space; name (usually the file name) is
// used in errors. The format is
//
//	{"params": [
//	  {"name": "lr", "type": "float", "low": 1e-4, "high": 1, "log": true},
//	  {"name": "epochs", "type": "int", "low": 1, "high": 20},
//	  {"name": "loss", "type": "categorical", "choices": ["hinge", "log"]},
//	  {"name": "balanced", "type": "bool"}
//	]}
//
// Unknown fields are errors. The space is validated as by [Space.Validate].
func ParseSpace(data []byte, name string) (*Space, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Space
	if err := dec.Decode(&s); err != nil {
		return nil, jsonSpaceError(data, name, err)
	}
	if dec.More() {
		return nil, &SpaceError{File: name, Msg: "unexpected data after the space object; a file holds one JSON object"}
	}
	if err := s.Validate(); err != nil {
		var se *SpaceError
		if errors.As(err, &se) {
			se.File = name
		}
		return nil, err
	}
	return &s, nil
}

// jsonSpaceError turns an encoding/json error into a SpaceError with a line.
func jsonSpaceError(data []byte, name string, err error) error {
	e := &SpaceError{File: name, Err: err}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		e.Line = lineAt(data, syn.Offset)
		e.Msg = "invalid JSON: " + syn.Error()
	case errors.As(err, &typ):
		e.Line = lineAt(data, typ.Offset)
		e.Field = typ.Field
		e.Msg = fmt.Sprintf("got a JSON %s, want %s", typ.Value, typ.Type)
	default:
		e.Msg = "invalid space: " + err.Error()
	}
	return e
}

func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return 1 + bytes.Count(data[:off], []byte("\n"))
}

// Validate checks every parameter and fills in defaults (Int Step 1). Its
// errors are [*SpaceError] values naming the field.
func (s *Space) Validate() error {
	if len(s.Params) == 0 {
		return &SpaceError{Field: "params", Msg: "no parameters; list at least one"}
	}
	seen := make(map[string]int, len(s.Params))
	for i := range s.Params {
		p := &s.Params[i]
		field := fmt.Sprintf("params[%d]", i)
		if p.Name == "" {
			return &SpaceError{Field: field + ".name", Msg: "missing; give every parameter a name"}
		}
		field = fmt.Sprintf("params[%d] (%s)", i, p.Name)
		if j, dup := seen[p.Name]; dup {
			return &SpaceError{Field: field + ".name", Msg: fmt.Sprintf("duplicate of params[%d]; names must be unique", j)}
		}
		seen[p.Name] = i
		if err := p.validate(); err != nil {
			err.Field = field + "." + err.Field
			return err
		}
	}
	return nil
}

// validate checks one parameter; the error's Field is relative to it.
func (p *Param) validate() *SpaceError {
	bad := func(field, format string, args ...any) *SpaceError {
		return &SpaceError{Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	switch p.Type {
	case Float, Int:
		if len(p.Choices) > 0 {
			return bad("choices", "only categorical parameters have choices")
		}
		if math.IsNaN(p.Low) || math.IsInf(p.Low, 0) || math.IsNaN(p.High) || math.IsInf(p.High, 0) {
			return bad("low", "low and high must be finite numbers")
		}
		if p.Low > p.High {
			return bad("high", "%g is below low (%g); want low <= high", p.High, p.Low)
		}
		if p.Log && p.Low <= 0 {
			return bad("low", "%g must be > 0 for a log-scale parameter", p.Low)
		}
		if p.Type == Float {
			if p.Step != 0 {
				return bad("step", "only int parameters have a step")
			}
			return nil
		}
		if p.Step == 0 {
			p.Step = 1
		}
		if p.Low != math.Trunc(p.Low) || p.High != math.Trunc(p.High) {
			return bad("low", "int bounds must be whole numbers (got %g, %g)", p.Low, p.High)
		}
		if p.Step < 1 || p.Step != math.Trunc(p.Step) {
			return bad("step", "%g must be a whole number >= 1", p.Step)
		}
		if p.Log && p.Step != 1 {
			return bad("step", "a log-scale int parameter must have step 1 (got %g)", p.Step)
		}
	case Categorical:
		if p.Low != 0 || p.High != 0 || p.Log || p.Step != 0 {
			return bad("type", "categorical parameters take only choices (no low, high, log or step)")
		}
		if len(p.Choices) == 0 {
			return bad("choices", "missing; list at least one choice")
		}
		seen := map[string]bool{}
		for _, c := range p.Choices {
			if seen[c] {
				return bad("choices", "duplicate choice %q", c)
			}
			seen[c] = true
		}
	case Bool:
		if p.Low != 0 || p.High != 0 || p.Log || p.Step != 0 || len(p.Choices) > 0 {
			return bad("type", "bool parameters take no low, high, log, step or choices")
		}
	case 0:
		return bad("type", "missing; want float, int, categorical or bool")
	default:
		return bad("type", "unknown type %d", int(p.Type))
	}
	return nil
}

// Param returns the parameter called name.
func (s *Space) Param(name string) (Param, bool) {
	for _, p := range s.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}
