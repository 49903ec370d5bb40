package tune

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
)

// Value is one parameter's value: a number (float and int parameters), a
// string (categorical) or a bool. The zero Value is the number 0.
type Value struct {
	kind valueKind
	num  float64
	str  string
}

type valueKind uint8

const (
	numberValue valueKind = iota
	stringValue
	boolValue
)

// Num returns a numeric Value.
func Num(f float64) Value { return Value{kind: numberValue, num: f} }

// Str returns a categorical Value.
func Str(s string) Value { return Value{kind: stringValue, str: s} }

// BoolValue returns a bool Value.
func BoolValue(b bool) Value {
	if b {
		return Value{kind: boolValue, num: 1}
	}
	return Value{kind: boolValue}
}

// Float returns a number's value (0 for strings; 0 or 1 for bools).
func (v Value) Float() float64 { return v.num }

// Int returns a number rounded to the nearest integer.
func (v Value) Int() int { return int(math.Round(v.num)) }

// Bool reports whether a bool Value is true.
func (v Value) Bool() bool { return v.kind == boolValue && v.num != 0 }

// String returns a categorical value's choice, or the value formatted.
func (v Value) String() string {
	switch v.kind {
	case stringValue:
		return v.str
	case boolValue:
		return strconv.FormatBool(v.Bool())
	}
	return strconv.FormatFloat(v.num, 'g', -1, 64)
}

// MarshalJSON writes a JSON number, string or bool.
func (v Value) MarshalJSON() ([]byte, error) {
	switch v.kind {
	case stringValue:
		return json.Marshal(v.str)
	case boolValue:
		return json.Marshal(v.Bool())
	}
	return json.Marshal(v.num)
}

// UnmarshalJSON reads a JSON number, string or bool.
func (v *Value) UnmarshalJSON(b []byte) error {
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	switch x := x.(type) {
	case float64:
		*v = Num(x)
	case string:
		*v = Str(x)
	case bool:
		*v = BoolValue(x)
	default:
		return fmt.Errorf("parameter value %s: want a number, string or bool", b)
	}
	return nil
}

// Assignment gives each parameter of a [Space] its value, by name.
type Assignment map[string]Value

// Float returns the value of a float (or int) parameter; 0 if absent.
func (a Assignment) Float(name string) float64 { return a[name].Float() }

// Int returns the value of an int parameter; 0 if absent.
func (a Assignment) Int(name string) int { return a[name].Int() }

// String returns the choice of a categorical parameter; "" if absent.
func (a Assignment) String(name string) string {
	if v, ok := a[name]; ok {
		return v.String()
	}
	return ""
}

// Bool returns the value of a bool parameter; false if absent.
func (a Assignment) Bool(name string) bool { return a[name].Bool() }

// Clone returns a copy of a.
func (a Assignment) Clone() Assignment { return maps.Clone(a) }

// Format writes the assignment as "name=value ..." in name order.
func (a Assignment) Format() string {
	var s string
	for i, k := range slices.Sorted(maps.Keys(a)) {
		if i > 0 {
			s += " "
		}
		s += k + "=" + a[k].String()
	}
	return s
}

// Check reports whether a gives every parameter of s a valid value (in
// bounds, on the step grid, one of the choices) and nothing else.
func (s *Space) Check(a Assignment) error {
	for _, p := range s.Params {
		v, ok := a[p.Name]
		if !ok {
			return fmt.Errorf("parameter %s: missing", p.Name)
		}
		if err := p.check(v); err != nil {
			return fmt.Errorf("parameter %s: %w", p.Name, err)
		}
	}
	if len(a) != len(s.Params) {
		for k := range a {
			if _, ok := s.Param(k); !ok {
				return fmt.Errorf("parameter %s: not in the space", k)
			}
		}
	}
	return nil
}

func (p Param) check(v Value) error {
	switch p.Type {
	case Float, Int:
		if v.kind != numberValue {
			return fmt.Errorf("%s is not a number", v)
		}
		if v.num < p.Low || v.num > p.High {
			return fmt.Errorf("%g is outside [%g, %g]", v.num, p.Low, p.High)
		}
		if p.Type == Int && math.Mod(v.num-p.Low, p.Step) != 0 {
			return fmt.Errorf("%g is not low %g plus a multiple of step %g", v.num, p.Low, p.Step)
		}
	case Categorical:
		if v.kind != stringValue || !slices.Contains(p.Choices, v.str) {
			return fmt.Errorf("%s is not one of %q", v, p.Choices)
		}
	case Bool:
		if v.kind != boolValue {
			return fmt.Errorf("%s is not a bool", v)
		}
	}
	return nil
}

// The samplers work in internal coordinates: numeric parameters as a real
// number (the log of the value for log-scale ones), categorical and bool
// parameters as a choice index.

// numeric reports whether p is sampled as a real number.
func (p Param) numeric() bool { return p.Type == Float || p.Type == Int }

// nChoices is the number of choices of a categorical or bool parameter.
func (p Param) nChoices() int {
	if p.Type == Bool {
		return 2
	}
	return len(p.Choices)
}

// choice returns the Value of choice i of a categorical or bool parameter.
func (p Param) choice(i int) Value {
	if p.Type == Bool {
		return BoolValue(i == 1)
	}
	return Str(p.Choices[i])
}

// index returns the choice index of v, or -1.
func (p Param) index(v Value) int {
	if p.Type == Bool {
		if v.kind != boolValue {
			return -1
		}
		return int(v.num)
	}
	if v.kind != stringValue {
		return -1
	}
	return slices.Index(p.Choices, v.str)
}

// bounds returns the internal interval a numeric parameter is sampled
// from. An int's interval is widened by half a step each side so that
// rounding gives every grid point the same share, as in Optuna.
func (p Param) bounds() (lo, hi float64) {
	lo, hi = p.Low, p.High
	if p.Type == Int {
		lo, hi = lo-p.Step/2, hi+p.Step/2
	}
	if p.Log {
		return math.Log(lo), math.Log(hi)
	}
	return lo, hi
}

// internal maps a numeric value to internal coordinates.
func (p Param) internal(v Value) float64 {
	if p.Log {
		return math.Log(v.num)
	}
	return v.num
}

// external maps internal coordinates to a valid value: back from log
// space, onto the step grid for ints, and clamped to [Low, High].
func (p Param) external(x float64) Value {
	if p.Log {
		x = math.Exp(x)
	}
	if p.Type == Int {
		x = p.Low + math.Round((x-p.Low)/p.Step)*p.Step
		for x > p.High {
			x -= p.Step
		}
	}
	return Num(min(max(x, p.Low), p.High))
}
