package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/osler-health/osler/internal/sharedtest"
)

// The dependency rules of Osler (in the spirit of tailscale's deptest),
// checked on the import graph `go list -deps -json` reports: which of the
// module's packages may import which, what the osler binary must and must
// not contain, and that it needs no cgo. Each violation names the import
// that broke the rule; TestDepRulesCanFail shows every rule firing.

// depLayer is one layer of the module's packages. A package may import the
// module's packages only from lower layers, and from its own layer when
// sameLayer is set. Packages are placed by the most specific pattern that
// matches them ("dir/..." matches dir and everything below it).
type depLayer struct {
	name      string
	patterns  []string
	sameLayer bool
}

// depLayers is "imports point inward" (docs/DEVELOPING.md): command ->
// app -> server -> domain -> foundation -> leaves.
var depLayers = []depLayer{
	// Leaves import no other package of the module. api is also held to
	// the standard library (depStdOnly).
	{name: "leaf", patterns: []string{"api", "internal/text", "internal/atomicfile", "internal/crypt", "internal/jsonstr",
		"internal/version", "internal/progress", "internal/sharedtest", "internal/goldentest", "internal/server/ui"}},
	// The foundations the domain packages share: the data layer and the
	// model interface every LLM backend implements.
	{name: "foundation", patterns: []string{"internal/dataset", "internal/llm"}},
	// Domain packages may import each other (Go rules out cycles) but
	// never the server or the commands.
	{name: "domain", patterns: []string{"internal/..."}, sameLayer: true},
	{name: "server", patterns: []string{"internal/server"}},
	// Workflows that run a server: the demo.
	{name: "app", patterns: []string{"internal/demo"}},
	{name: "command", patterns: []string{"cmd/..."}},
	// Scripts are standalone programs next to the product.
	{name: "script", patterns: []string{"scripts/..."}},
}

// depLayerRank orders the layers; command and script share the top, so
// neither imports the other.
var depLayerRank = map[string]int{"leaf": 0, "foundation": 1, "domain": 2, "server": 3, "app": 4, "command": 5, "script": 5}

// depStdOnly are module packages that may import only the standard
// library: the public wire types and client, which outsiders build with.
var depStdOnly = []string{"api"}

// depOnlyImportedBy restricts who may import a package (patterns as in
// depLayers), with why.
var depOnlyImportedBy = []struct {
	pkg, by, why string
}{
	{"internal/beamjob", "cmd/osler-batch", "the Beam pipelines link the Beam SDK; only the osler-batch binary may carry it"},
	{"internal/llm/openai", "internal/llm/backend", "backends are opened through llm/backend, so callers depend on the llm.Model interface only"},
	{"internal/llm/sagemaker", "internal/llm/backend", "backends are opened through llm/backend, so callers depend on the llm.Model interface only"},
}

// depTestOnly are packages only _test.go files may import.
var depTestOnly = []string{"internal/sharedtest", "internal/goldentest", "internal/llm/llmtest", "internal/registry/s3store/s3test", "internal/registry/pgtest"}

// depBinary is the package whose dependencies the binary rules check.
const depBinary = "cmd/osler"

// depRequired are packages the osler binary must contain, with why. They
// also show the listed graph is the real one.
var depRequired = map[string]string{
	"modernc.org/sqlite":         "the registry's SQLite driver must be pure Go so CGO_ENABLED=0 builds work",
	"golang.org/x/sync/errgroup": "worker pools cancel the rest of their work on the first failure",
}

// depBannedModules must not be in the osler binary, with why.
var depBannedModules = map[string]string{
	"github.com/mattn/go-sqlite3":           "a cgo SQLite driver; the registry uses pure-Go modernc.org/sqlite so CGO_ENABLED=0 builds work",
	"crawshaw.io/sqlite":                    "a cgo SQLite driver; the registry uses pure-Go modernc.org/sqlite",
	"github.com/yalue/onnxruntime_go":       "a heavy optional runtime (cgo); keep it behind a build tag",
	"github.com/chromedp/chromedp":          "drives a browser for the UI test; test-only",
	"github.com/chromedp/cdproto":           "the DevTools protocol for the UI test; test-only",
	"github.com/santhosh-tekuri/jsonschema": "validates openapi.json in tests; test-only",
	"github.com/johannesboyne/gofakes3":     "an in-process S3 for the object storage tests; test-only",
	"sigs.k8s.io/yaml":                      "reads the Kubernetes manifests under deploy/ in tests (deploy_test.go); test-only",
	"github.com/apache/beam":                "the Beam SDK (gRPC, protobuf, cloud clients) triples the binary and its build time; the pipelines are in cmd/osler-batch, which osler batch execs",
}

// depBannedPackages must not be in the osler binary, with why. "dir/..."
// bans dir and everything below it; the module's own packages are written
// relative to the module ("internal/sharedtest").
var depBannedPackages = map[string]string{
	"net/http/pprof":                   "registers debug handlers on http.DefaultServeMux, which a server must not expose",
	"expvar":                           "publishes process internals on http.DefaultServeMux",
	"testing/...":                      "the testing package in the binary: non-test code imports test support",
	"net/http/httptest":                "test servers belong in _test.go files",
	"internal/sharedtest":              "test support; only _test.go files may import it",
	"internal/goldentest":              "test support; only _test.go files may import it",
	"internal/llm/llmtest":             "fake models and servers; only _test.go files may import it",
	"internal/registry/s3store/s3test": "a fake S3; only _test.go files may import it",
	"internal/registry/pgtest":         "creates test databases; only _test.go files may import it",
}

// listedPackage is the part of `go list -json` the rules read.
type listedPackage struct {
	ImportPath string
	Standard   bool
	Imports    []string
	CgoFiles   []string
	Module     *struct{ Path string }
	Error      *struct{ Err string }
}

// depGraph is the import graph of the module's packages and everything
// they import, listed once with CGO_ENABLED=0 (what the binary is built
// with) and once with CGO_ENABLED=1 (to see which packages have cgo
// files that CGO_ENABLED=0 leaves out).
type depGraph struct {
	module string
	pkgs   map[string]*listedPackage // CGO_ENABLED=0
	cgo    map[string]*listedPackage // CGO_ENABLED=1
}

// rel returns p relative to the module ("internal/text"), or "" when p is
// not one of the module's packages.
func (g *depGraph) rel(p string) string {
	if p == g.module {
		return "."
	}
	if r, ok := strings.CutPrefix(p, g.module+"/"); ok {
		return r
	}
	return ""
}

// short writes module packages relative to the module, others as they are.
func (g *depGraph) short(p string) string {
	if r := g.rel(p); r != "" {
		return r
	}
	return p
}

// matchPattern reports whether rel matches pat ("dir/..." matches dir and
// everything below it) and how specific the match is.
func matchPattern(pat, rel string) (int, bool) {
	if base, ok := strings.CutSuffix(pat, "/..."); ok {
		return len(base), rel == base || strings.HasPrefix(rel, base+"/")
	}
	return len(pat) + 1, rel == pat // an exact pattern beats "dir/..." of the same dir
}

// layerOf returns the layer of a module package ("" when no pattern
// matches it).
func layerOf(rel string) string {
	best, layer := -1, ""
	for _, l := range depLayers {
		for _, pat := range l.patterns {
			if n, ok := matchPattern(pat, rel); ok && n > best {
				best, layer = n, l.name
			}
		}
	}
	return layer
}

// closure returns the packages root depends on, each with the import
// chain that brings it in (root first).
func closure(pkgs map[string]*listedPackage, root string) map[string][]string {
	chains := map[string][]string{root: {root}}
	queue := []string{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		lp := pkgs[p]
		if lp == nil {
			continue
		}
		for _, imp := range lp.Imports {
			if _, seen := chains[imp]; !seen {
				chains[imp] = append(slices.Clip(chains[p]), imp)
				queue = append(queue, imp)
			}
		}
	}
	return chains
}

// chain renders an import chain.
func (g *depGraph) chain(c []string) string {
	s := make([]string, len(c))
	for i, p := range c {
		s[i] = g.short(p)
	}
	return strings.Join(s, " -> ")
}

// sortedKeys returns m's keys in order, so violations come out stable.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkDeps returns every violation of the rules in g, one message each.
func checkDeps(g *depGraph) []string {
	var v []string
	bad := func(format string, args ...any) { v = append(v, fmt.Sprintf(format, args...)) }

	// The module's own packages: layers, standard-library-only packages,
	// restricted importers, test support.
	for _, p := range sortedKeys(g.pkgs) {
		from := g.rel(p)
		if from == "" {
			continue
		}
		fromLayer := layerOf(from)
		if fromLayer == "" {
			bad("%s is in no layer of depLayers: place it (leaf, foundation, domain, server, command, script) so its imports can be checked", from)
			continue
		}
		for _, imp := range g.pkgs[p].Imports {
			to := g.rel(imp)
			if slices.Contains(depStdOnly, from) {
				if lp := g.pkgs[imp]; lp == nil || !lp.Standard {
					bad("%s imports %s: %s may import only the standard library (it is the public contract outsiders build with)", from, g.short(imp), from)
				}
			}
			if to == "" {
				continue
			}
			toLayer := layerOf(to)
			if r, ok := depLayerRank[toLayer]; ok && (r > depLayerRank[fromLayer] || r == depLayerRank[fromLayer] && !sameLayerOK(fromLayer)) {
				bad("%s (%s) imports %s (%s): a package may import only lower layers (leaf < foundation < domain < server < app < command)%s",
					from, fromLayer, to, toLayer, sameNote(fromLayer, toLayer))
			}
			for _, r := range depOnlyImportedBy {
				if _, ok := matchPattern(r.pkg, to); !ok {
					continue
				}
				if _, ok := matchPattern(r.by, from); !ok {
					bad("%s imports %s: only %s may (%s)", from, to, r.by, r.why)
				}
			}
			for _, t := range depTestOnly {
				if _, ok := matchPattern(t, to); ok {
					bad("%s imports %s in non-test code: it is test support, for _test.go files only", from, to)
				}
			}
		}
	}

	// The binary: required and banned modules and packages, no cgo, and a
	// clean CGO_ENABLED=0 build.
	root := g.module + "/" + depBinary
	if g.pkgs[root] == nil {
		bad("%s is not in the listed packages", depBinary)
		return v
	}
	in := closure(g.pkgs, root)
	modules := map[string][]string{} // module -> the chain to its first package
	for _, p := range sortedKeys(in) {
		if lp := g.pkgs[p]; lp != nil && lp.Module != nil {
			if _, ok := modules[lp.Module.Path]; !ok {
				modules[lp.Module.Path] = in[p]
			}
		}
	}
	for _, p := range sortedKeys(depRequired) {
		if _, ok := in[p]; !ok {
			bad("osler does not import %s: %s", p, depRequired[p])
		}
	}
	for _, m := range sortedKeys(modules) {
		for _, banned := range sortedKeys(depBannedModules) {
			if m == banned || strings.HasPrefix(m, banned+"/") {
				bad("osler imports module %s (%s): %s", m, g.chain(modules[m]), depBannedModules[banned])
			}
		}
	}
	for _, p := range sortedKeys(in) {
		for _, banned := range sortedKeys(depBannedPackages) {
			if _, ok := matchPattern(banned, g.short(p)); ok {
				bad("osler imports %s (%s): %s", g.short(p), g.chain(in[p]), depBannedPackages[banned])
			}
		}
		if lp := g.pkgs[p]; lp != nil && lp.Error != nil {
			bad("%s does not build with CGO_ENABLED=0 (%s): %s", g.short(p), g.chain(in[p]), lp.Error.Err)
		}
	}
	// With cgo on, the standard library's net and os/user use it but have
	// pure-Go versions the CGO_ENABLED=0 build takes; any other package
	// with cgo files would lose them (or fail) in that build.
	cgoIn := closure(g.cgo, root)
	for _, p := range sortedKeys(cgoIn) {
		if lp := g.cgo[p]; lp != nil && !lp.Standard && len(lp.CgoFiles) > 0 {
			bad("osler imports %s (%s), which uses cgo (%s): the binary is built with CGO_ENABLED=0",
				g.short(p), g.chain(cgoIn[p]), strings.Join(lp.CgoFiles, ", "))
		}
	}
	return v
}

// sameLayerOK reports whether a layer's packages may import each other.
func sameLayerOK(layer string) bool {
	for _, l := range depLayers {
		if l.name == layer {
			return l.sameLayer
		}
	}
	return false
}

// sameNote explains a violation between packages of one layer.
func sameNote(from, to string) string {
	if from == to {
		return fmt.Sprintf(", and %s packages do not import each other", from)
	}
	return ""
}

var (
	depGraphOnce sync.Once
	depGraphVal  *depGraph
	depGraphErr  error
)

// goCommand finds the go command of the toolchain running the tests.
func goCommand(t *testing.T) string {
	t.Helper()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err == nil {
		return goBin
	}
	p, err := exec.LookPath("go")
	if err != nil {
		sharedtest.Missing(t, "the go command is needed to list dependencies (looked for %s and on PATH)", goBin)
	}
	return p
}

// loadDepGraph lists the module's packages and their dependencies once
// per test binary.
func loadDepGraph(t *testing.T) *depGraph {
	t.Helper()
	goBin := goCommand(t)
	depGraphOnce.Do(func() { depGraphVal, depGraphErr = listGraph(goBin, nil) })
	if depGraphErr != nil {
		t.Fatal(depGraphErr)
	}
	return depGraphVal
}

// listGraph runs go list in the module root, with extra flags (-overlay).
func listGraph(goBin string, flags []string) (*depGraph, error) {
	g := &depGraph{}
	out, err := goList(goBin, "0", "list", "-m", "-f", "{{.Path}}")
	if err != nil {
		return nil, err
	}
	g.module = strings.TrimSpace(string(out))
	if g.pkgs, err = listDeps(goBin, "0", flags, "./..."); err != nil {
		return nil, err
	}
	if g.cgo, err = listDeps(goBin, "1", flags, "./"+depBinary); err != nil {
		return nil, err
	}
	return g, nil
}

// goList runs the go command in the module root with CGO_ENABLED=cgo.
func goList(goBin, cgo string, args ...string) ([]byte, error) {
	cmd := exec.Command(goBin, args...)
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED="+cgo)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out, nil
}

// listDeps lists pattern and its dependencies.
func listDeps(goBin, cgo string, flags []string, pattern string) (map[string]*listedPackage, error) {
	args := append([]string{"list", "-e", "-deps", "-json=ImportPath,Standard,Imports,CgoFiles,Module,Error"}, flags...)
	out, err := goList(goBin, cgo, append(args, pattern)...)
	if err != nil {
		return nil, err
	}
	pkgs := map[string]*listedPackage{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list: %v", err)
		}
		pkgs[p.ImportPath] = &p
	}
	if len(pkgs) < 50 {
		return nil, fmt.Errorf("go list %s listed only %d packages", pattern, len(pkgs))
	}
	return pkgs, nil
}

// TestDeps checks the dependency rules on the real import graph.
func TestDeps(t *testing.T) {
	g := loadDepGraph(t)
	for _, msg := range checkDeps(g) {
		t.Error(msg)
	}
	// Every layer pattern places at least one package, so a renamed
	// package cannot slip out of the rule meant for it.
	for _, l := range depLayers {
		for _, pat := range l.patterns {
			found := false
			for p := range g.pkgs {
				if r := g.rel(p); r != "" {
					if _, ok := matchPattern(pat, r); ok {
						found = true
						break
					}
				}
			}
			if !found {
				t.Errorf("layer %s: pattern %s matches no package of the module", l.name, pat)
			}
		}
	}
}

// clone copies g deeply enough to add and remove imports.
func (g *depGraph) clone() *depGraph {
	return &depGraph{module: g.module, pkgs: cloneListing(g.pkgs), cgo: cloneListing(g.cgo)}
}

func cloneListing(m map[string]*listedPackage) map[string]*listedPackage {
	c := make(map[string]*listedPackage, len(m))
	for k, p := range m {
		cp := *p
		cp.Imports = slices.Clone(p.Imports)
		c[k] = &cp
	}
	return c
}

// importPath is the import path of p as the rules write it: the module's
// listed packages relative to the module, others as they are.
func (g *depGraph) importPath(p string) string {
	if g.pkgs[g.module+"/"+p] != nil {
		return g.module + "/" + p
	}
	return p
}

// addImport makes from import to (import paths) in both listings,
// creating to as pkg when it is not listed yet.
func (g *depGraph) addImport(from, to string, pkg listedPackage) {
	for _, m := range []map[string]*listedPackage{g.pkgs, g.cgo} {
		if m[to] == nil {
			p := pkg
			p.ImportPath = to
			m[to] = &p
		}
		if m[from] != nil {
			m[from].Imports = append(m[from].Imports, to)
		}
	}
}

// dropImports removes every import of p (an import path).
func (g *depGraph) dropImports(p string) {
	for _, m := range []map[string]*listedPackage{g.pkgs, g.cgo} {
		for _, lp := range m {
			lp.Imports = slices.DeleteFunc(lp.Imports, func(s string) bool { return s == p })
		}
	}
}

// TestDepRulesCanFail breaks each rule on a copy of the real graph and
// checks the violation names the import that broke it.
func TestDepRulesCanFail(t *testing.T) {
	real := loadDepGraph(t)
	mp := func(rel string) string { return real.module + "/" + rel }
	std := listedPackage{Standard: true}
	mod := func(m string) listedPackage { return listedPackage{Module: &struct{ Path string }{m}} }
	type tc struct {
		name   string
		break_ func(g *depGraph)
		want   []string // each must appear in one violation
	}
	cases := []tc{
		{"leaf imports a module package", func(g *depGraph) { g.addImport(mp("internal/text"), mp("internal/dataset"), listedPackage{}) },
			[]string{"internal/text (leaf) imports internal/dataset (foundation)"}},
		{"leaves import each other", func(g *depGraph) { g.addImport(mp("internal/atomicfile"), mp("internal/jsonstr"), listedPackage{}) },
			[]string{"internal/atomicfile (leaf) imports internal/jsonstr (leaf)", "leaf packages do not import each other"}},
		{"llm imports a backend", func(g *depGraph) { g.addImport(mp("internal/llm"), mp("internal/llm/openai"), listedPackage{}) },
			[]string{"internal/llm (foundation) imports internal/llm/openai (domain)"}},
		{"dataset imports a domain package", func(g *depGraph) { g.addImport(mp("internal/dataset"), mp("internal/eval"), listedPackage{}) },
			[]string{"internal/dataset (foundation) imports internal/eval (domain)"}},
		{"domain imports server", func(g *depGraph) { g.addImport(mp("internal/classify"), mp("internal/server"), listedPackage{}) },
			[]string{"internal/classify (domain) imports internal/server (server)"}},
		{"server imports cmd", func(g *depGraph) { g.addImport(mp("internal/server"), mp("cmd/osler"), listedPackage{}) },
			[]string{"internal/server (server) imports cmd/osler (command)"}},
		{"domain imports cmd", func(g *depGraph) { g.addImport(mp("internal/summarize"), mp("cmd/osler"), listedPackage{}) },
			[]string{"internal/summarize (domain) imports cmd/osler (command)"}},
		{"cmd imports a script", func(g *depGraph) { g.addImport(mp("cmd/osler"), mp("scripts/loadgen"), listedPackage{}) },
			[]string{"cmd/osler (command) imports scripts/loadgen (script)"}},
		{"api imports a third-party package", func(g *depGraph) { g.addImport(mp("api"), "golang.org/x/sync/errgroup", listedPackage{}) },
			[]string{"api imports golang.org/x/sync/errgroup: api may import only the standard library"}},
		{"api imports an internal package", func(g *depGraph) { g.addImport(mp("api"), mp("internal/text"), listedPackage{}) },
			[]string{"api imports internal/text: api may import only the standard library", "api (leaf) imports internal/text (leaf)"}},
		{"a backend is imported outside llm/backend", func(g *depGraph) {
			g.addImport(mp("internal/summarize"), mp("internal/llm/sagemaker"), listedPackage{})
		},
			[]string{"internal/summarize imports internal/llm/sagemaker: only internal/llm/backend may"}},
		{"test support in non-test code", func(g *depGraph) { g.addImport(mp("internal/eval"), mp("internal/llm/llmtest"), listedPackage{}) },
			[]string{"internal/eval imports internal/llm/llmtest in non-test code",
				"osler imports internal/llm/llmtest (cmd/osler -> internal/eval -> internal/llm/llmtest)"}},
		{"a package in no layer", func(g *depGraph) {
			g.pkgs[mp("tools/gen")] = &listedPackage{ImportPath: mp("tools/gen"), Imports: []string{"fmt"}}
		},
			[]string{"tools/gen is in no layer of depLayers"}},
		{"cgo in a dependency", func(g *depGraph) {
			g.addImport(mp("internal/registry"), "example.com/fastaes", mod("example.com/fastaes"))
			g.cgo["example.com/fastaes"].CgoFiles = []string{"aes_amd64.go"}
		}, []string{"osler imports example.com/fastaes (cmd/osler -> internal/registry -> example.com/fastaes), which uses cgo (aes_amd64.go)"}},
		{"a dependency that does not build without cgo", func(g *depGraph) {
			g.addImport(mp("internal/registry"), "example.com/sqlite3", mod("example.com/sqlite3"))
			g.pkgs["example.com/sqlite3"].Error = &struct{ Err string }{"build constraints exclude all Go files"}
		}, []string{"example.com/sqlite3 does not build with CGO_ENABLED=0 (cmd/osler -> internal/registry -> example.com/sqlite3): build constraints exclude all Go files"}},
	}
	// Every banned module and package, imported by the registry.
	for _, m := range sortedKeys(depBannedModules) {
		cases = append(cases, tc{"banned module " + m, func(g *depGraph) {
			g.addImport(mp("internal/registry"), m+"/sub", mod(m))
		}, []string{"osler imports module " + m + " (cmd/osler -> internal/registry -> " + m + "/sub): " + depBannedModules[m]}})
	}
	for _, p := range sortedKeys(depBannedPackages) {
		imps := []string{p}
		if base, ok := strings.CutSuffix(p, "/..."); ok {
			imps = []string{base, base + "/sub"}
		}
		for _, imp := range imps {
			cases = append(cases, tc{"banned package " + imp, func(g *depGraph) {
				g.addImport(mp("internal/registry"), g.importPath(imp), std)
			}, []string{"osler imports " + imp + " (cmd/osler -> internal/registry -> " + imp + "): " + depBannedPackages[p]}})
		}
	}
	// Every required package, taken away.
	for _, p := range sortedKeys(depRequired) {
		cases = append(cases, tc{"required " + p + " missing", func(g *depGraph) { g.dropImports(p) },
			[]string{"osler does not import " + p + ": " + depRequired[p]}})
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := real.clone()
			c.break_(g)
			got := checkDeps(g)
			for _, want := range c.want {
				if !slices.ContainsFunc(got, func(v string) bool { return strings.Contains(v, want) }) {
					t.Errorf("no violation says %q; got:\n%s", want, strings.Join(got, "\n"))
				}
			}
		})
	}
}

// TestDepsSeeARealImport adds a file importing net/http/pprof to the
// server through go list's -overlay (the checkout is not touched) and
// checks the listing the rules run on sees it, down to the chain.
func TestDepsSeeARealImport(t *testing.T) {
	goBin := goCommand(t)
	dir := t.TempDir()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	probe := filepath.Join(filepath.Dir(filepath.Dir(wd)), "internal", "server", "zz_deps_probe.go")
	src := filepath.Join(dir, "probe.go")
	if err := os.WriteFile(src, []byte("package server\n\nimport _ \"net/http/pprof\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {probe: src}})
	if err != nil {
		t.Fatal(err)
	}
	overlayFile := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := listGraph(goBin, []string{"-overlay=" + overlayFile})
	if err != nil {
		t.Fatal(err)
	}
	const want = "osler imports net/http/pprof (cmd/osler -> internal/server -> net/http/pprof)"
	got := checkDeps(g)
	if !slices.ContainsFunc(got, func(v string) bool { return strings.Contains(v, want) }) {
		t.Errorf("no violation says %q; got:\n%s", want, strings.Join(got, "\n"))
	}
}
