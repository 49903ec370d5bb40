package synth

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
)

// The vocabularies live in data/, one JSON file per kind (see the package
// documentation for the format). Each is decoded once, when its kind is
// first used; the package tests decode and exercise every file, so a
// mistake in one fails there and never reaches a user.
//
//go:embed data/*.json
var dataFiles embed.FS

// mustLoad decodes the embedded data file name ("nursing.json") into a
// new T. The files are part of the binary, so an error is a bug in this
// package, not a user's mistake: it panics, naming the file and the line.
func mustLoad[T any](name string) *T {
	b, err := dataFiles.ReadFile("data/" + name)
	if err != nil {
		panic(fmt.Sprintf("synth: embedded vocabulary data/%s: %v", name, err))
	}
	return mustDecode[T](name, b)
}

// mustDecode decodes b, the contents of data/name, into a new T and
// panics if it is corrupt.
func mustDecode[T any](name string, b []byte) *T {
	v := new(T)
	if err := decodeData(name, b, v); err != nil {
		panic("synth: corrupt embedded vocabulary " + err.Error())
	}
	return v
}

// decodeData decodes one JSON value from b into v, strictly: unknown keys,
// trailing data and, for types with a validate method, invalid content are
// errors, reported as "data/name:line:col: ..." where the decoder knows
// the place (syntax and type errors, trailing data) and "data/name: ..."
// otherwise (the message names the key).
func decodeData(name string, b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	off := errorOffset(err)
	if err == nil {
		end := dec.InputOffset()
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("unexpected data after the top-level value")
			off = end + int64(len(b[end:])-len(bytes.TrimLeft(b[end:], " \t\r\n")))
		}
	}
	if err != nil && off >= 0 {
		return fmt.Errorf("data/%s:%s: %w", name, position(b, off), err)
	}
	if err != nil {
		return fmt.Errorf("data/%s: %w", name, err)
	}
	if val, ok := v.(interface{ validate() error }); ok {
		if err := val.validate(); err != nil {
			return fmt.Errorf("data/%s: %w", name, err)
		}
	}
	return nil
}

// errorOffset returns the byte offset a decoding error points at, or -1
// when it does not say: the offending byte of a syntax error, the end of
// the value of a type error.
func errorOffset(err error) int64 {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return syntax.Offset - 1
	case errors.As(err, &typ):
		return typ.Offset
	}
	return -1
}

// position turns a byte offset of b into "line:col" (1-based).
func position(b []byte, off int64) string {
	off = min(max(off, 0), int64(len(b)))
	line := 1 + bytes.Count(b[:off], []byte{'\n'})
	col := off - int64(bytes.LastIndexByte(b[:off], '\n'))
	return fmt.Sprintf("%d:%d", line, col)
}

// requireLists returns an error naming the first slice field of the
// struct *v that is empty: the lists a generator picks from must not be.
// Fields named in optional may be empty.
func requireLists(what string, v any, optional ...string) error {
	rv := reflect.ValueOf(v).Elem()
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Type().Field(i)
		if f.Type.Kind() != reflect.Slice || rv.Field(i).Len() > 0 || slices.Contains(optional, f.Name) {
			continue
		}
		key := f.Name
		if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag != "" {
			key = tag
		}
		return fmt.Errorf("%s: %q is missing or empty", what, key)
	}
	return nil
}
