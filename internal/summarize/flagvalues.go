package summarize

import "fmt"

// The settings of a summarization run that take one of a few names are
// flag.Values, so a command line binds them into typed fields and a bad
// name is refused when the flags are parsed.

// String returns the chain's name.
func (k ChainKind) String() string { return string(k) }

// Set parses a chain name as [ParseChainKind] does.
func (k *ChainKind) Set(s string) error {
	v, err := ParseChainKind(s)
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// String returns the task's name.
func (t Task) String() string { return string(t) }

// Set parses a task name as [ParseTask] does.
func (t *Task) Set(s string) error {
	v, err := ParseTask(s)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// String returns the mode's name.
func (m VerifyMode) String() string { return string(m) }

// Set parses a verify mode as [ParseVerifyMode] does ("" is warn).
func (m *VerifyMode) Set(s string) error {
	v, err := ParseVerifyMode(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Unit is what chunk sizes and token_max are measured in.
type Unit string

// The units.
const (
	// UnitTokens measures in approximate model tokens ([ApproxTokens]).
	UnitTokens Unit = "tokens"
	// UnitChars measures in characters ([Chars]).
	UnitChars Unit = "chars"
)

// Counter returns the unit's [Counter]; the zero Unit counts tokens.
func (u Unit) Counter() Counter {
	if u == UnitChars {
		return Chars
	}
	return ApproxTokens
}

// String returns the unit's name.
func (u Unit) String() string { return string(u) }

// Set parses tokens or chars.
func (u *Unit) Set(s string) error {
	switch v := Unit(s); v {
	case UnitTokens, UnitChars:
		*u = v
		return nil
	}
	return fmt.Errorf("summarize: --length %q: want tokens or chars", s)
}
