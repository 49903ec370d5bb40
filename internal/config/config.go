// Package config holds Osler's settings as small structs, one per concern
// (today [LLM]; other parts add their own), each with a Default and a
// Validate. Settings are layered, later layers winning:
//
//  1. defaults (Default),
//  2. a JSON config file ([ReadFile], one top-level object per section,
//     e.g. {"llm": {...}}),
//  3. environment variables (e.g. [LLM.ApplyEnv]),
//  4. command-line flags (registered by the commands that use a section).
//
// main builds the structs once and passes them down; nothing here reads the
// environment or the disk on its own.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// FieldError is an invalid setting: which one, where it came from, and what
// is expected. Values of secret settings are never included.
type FieldError struct {
	// Field is the setting as the user wrote it: a JSON path
	// ("llm.timeout"), an environment variable or a flag.
	Field string
	// Value is the rejected value ("" for secrets).
	Value string
	// Msg says what is expected.
	Msg string
	// Source is the config file, when the setting came from one.
	Source string
}

func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString("config: ")
	if e.Source != "" {
		b.WriteString(e.Source + ": ")
	}
	b.WriteString(e.Field)
	if e.Value != "" {
		fmt.Fprintf(&b, " = %q", e.Value)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// Duration is a time.Duration that reads and writes JSON as a Go duration
// string ("90s", "2m") or a number of seconds.
type Duration time.Duration

// ParseDuration reads "90s", "1m30s" or a plain number of seconds ("90",
// "0.5").
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f < 0 || f > float64(1<<62)/float64(time.Second) {
			return 0, errors.New("out of range")
		}
		return Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New(`want a duration such as "90s" or "2m", or a number of seconds`)
	}
	return Duration(d), nil
}

// MarshalJSON writes the duration as a string ("1m30s").
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a duration string or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var f float64
		if err := json.Unmarshal(b, &f); err != nil {
			return errors.New(`want a duration such as "90s" or a number of seconds`)
		}
		s = strconv.FormatFloat(f, 'f', -1, 64)
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// String formats like time.Duration.
func (d Duration) String() string { return time.Duration(d).String() }

// File is a parsed config file: a JSON object whose top-level keys are
// sections ("llm", ...). Each part of Osler decodes its own section, so
// sections can be added without touching the others.
type File struct {
	// Path is the file as given.
	Path     string
	sections map[string]json.RawMessage
}

// ReadFile reads a config file.
func ReadFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return ParseFile(path, b)
}

// ParseFile parses config file contents; path is used in errors only.
func ParseFile(path string, b []byte) (*File, error) {
	f := &File{Path: path}
	b = bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
	if err := json.Unmarshal(b, &f.sections); err != nil {
		return nil, fmt.Errorf("config: %s: %s (the file is one JSON object with a key per section, e.g. {\"llm\": {\"url\": \"http://127.0.0.1:8000/v1\"}})", path, jsonError(b, err))
	}
	return f, nil
}

// Has reports whether the file has a section.
func (f *File) Has(section string) bool {
	_, ok := f.sections[section]
	return ok
}

// Decode decodes a section into v, which holds the values of the earlier
// layers: keys the section sets replace them, the others stay. Unknown keys
// are errors (a misspelt setting must not be silently ignored). A missing
// section leaves v alone.
func (f *File) Decode(section string, v any) error {
	raw, ok := f.sections[section]
	if !ok {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &FieldError{Source: f.Path, Field: section + "." + te.Field, Msg: "want " + kindName(te.Type)}
		}
		msg := jsonError(raw, err)
		if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return &FieldError{Source: f.Path, Field: section + "." + strings.Trim(field, `"`), Msg: "unknown setting (check the spelling; see the command's --help for the settings)"}
		}
		if key, kerr := failingKey(raw, v); key != "" {
			return &FieldError{Source: f.Path, Field: section + "." + key, Msg: strings.TrimPrefix(kerr.Error(), "json: ")}
		}
		return fmt.Errorf("config: %s: section %q: %s", f.Path, section, msg)
	}
	if dec.More() {
		return fmt.Errorf("config: %s: section %q: unexpected data after the object", f.Path, section)
	}
	return nil
}

// kindName says what a JSON value of type t looks like.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	}
	return "an object"
}

// failingKey finds which key of a JSON object fails to decode into a fresh
// value of v's type, for errors (from custom decoders) that do not name it.
func failingKey(raw json.RawMessage, v any) (string, error) {
	var obj map[string]json.RawMessage
	t := reflect.TypeOf(v)
	if json.Unmarshal(raw, &obj) != nil || t.Kind() != reflect.Pointer {
		return "", nil
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		one, _ := json.Marshal(map[string]json.RawMessage{k: obj[k]})
		if err := json.Unmarshal(one, reflect.New(t.Elem()).Interface()); err != nil {
			return k, err
		}
	}
	return "", nil
}

// jsonError describes a JSON error with the line it is on.
func jsonError(b []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(b[:min(int(se.Offset), len(b))], []byte{'\n'})
		return fmt.Sprintf("line %d: %s", line, strings.TrimPrefix(se.Error(), "json: "))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "the JSON ends too early"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// DecodeFileSection decodes section of the config file at path into v;
// an empty path leaves v alone (no config file given).
func DecodeFileSection(path, section string, v any) error {
	if path == "" {
		return nil
	}
	f, err := ReadFile(path)
	if err != nil {
		return err
	}
	return f.Decode(section, v)
}
