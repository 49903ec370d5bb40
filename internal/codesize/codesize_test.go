package codesize

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// maxLines is the longest a non-test function may be, counted from the
// func keyword to the closing brace.
const maxLines = 150

// pendingSplit lists path prefixes (slash-separated, relative to the
// module root, with a trailing slash) whose long functions are being split
// in another branch and are not checked until it merges. It is empty: the
// test covers the whole module.
var pendingSplit []string

// allowed lists functions ("path:func", as reported) that may stay long,
// each with the reason. Keep it short: a long function is usually a type
// with one method per step waiting to be named, and a long table belongs
// in a data file.
var allowed = map[string]string{}

// longFunc is a function over the limit.
type longFunc struct {
	name  string // path:func
	lines int
}

func (f longFunc) String() string { return fmt.Sprintf("%s %d", f.name, f.lines) }

// TestFunctionLength walks the module and fails for every non-test
// function over maxLines lines that is not a data literal, allowed or
// under pendingSplit, listing each as "path:func lines", longest first.
func TestFunctionLength(t *testing.T) {
	root := moduleRoot(t)
	var long []longFunc
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(strings.TrimPrefix(path, root), string(filepath.Separator)))
		if d.IsDir() {
			if path != root && skipDir(path, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") || underPrefix(rel, pendingSplit) {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, lf := range longFuncs(fset, f, rel, maxLines) {
			if _, ok := allowed[lf.name]; !ok {
				long = append(long, lf)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(long, func(i, j int) bool {
		if long[i].lines != long[j].lines {
			return long[i].lines > long[j].lines
		}
		return long[i].name < long[j].name
	})
	if len(long) > 0 {
		var b strings.Builder
		for _, lf := range long {
			fmt.Fprintf(&b, "\n\t%s", lf)
		}
		t.Errorf("%d functions over %d lines (split them into steps, or move their data to a file):%s", len(long), maxLines, b.String())
	}
	for name := range allowed {
		t.Logf("allowed: %s (%s)", name, allowed[name])
	}
}

// moduleRoot finds the directory of go.mod above the test's directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

// skipDir reports directories the go tool ignores (testdata, hidden and
// underscore-prefixed ones) and nested modules.
func skipDir(path, name string) bool {
	if name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
		return true
	}
	_, err := os.Stat(filepath.Join(path, "go.mod"))
	return err == nil
}

// underPrefix reports whether rel starts with one of prefixes.
func underPrefix(rel string, prefixes []string) bool {
	return slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(rel, p) })
}

// longFuncs returns the functions of f over max lines that are not data
// literals: declared functions and methods ("path:Type.Method" for
// methods) and function literals assigned at package level ("path:var").
func longFuncs(fset *token.FileSet, f *ast.File, path string, max int) []longFunc {
	var out []longFunc
	check := func(name string, node ast.Node, body *ast.BlockStmt) {
		n := fset.Position(node.End()).Line - fset.Position(node.Pos()).Line + 1
		if n > max && !dataLiteral(body) {
			out = append(out, longFunc{name: path + ":" + name, lines: n})
		}
	}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Body != nil {
				check(funcName(d), d, d.Body)
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				vs, ok := spec.(*ast.ValueSpec)
				if !ok {
					continue
				}
				for i, v := range vs.Values {
					ast.Inspect(v, func(n ast.Node) bool {
						lit, ok := n.(*ast.FuncLit)
						if ok {
							check(vs.Names[min(i, len(vs.Names)-1)].Name, lit, lit.Body)
						}
						return !ok // the literal's own lines include what it holds
					})
				}
			}
		}
	}
	return out
}

// funcName is "Func" or "Type.Method".
func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name
	}
	typ := d.Recv.List[0].Type
	for {
		switch x := typ.(type) {
		case *ast.StarExpr:
			typ = x.X
			continue
		case *ast.IndexExpr:
			typ = x.X
			continue
		case *ast.IndexListExpr:
			typ = x.X
			continue
		case *ast.Ident:
			return x.Name + "." + d.Name.Name
		}
		return d.Name.Name
	}
}

// dataLiteral reports whether body only returns composite literals
// (possibly behind &): a table written as a function.
func dataLiteral(body *ast.BlockStmt) bool {
	if body == nil || len(body.List) != 1 {
		return false
	}
	ret, ok := body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) == 0 {
		return false
	}
	for _, r := range ret.Results {
		if u, ok := r.(*ast.UnaryExpr); ok && u.Op == token.AND {
			r = u.X
		}
		if _, ok := r.(*ast.CompositeLit); !ok {
			return false
		}
	}
	return true
}

// TestLongFuncsRule checks the rule on source parsed in memory: long code
// fails, a long data literal and a function at the limit do not, and a
// long function literal at package level counts as a function.
func TestLongFuncsRule(t *testing.T) {
	body := func(n int) string { return strings.Repeat("\tx++\n", n) }
	rows := func(n int) string { return strings.Repeat("\t\t{1, 2},\n", n) }
	src := "package p\n\n" +
		// 3 + 150 lines: over the limit.
		"func long() {\n\tx := 0\n" + body(150) + "}\n\n" +
		// exactly at the limit: 3 + 147 lines.
		"func atLimit() {\n\tx := 0\n" + body(147) + "}\n\n" +
		// a method over the limit.
		"func (s *S) step() {\n\tx := 0\n" + body(160) + "}\n\n" +
		// a data literal, much longer.
		"func table() [][2]int {\n\treturn [][2]int{\n" + rows(300) + "\t}\n}\n\n" +
		// the same data behind a variable is code.
		"func tableVar() [][2]int {\n\tt := [][2]int{\n" + rows(300) + "\t}\n\treturn t\n}\n\n" +
		// a function literal at package level.
		"var lazy = once(func() int {\n\tx := 0\n" + body(200) + "\treturn x\n})\n"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(longFuncs(fset, f, "internal/p/p.go", maxLines))
	want := "[internal/p/p.go:long 153 internal/p/p.go:S.step 163 internal/p/p.go:tableVar 305 internal/p/p.go:lazy 204]"
	if got != want {
		t.Errorf("long functions:\n got %s\nwant %s", got, want)
	}
}

// TestPendingSplit checks that each pendingSplit entry is a directory of
// the module written as "dir/" (so it skips that directory, not its
// namesakes), and which paths such prefixes skip.
func TestPendingSplit(t *testing.T) {
	root := moduleRoot(t)
	for _, p := range pendingSplit {
		fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(p)))
		if !strings.HasSuffix(p, "/") || err != nil || !fi.IsDir() {
			t.Errorf("pendingSplit entry %q is not a directory of the module written with a trailing slash", p)
		}
	}
	prefixes := []string{"cmd/osler/", "internal/registry/"}
	for path, want := range map[string]bool{
		"cmd/osler/train.go":          true,
		"internal/registry/models.go": true,
		"internal/synth/radiology.go": false,
		"cmd/oslerd/main.go":          false,
	} {
		if got := underPrefix(path, prefixes); got != want {
			t.Errorf("underPrefix(%q) = %v, want %v", path, got, want)
		}
	}
}

// maxCommandLines bounds cmd/osler, the command layer: it binds flags into
// the library's option structs and prints results; workflows, renderers
// and readers belong in internal/ where the server, CDS Hooks and batch
// engines reuse them (issue #10). Help prose is in cmd/osler/help/*.txt.
const maxCommandLines = 3500

// TestCommandSize counts the lines of cmd/osler's non-test Go files, as
// wc -l does, and fails over maxCommandLines, naming the largest files.
func TestCommandSize(t *testing.T) {
	dir := filepath.Join(moduleRoot(t), "cmd", "osler")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	type file struct {
		name  string
		lines int
	}
	var files []file
	total := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		n := strings.Count(string(b), "\n")
		files = append(files, file{e.Name(), n})
		total += n
	}
	if total > maxCommandLines {
		sort.Slice(files, func(i, j int) bool { return files[i].lines > files[j].lines })
		t.Errorf("cmd/osler has %d lines of non-test Go, over %d: move workflows into internal/ (largest: %v)", total, maxCommandLines, files[:min(5, len(files))])
	}
	t.Logf("cmd/osler: %d lines of non-test Go in %d files", total, len(files))
}
