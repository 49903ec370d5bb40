package main

import (
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestExamplesHaveOutput checks every Example function in the module has
// an "// Output:" comment, so go test runs it and compares what it prints:
// an example without one is only compiled, and its documented behaviour
// is never checked.
func TestExamplesHaveOutput(t *testing.T) {
	root := filepath.Join("..", "..")
	found := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		for _, ex := range doc.Examples(f) {
			found++
			if ex.Output == "" && !ex.EmptyOutput {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s: Example%s has no // Output: comment, so it is never run; print something checkable or make it a test",
					rel, exampleSuffix(ex))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 10 {
		t.Errorf("found %d examples in the module; the walk is not seeing the test files", found)
	}
}

// exampleSuffix is what follows "Example" in an example's function name.
func exampleSuffix(ex *doc.Example) string {
	if ex.Suffix == "" {
		return ex.Name
	}
	return ex.Name + "_" + ex.Suffix
}
