package coverage

import (
	"fmt"
	"strconv"
)

// FieldError is one problem in a rules file. Like encoding/csv's
// ParseError it says where (file, line, field path), and like
// litestream's ConfigValidationError it carries the offending value; it
// also says what to do. [Parse] returns every FieldError it finds, joined
// with errors.Join; errors.As finds the first.
type FieldError struct {
	File  string // the name given to Parse, or the path given to Load
	Line  int    // 1-based; 0 when unknown
	Field string // field path, e.g. "rules[2].coverage.pa_needed"; "" for the whole file
	Value string // the offending value as written; "" when missing
	Msg   string // what is wrong
	Hint  string // what to do about it
}

func (e *FieldError) Error() string {
	s := e.File
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	if e.Field != "" {
		s += ": " + e.Field
	}
	if e.Value != "" {
		s += fmt.Sprintf(": %q", e.Value)
	}
	s += ": " + e.Msg
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}
