package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/osler-health/osler/internal/config"
	"github.com/osler-health/osler/internal/coverage"
	"github.com/osler-health/osler/internal/crypt"
	"github.com/osler-health/osler/internal/server"
	"github.com/osler-health/osler/internal/version"
)

// The deployment files (Dockerfile, deploy/) held to the real binary: the
// flags the manifests pass exist, the probe paths answer as the manifests
// say, the environment variables are ones Osler reads, the pods run
// unprivileged, and the image runs `osler serve` as a non-root user from a
// CGO-free build. Each check returns its violations, so
// TestDeployChecksCanFail shows every one firing on a broken copy.
//
// The manifests are read with sigs.k8s.io/yaml (test-only; TestDeps bans it
// from the binary), which decodes YAML as kubectl does.

// deployRoot is the repository root, seen from cmd/osler.
const deployRoot = "../.."

// requiresCommandAnnotation marks a workload whose osler command is being
// added and does not exist yet; its flags are checked once it does.
const requiresCommandAnnotation = "osler-health/requires-command"

// deployPendingEnv are environment variables the manifests set for features
// being added, which no code reads yet, with what they are for. An entry
// the code has come to read is an error: remove it, so the name is checked.
var deployPendingEnv = map[string]string{}

// deployRuntimeEnv are the non-Osler environment variables a container may
// set: the Go runtime's.
var deployRuntimeEnv = []string{"GOMEMLIMIT", "GOGC", "GOMAXPROCS", "GODEBUG"}

// k8sObject is the part of a Kubernetes object the checks read.
type k8sObject struct {
	file       string // relative to the repository root
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name         string            `json:"name"`
		GenerateName string            `json:"generateName"`
		Annotations  map[string]string `json:"annotations"`
	} `json:"metadata"`
	Spec struct {
		Template *struct {
			Spec podSpec `json:"spec"`
		} `json:"template"`
	} `json:"spec"`
	Data       map[string]string `json:"data"`
	StringData map[string]string `json:"stringData"`
	Resources  []string          `json:"resources"` // a Kustomization's
}

func (o *k8sObject) name() string {
	n := o.Metadata.Name
	if n == "" {
		n = o.Metadata.GenerateName
	}
	return o.file + ": " + o.Kind + " " + n
}

type podSpec struct {
	AutomountServiceAccountToken *bool               `json:"automountServiceAccountToken"`
	SecurityContext              *k8sSecurityContext `json:"securityContext"`
	Containers                   []k8sContainer      `json:"containers"`
	InitContainers               []k8sContainer      `json:"initContainers"`
	Volumes                      []struct {
		Name      string `json:"name"`
		ConfigMap *struct {
			Name string `json:"name"`
		} `json:"configMap"`
	} `json:"volumes"`
}

type k8sSecurityContext struct {
	RunAsNonRoot             *bool  `json:"runAsNonRoot"`
	RunAsUser                *int64 `json:"runAsUser"`
	Privileged               *bool  `json:"privileged"`
	AllowPrivilegeEscalation *bool  `json:"allowPrivilegeEscalation"`
	ReadOnlyRootFilesystem   *bool  `json:"readOnlyRootFilesystem"`
	Capabilities             *struct {
		Drop []string `json:"drop"`
		Add  []string `json:"add"`
	} `json:"capabilities"`
}

type k8sContainer struct {
	Name    string   `json:"name"`
	Command []string `json:"command"`
	Args    []string `json:"args"`
	Ports   []struct {
		Name          string `json:"name"`
		ContainerPort int    `json:"containerPort"`
	} `json:"ports"`
	Env []struct {
		Name      string `json:"name"`
		Value     string `json:"value"`
		ValueFrom *struct {
			SecretKeyRef *struct {
				Name     string `json:"name"`
				Key      string `json:"key"`
				Optional bool   `json:"optional"`
			} `json:"secretKeyRef"`
		} `json:"valueFrom"`
	} `json:"env"`
	SecurityContext *k8sSecurityContext `json:"securityContext"`
	StartupProbe    *k8sProbe           `json:"startupProbe"`
	ReadinessProbe  *k8sProbe           `json:"readinessProbe"`
	LivenessProbe   *k8sProbe           `json:"livenessProbe"`
	VolumeMounts    []struct {
		Name      string `json:"name"`
		MountPath string `json:"mountPath"`
	} `json:"volumeMounts"`
}

type k8sProbe struct {
	HTTPGet *struct {
		Path string          `json:"path"`
		Port json.RawMessage `json:"port"` // a number or a port's name
	} `json:"httpGet"`
}

// deployManifests reads every YAML document under deploy/.
func deployManifests(t *testing.T) []*k8sObject {
	t.Helper()
	var objs []*k8sObject
	dir := filepath.Join(deployRoot, "deploy")
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (filepath.Ext(path) != ".yaml" && filepath.Ext(path) != ".yml") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(deployRoot, path)
		for i, doc := range regexp.MustCompile(`(?m)^---[ \t]*$`).Split(string(b), -1) {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			o := &k8sObject{file: filepath.ToSlash(rel)}
			if err := yaml.Unmarshal([]byte(doc), o); err != nil {
				return fmt.Errorf("%s, document %d: %w", rel, i+1, err)
			}
			if o.APIVersion == "" || o.Kind == "" {
				return fmt.Errorf("%s, document %d: no apiVersion or kind", rel, i+1)
			}
			objs = append(objs, o)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) == 0 {
		t.Fatal("no manifests under deploy/")
	}
	return objs
}

// workloads returns the objects that run pods.
func workloads(objs []*k8sObject) []*k8sObject {
	var out []*k8sObject
	for _, o := range objs {
		if o.Spec.Template != nil {
			out = append(out, o)
		}
	}
	return out
}

// oslerArgs returns the osler arguments a container runs: the image's
// ENTRYPOINT is /osler, so args alone are osler's; a command must be /osler.
func oslerArgs(c k8sContainer) ([]string, error) {
	switch {
	case len(c.Command) == 0:
		return c.Args, nil
	case c.Command[0] == "/osler" || c.Command[0] == "osler":
		return append(slices.Clip(c.Command[1:]), c.Args...), nil
	}
	return nil, fmt.Errorf("command %q is not /osler", c.Command)
}

// commandWords splits osler arguments into the command ("models list") and
// the rest.
func commandWords(args []string) (path, rest []string) {
	i := 0
	for i < len(args) && !strings.HasPrefix(args[i], "-") {
		i++
	}
	return args[:i], args[i:]
}

// serveFlagNames are osler serve's flags, from the function that binds them.
func serveFlagNames() map[string]bool {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cfg server.Config
	registerServeFlags(fs, &cfg)
	names := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) { names[f.Name] = true })
	return names
}

var helpFlagRE = regexp.MustCompile(`(?m)^  -([a-zA-Z0-9][a-zA-Z0-9-]*)`)

// commandFlags returns the flags of an osler command from its --help, and
// false when there is no such command.
func commandFlags(t *testing.T, path []string) (map[string]bool, bool) {
	if slices.Equal(path, []string{"serve"}) {
		return serveFlagNames(), true
	}
	out, _, code := runOsler(t, "", append(slices.Clip(path), "--help")...)
	if code != 0 || strings.Contains(out, "<command>") {
		return nil, false // unknown, or a group rather than a command
	}
	names := map[string]bool{}
	for _, m := range helpFlagRE.FindAllStringSubmatch(out, -1) {
		names[m[1]] = true
	}
	return names, true
}

// checkDeployFlags: every container runs osler with a command that exists
// (or is marked as being added, and does not exist yet) and only flags that
// command has.
func checkDeployFlags(t *testing.T, objs []*k8sObject) []string {
	var bad []string
	for _, o := range workloads(objs) {
		for _, c := range o.Spec.Template.Spec.Containers {
			args, err := oslerArgs(c)
			if err != nil {
				bad = append(bad, fmt.Sprintf("%s, container %s: %v", o.name(), c.Name, err))
				continue
			}
			path, rest := commandWords(args)
			cmd := strings.Join(path, " ")
			flags, ok := commandFlags(t, path)
			requires := o.Metadata.Annotations[requiresCommandAnnotation]
			switch {
			case requires != "" && requires != cmd:
				bad = append(bad, fmt.Sprintf("%s: annotation %s says %q, the container runs osler %s", o.name(), requiresCommandAnnotation, requires, cmd))
				continue
			case requires != "" && ok:
				bad = append(bad, fmt.Sprintf("%s: osler %s exists now: remove the %s annotation so its flags are checked", o.name(), cmd, requiresCommandAnnotation))
				continue
			case requires != "":
				continue // being added; nothing to check the flags against yet
			case !ok:
				bad = append(bad, fmt.Sprintf("%s, container %s: osler has no command %q (mark a command being added with the %s annotation)", o.name(), c.Name, cmd, requiresCommandAnnotation))
				continue
			}
			for _, a := range rest {
				if !strings.HasPrefix(a, "-") || a == "-" || a == "--" {
					continue
				}
				name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
				if !flags[name] {
					bad = append(bad, fmt.Sprintf("%s, container %s: osler %s has no flag --%s", o.name(), c.Name, cmd, name))
				}
			}
		}
	}
	return bad
}

// oslerEnvInSource returns the quoted "OSLER_..." names in the module's
// non-test Go files: the environment variables Osler reads.
func oslerEnvInSource(t *testing.T) map[string]bool {
	t.Helper()
	re := regexp.MustCompile(`"(OSLER_[A-Z0-9_]+)"`)
	names := map[string]bool{}
	for _, dir := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(deployRoot, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			b, err := os.ReadFile(path)
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				names[m[1]] = true
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return names
}

// checkDeployEnv: every environment variable is one Osler reads (or is
// pending, and not read yet) or the Go runtime's; every Secret reference
// names a key of the example Secret; the server gets its home, master key,
// config file and registry URL.
func checkDeployEnv(objs []*k8sObject, known map[string]bool) []string {
	var bad []string
	for name, why := range deployPendingEnv {
		if known[name] {
			bad = append(bad, fmt.Sprintf("%s (%s) is read by Osler now: remove it from deployPendingEnv", name, why))
		}
	}
	secrets := map[string]map[string]string{}
	for _, o := range objs {
		if o.Kind == "Secret" {
			secrets[o.Metadata.Name] = o.StringData
		}
	}
	for _, o := range workloads(objs) {
		for _, c := range o.Spec.Template.Spec.Containers {
			set := map[string]bool{}
			for _, e := range c.Env {
				set[e.Name] = true
				_, pending := deployPendingEnv[e.Name]
				// A variable the container's own arguments expand
				// ($(NAME), done by Kubernetes) need not be Osler's.
				expanded := strings.Contains(strings.Join(c.Args, " "), "$("+e.Name+")")
				if !known[e.Name] && !pending && !expanded && !slices.Contains(deployRuntimeEnv, e.Name) {
					bad = append(bad, fmt.Sprintf("%s, container %s: Osler does not read the environment variable %s", o.name(), c.Name, e.Name))
				}
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					ref := e.ValueFrom.SecretKeyRef
					if _, ok := secrets[ref.Name][ref.Key]; !ok {
						bad = append(bad, fmt.Sprintf("%s, container %s: %s comes from Secret %s key %s, which deploy/kubernetes/secret.example.yaml does not show", o.name(), c.Name, e.Name, ref.Name, ref.Key))
					}
				}
			}
			if args, _ := oslerArgs(c); len(args) > 0 && args[0] == "serve" {
				for _, want := range []string{config.EnvHome, config.EnvMasterKey, config.EnvConfig, "OSLER_REGISTRY_URL"} {
					if !set[want] {
						bad = append(bad, fmt.Sprintf("%s, container %s: osler serve is not given %s", o.name(), c.Name, want))
					}
				}
			}
		}
	}
	return bad
}

// checkDeploySecurity: every pod runs as a non-root user with no
// privilege, no added capability and a read-only root filesystem.
func checkDeploySecurity(objs []*k8sObject) []string {
	var bad []string
	for _, o := range workloads(objs) {
		pod := o.Spec.Template.Spec
		if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
			bad = append(bad, o.name()+": automountServiceAccountToken is not false (osler never calls the Kubernetes API)")
		}
		psc := pod.SecurityContext
		if psc == nil {
			psc = &k8sSecurityContext{}
		}
		for _, c := range append(slices.Clip(pod.Containers), pod.InitContainers...) {
			where := fmt.Sprintf("%s, container %s", o.name(), c.Name)
			sc := c.SecurityContext
			if sc == nil {
				bad = append(bad, where+": no securityContext")
				continue
			}
			nonRoot, user := sc.RunAsNonRoot, sc.RunAsUser
			if nonRoot == nil {
				nonRoot = psc.RunAsNonRoot
			}
			if user == nil {
				user = psc.RunAsUser
			}
			if nonRoot == nil || !*nonRoot {
				bad = append(bad, where+": runAsNonRoot is not true")
			}
			if user == nil || *user == 0 {
				bad = append(bad, where+": runAsUser is not set to a non-root user (65532, the image's)")
			}
			if sc.Privileged != nil && *sc.Privileged {
				bad = append(bad, where+": privileged")
			}
			if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
				bad = append(bad, where+": allowPrivilegeEscalation is not false")
			}
			if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
				bad = append(bad, where+": readOnlyRootFilesystem is not true")
			}
			if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
				bad = append(bad, where+": capabilities do not drop ALL")
			} else if len(sc.Capabilities.Add) > 0 {
				bad = append(bad, fmt.Sprintf("%s: adds capabilities %v", where, sc.Capabilities.Add))
			}
		}
	}
	return bad
}

// serveDeployment returns the one workload running osler serve.
func serveDeployment(t *testing.T, objs []*k8sObject) (*k8sObject, k8sContainer) {
	t.Helper()
	var found []*k8sObject
	var ctr k8sContainer
	for _, o := range workloads(objs) {
		for _, c := range o.Spec.Template.Spec.Containers {
			if args, err := oslerArgs(c); err == nil && len(args) > 0 && args[0] == "serve" {
				found, ctr = append(found, o), c
			}
		}
	}
	if len(found) != 1 || found[0].Kind != "Deployment" {
		t.Fatalf("want one Deployment running osler serve, found %d", len(found))
	}
	return found[0], ctr
}

// serveAddrPort is the port of --addr in serve's arguments (its default
// when absent).
func serveAddrPort(args []string) (int, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var cfg server.Config
	f := registerServeFlags(fs, &cfg)
	if err := fs.Parse(args[1:]); err != nil {
		return 0, err
	}
	_, port, err := net.SplitHostPort(f.addr)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(port)
}

// checkServePorts: the container port is serve's --addr port, and every
// probe targets it.
func checkServePorts(o *k8sObject, c k8sContainer) []string {
	var bad []string
	args, _ := oslerArgs(c)
	port, err := serveAddrPort(args)
	if err != nil {
		return []string{fmt.Sprintf("%s: osler serve arguments: %v", o.name(), err)}
	}
	byName := map[string]int{}
	var listed bool
	for _, p := range c.Ports {
		byName[p.Name] = p.ContainerPort
		listed = listed || p.ContainerPort == port
		if p.ContainerPort != port {
			bad = append(bad, fmt.Sprintf("%s: containerPort %d (%s) is not osler serve's --addr port %d", o.name(), p.ContainerPort, p.Name, port))
		}
	}
	if !listed {
		bad = append(bad, fmt.Sprintf("%s: no containerPort %d (osler serve's --addr port)", o.name(), port))
	}
	for kind, p := range map[string]*k8sProbe{"startupProbe": c.StartupProbe, "readinessProbe": c.ReadinessProbe, "livenessProbe": c.LivenessProbe} {
		if p == nil || p.HTTPGet == nil {
			bad = append(bad, fmt.Sprintf("%s: no %s with httpGet", o.name(), kind))
			continue
		}
		var n int
		var name string
		if json.Unmarshal(p.HTTPGet.Port, &n) != nil {
			if json.Unmarshal(p.HTTPGet.Port, &name) != nil || byName[name] == 0 {
				bad = append(bad, fmt.Sprintf("%s: %s port %s is neither a number nor a named port", o.name(), kind, p.HTTPGet.Port))
				continue
			}
			n = byName[name]
		}
		if n != port {
			bad = append(bad, fmt.Sprintf("%s: %s port %d is not osler serve's --addr port %d", o.name(), kind, n, port))
		}
	}
	return bad
}

// checkServeProbes calls the probes' paths on a running server: startup
// and liveness must answer 200 whether or not a model is loaded, readiness
// (the /ping contract) 200 only when one is.
func checkServeProbes(c k8sContainer, url string, modelLoaded bool) []string {
	var bad []string
	get := func(kind string, p *k8sProbe, want int) {
		if p == nil || p.HTTPGet == nil {
			return // checkServePorts reports it
		}
		resp, err := http.Get(url + p.HTTPGet.Path)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s GET %s: %v", kind, p.HTTPGet.Path, err))
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			state := "without an approved model"
			if modelLoaded {
				state = "with a model loaded"
			}
			bad = append(bad, fmt.Sprintf("%s GET %s answers %d %s, want %d", kind, p.HTTPGet.Path, resp.StatusCode, state, want))
		}
	}
	ready := http.StatusServiceUnavailable
	if modelLoaded {
		ready = http.StatusOK
	}
	get("startupProbe", c.StartupProbe, http.StatusOK)
	get("livenessProbe", c.LivenessProbe, http.StatusOK)
	get("readinessProbe", c.ReadinessProbe, ready)
	return bad
}

// deployDockerfile is what the checks read from the Dockerfile: the final
// stage's instructions, and every RUN of the file.
type deployDockerfile struct {
	finalFrom  string
	final      map[string][]string // instruction -> arguments, final stage
	runs       []string
	exposePort int
}

func readDockerfile(t *testing.T) *deployDockerfile {
	t.Helper()
	f, err := os.Open(filepath.Join(deployRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := &deployDockerfile{}
	sc := bufio.NewScanner(f)
	var line string
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "#") || (l == "" && line == "") {
			continue
		}
		if s, ok := strings.CutSuffix(l, `\`); ok {
			line += s + " "
			continue
		}
		line += l
		instr, rest, _ := strings.Cut(line, " ")
		instr, rest, line = strings.ToUpper(instr), strings.TrimSpace(rest), ""
		switch instr {
		case "FROM":
			d.finalFrom, d.final = rest, map[string][]string{}
		case "RUN":
			d.runs = append(d.runs, rest)
		}
		if d.final != nil {
			d.final[instr] = append(d.final[instr], rest)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return d
}

// checkDockerfile: the image is a CGO-free static build on distroless or
// scratch, runs as a non-root user, and runs `osler serve` by default and
// for `docker run IMAGE serve`.
func checkDockerfile(d *deployDockerfile) []string {
	var bad []string
	var base string // FROM [--platform=...] IMAGE [AS NAME]
	for _, f := range strings.Fields(d.finalFrom) {
		if !strings.HasPrefix(f, "--") {
			base = f
			break
		}
	}
	if !strings.HasPrefix(base, "gcr.io/distroless/static") && base != "scratch" {
		bad = append(bad, fmt.Sprintf("final stage FROM %q: want gcr.io/distroless/static... or scratch", d.finalFrom))
	}
	users := d.final["USER"]
	if len(users) == 0 {
		bad = append(bad, "the final stage sets no USER (it would run as root)")
	} else {
		u, _, _ := strings.Cut(users[len(users)-1], ":")
		if n, err := strconv.Atoi(u); err != nil || n == 0 {
			bad = append(bad, fmt.Sprintf("USER %s: want a numeric non-root user (65532), so runAsNonRoot can check it", users[len(users)-1]))
		}
	}
	exec := func(instr string) []string {
		v := d.final[instr]
		var argv []string
		if len(v) == 0 || json.Unmarshal([]byte(v[len(v)-1]), &argv) != nil {
			bad = append(bad, fmt.Sprintf("%s %v: want the exec form, a JSON list", instr, v))
		}
		return argv
	}
	if ep := exec("ENTRYPOINT"); !slices.Equal(ep, []string{"/osler"}) {
		bad = append(bad, fmt.Sprintf("ENTRYPOINT %q: want [\"/osler\"], so `docker run IMAGE serve` runs osler serve", ep))
	}
	if cmd := exec("CMD"); !slices.Equal(cmd, []string{"serve"}) {
		bad = append(bad, fmt.Sprintf("CMD %q: want [\"serve\"]", cmd))
	}
	var build string // the build of the server's osler (the batch image builds osler-batch too)
	for _, r := range d.runs {
		if strings.Contains(r, "go build") && strings.Contains(r, "./cmd/osler ") || strings.HasSuffix(r, "./cmd/osler") {
			build = r
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-s -w", "-X github.com/osler-health/osler/internal/version.Version=", "-o /out/osler ./cmd/osler"} {
		if !strings.Contains(build, want) {
			bad = append(bad, fmt.Sprintf("the go build RUN does not have %q: %q", want, build))
		}
	}
	if !slices.ContainsFunc(d.final["COPY"], func(c string) bool { return strings.HasSuffix(c, "/out/osler /osler") }) {
		bad = append(bad, "the final stage does not COPY the built /out/osler to /osler")
	}
	for _, e := range d.final["ENV"] {
		if strings.Contains(e, config.EnvHome) {
			bad = append(bad, "ENV sets "+config.EnvHome+": osler serve then opens that registry even for --model-dir --no-auth, and an empty one stops it")
		}
	}
	for _, instr := range []string{"VOLUME", "RUN", "WORKDIR"} {
		for _, v := range d.final[instr] {
			if strings.Contains(v, sagemakerModelDir) {
				bad = append(bad, fmt.Sprintf("%s %s: an image with %s serves that directory instead of its registry", instr, v, sagemakerModelDir))
			}
		}
	}
	return bad
}

// TestDeployManifests: every YAML document under deploy/ parses as a
// Kubernetes object, and the kustomization lists files that exist and no
// example Secret.
func TestDeployManifests(t *testing.T) {
	objs := deployManifests(t)
	for _, o := range objs {
		if o.Kind != "Kustomization" {
			continue
		}
		dir := filepath.Join(deployRoot, filepath.Dir(o.file))
		for _, r := range o.Resources {
			if _, err := os.Stat(filepath.Join(dir, r)); err != nil {
				t.Errorf("%s lists %s: %v", o.file, r, err)
			}
			if strings.Contains(r, "example") {
				t.Errorf("%s applies %s: examples hold no real values and are not applied", o.file, r)
			}
		}
	}
}

func reportDeploy(t *testing.T, bad []string) {
	t.Helper()
	for _, b := range bad {
		t.Error(b)
	}
}

// TestDeployFlags: the osler commands and flags the manifests run exist.
func TestDeployFlags(t *testing.T) {
	reportDeploy(t, checkDeployFlags(t, deployManifests(t)))
}

// TestDeployEnv: the environment variables the manifests set are read.
func TestDeployEnv(t *testing.T) {
	reportDeploy(t, checkDeployEnv(deployManifests(t), oslerEnvInSource(t)))
}

// TestDeploySecurityContext: every pod runs unprivileged as non-root.
func TestDeploySecurityContext(t *testing.T) {
	reportDeploy(t, checkDeploySecurity(deployManifests(t)))
}

// TestDockerfile: the image's build and runtime settings.
func TestDockerfile(t *testing.T) {
	d := readDockerfile(t)
	reportDeploy(t, checkDockerfile(d))
	_ = &version.Version // -X needs a string variable there
	objs := deployManifests(t)
	_, c := serveDeployment(t, objs)
	args, _ := oslerArgs(c)
	port, err := serveAddrPort(args)
	if err != nil {
		t.Fatal(err)
	}
	if expose := d.final["EXPOSE"]; len(expose) != 1 || expose[0] != strconv.Itoa(port) {
		t.Errorf("EXPOSE %v: want %d, the Deployment's osler serve --addr port", expose, port)
	}
}

// TestDeployConfigMap: the ConfigMap's config file decodes as osler serve
// reads it (unknown settings are errors), its rules file is one the server
// accepts, and both sit where the Deployment mounts them.
func TestDeployConfigMap(t *testing.T) {
	objs := deployManifests(t)
	dep, c := serveDeployment(t, objs)
	files := deployMountedFiles(t, objs, dep, c)
	var cfgPath string
	for _, e := range c.Env {
		if e.Name == config.EnvConfig {
			cfgPath = e.Value
		}
	}
	data, ok := files[cfgPath]
	if !ok {
		t.Fatalf("%s=%s is not a file the Deployment mounts (mounted: %v)", config.EnvConfig, cfgPath, slices.Sorted(maps.Keys(files)))
	}
	tmp := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(tmp, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	var cds config.CDS
	if err := config.DecodeFileSection(tmp, config.SectionCDS, &cds); err != nil {
		t.Fatalf("%s: %v", cfgPath, err)
	}
	if cds.NoAuth {
		t.Errorf("%s: cds.no_auth is on: CDS Hooks calls would not be authenticated", cfgPath)
	}
	if len(cds.Trust) == 0 || cds.PublicURL == "" || cds.Rules == "" {
		t.Errorf("%s: want trust, public_url and rules set: %+v", cfgPath, cds)
	}
	rules, ok := files[cds.Rules]
	if !ok {
		t.Fatalf("%s: rules %s is not a file the Deployment mounts", cfgPath, cds.Rules)
	}
	if _, err := coverage.Parse([]byte(rules), cds.Rules); err != nil {
		t.Errorf("%s: %v", cds.Rules, err)
	}
}

// deployMountedFiles returns the ConfigMap files a container sees, by path.
func deployMountedFiles(t *testing.T, objs []*k8sObject, o *k8sObject, c k8sContainer) map[string]string {
	t.Helper()
	cms := map[string]map[string]string{}
	for _, x := range objs {
		if x.Kind == "ConfigMap" {
			cms[x.Metadata.Name] = x.Data
		}
	}
	files := map[string]string{}
	for _, m := range c.VolumeMounts {
		for _, v := range o.Spec.Template.Spec.Volumes {
			if v.Name != m.Name || v.ConfigMap == nil {
				continue
			}
			data, ok := cms[v.ConfigMap.Name]
			if !ok {
				t.Fatalf("%s: volume %s names ConfigMap %s, which deploy/ does not define", o.name(), v.Name, v.ConfigMap.Name)
			}
			for k, d := range data {
				files[m.MountPath+"/"+k] = d
			}
		}
	}
	return files
}

// TestDeployServe runs osler serve with the Deployment's own arguments and
// environment (mount paths moved under a temporary directory, the Secret's
// values made up), over a registry like the one the volume holds, and calls
// the probes: before a model is approved the pod must be live but not
// ready, after it ready too. The ports must be serve's --addr port.
func TestDeployServe(t *testing.T) {
	objs := deployManifests(t)
	dep, c := serveDeployment(t, objs)
	reportDeploy(t, checkServePorts(dep, c))

	root := t.TempDir()
	moved := func(s string) string {
		for _, m := range c.VolumeMounts {
			if s == m.MountPath || strings.HasPrefix(s, m.MountPath+"/") {
				return filepath.Join(root, s)
			}
		}
		return s
	}
	// Paths inside the mounted files (config.json's rules) move too, in one
	// pass: root itself may lie under a mount path such as /tmp.
	var pairs []string
	for _, m := range c.VolumeMounts {
		pairs = append(pairs, m.MountPath+"/", filepath.ToSlash(filepath.Join(root, m.MountPath))+"/")
	}
	inFiles := strings.NewReplacer(pairs...)
	for path, data := range deployMountedFiles(t, objs, dep, c) {
		data = inFiles.Replace(data)
		p := moved(path)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	key, err := crypt.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"USER": "tester"}
	for _, e := range c.Env {
		switch {
		case e.Name == config.EnvMasterKey:
			env[e.Name] = key.Encode()
		case e.ValueFrom == nil:
			env[e.Name] = moved(e.Value)
		}
	}
	// The registry as an admin leaves it on the volume: a key, no model yet.
	if _, errOut, code := runOslerEnv(t, env, "", "keys", "create", "--name", "deploy", "--scope", "predict"); code != 0 {
		t.Fatalf("keys create: %s", errOut)
	}
	args, _ := oslerArgs(c)
	var serveArgs []string
	for i := 1; i < len(args); i++ { // startServe listens on 127.0.0.1:0
		if args[i] == "--addr" || args[i] == "-addr" {
			i++
			continue
		}
		if !strings.HasPrefix(args[i], "--addr=") {
			serveArgs = append(serveArgs, moved(args[i]))
		}
	}
	url, stderr, _ := startServe(t, env, serveArgs...)
	reportDeploy(t, checkServeProbes(c, url, false))

	// An admin approves a model; the read-only servers pick it up.
	model := trainServeModel(t)
	for _, a := range [][]string{{"models", "register", "--name", "ade", "--kind", "classifier", "--artifact", model}, {"models", "approve", "ade:1"}} {
		if _, errOut, code := runOslerEnv(t, env, "", a...); code != 0 {
			t.Fatalf("%s: %s", a[:2], errOut)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		bad := checkServeProbes(c, url, true)
		if len(bad) == 0 {
			break
		}
		if time.Now().After(deadline) {
			reportDeploy(t, bad)
			t.Logf("serve log:\n%s", stderr.String())
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestDeployChecksCanFail breaks a copy of the real files in the ways the
// checks exist for and shows each check saying so.
func TestDeployChecksCanFail(t *testing.T) {
	known := oslerEnvInSource(t)
	// Decoding again gives a deep copy to break.
	fresh := func() (*k8sObject, *k8sContainer, []*k8sObject) {
		objs := deployManifests(t)
		dep, _ := serveDeployment(t, objs)
		return dep, &dep.Spec.Template.Spec.Containers[0], objs
	}
	expect := func(name string, bad []string, want string) {
		t.Helper()
		if !slices.ContainsFunc(bad, func(b string) bool { return strings.Contains(b, want) }) {
			t.Errorf("%s: no violation says %q; got:\n%s", name, want, strings.Join(bad, "\n"))
		}
	}

	_, c, objs := fresh()
	c.Args = append(c.Args, "--drain-timout", "25s")
	expect("misspelled serve flag", checkDeployFlags(t, objs), "osler serve has no flag --drain-timout")
	_, c, objs = fresh()
	c.Args = []string{"models", "list", "--jsn"}
	expect("misspelled flag of another command", checkDeployFlags(t, objs), "osler models list has no flag --jsn")
	_, c, objs = fresh()
	c.Args = []string{"models", "frobnicate"}
	expect("unknown command", checkDeployFlags(t, objs), `osler has no command "models frobnicate"`)
	dep, c, objs := fresh()
	dep.Metadata.Annotations = map[string]string{requiresCommandAnnotation: "serve"}
	expect("stale requires-command", checkDeployFlags(t, objs), "osler serve exists now: remove the")
	_, c, objs = fresh()
	c.Command = []string{"/bin/sh", "-c"}
	expect("not osler", checkDeployFlags(t, objs), "is not /osler")

	_, c, objs = fresh()
	c.Env[0].Name = "OSLER_HOMEDIR"
	expect("misspelled env", checkDeployEnv(objs, known), "does not read the environment variable OSLER_HOMEDIR")
	expect("missing env", checkDeployEnv(objs, known), "osler serve is not given OSLER_HOME")
	_, c, objs = fresh()
	for i := range c.Env {
		if c.Env[i].ValueFrom != nil {
			c.Env[i].ValueFrom.SecretKeyRef.Key = "master_key"
			break
		}
	}
	expect("secret key", checkDeployEnv(objs, known), "key master_key, which deploy/kubernetes/secret.example.yaml does not show")
	_, _, objs = fresh()
	deployPendingEnv["OSLER_NOT_YET"] = "a feature being added"
	expect("pending env now read", checkDeployEnv(objs, map[string]bool{"OSLER_NOT_YET": true}), "is read by Osler now")
	delete(deployPendingEnv, "OSLER_NOT_YET")

	for name, breakIt := range map[string]func(sc *k8sSecurityContext){
		"runAsNonRoot is not true":              func(sc *k8sSecurityContext) { f := false; sc.RunAsNonRoot = &f },
		"allowPrivilegeEscalation is not false": func(sc *k8sSecurityContext) { sc.AllowPrivilegeEscalation = nil },
		"readOnlyRootFilesystem is not true":    func(sc *k8sSecurityContext) { f := false; sc.ReadOnlyRootFilesystem = &f },
		"capabilities do not drop ALL":          func(sc *k8sSecurityContext) { sc.Capabilities.Drop = nil },
		"privileged":                            func(sc *k8sSecurityContext) { tr := true; sc.Privileged = &tr },
		"runAsUser is not set":                  func(sc *k8sSecurityContext) { var z int64; sc.RunAsUser = &z },
	} {
		_, c, objs = fresh()
		breakIt(c.SecurityContext)
		expect(name, checkDeploySecurity(objs), name)
	}

	dep, c, _ = fresh()
	c.Args = append(c.Args, "--addr", ":9090")
	expect("port", checkServePorts(dep, *c), "containerPort 8080 (http) is not osler serve's --addr port 9090")
	dep, c, _ = fresh()
	c.ReadinessProbe = nil
	expect("no readiness probe", checkServePorts(dep, *c), "no readinessProbe")

	d := readDockerfile(t)
	d.final["USER"] = []string{"root"}
	d.final["CMD"] = []string{`["version"]`}
	d.finalFrom = "debian:bookworm"
	d.final["ENV"] = append(d.final["ENV"], "OSLER_HOME=/var/lib/osler")
	d.final["VOLUME"] = []string{"/opt/ml/model"}
	for i, r := range d.runs {
		d.runs[i] = strings.ReplaceAll(r, "CGO_ENABLED=0", "CGO_ENABLED=1")
	}
	bad := checkDockerfile(d)
	for _, want := range []string{"USER root", `CMD ["version"]`, `FROM "debian:bookworm"`, `does not have "CGO_ENABLED=0"`, "ENV sets OSLER_HOME", "VOLUME /opt/ml/model"} {
		expect("Dockerfile", bad, want)
	}
}

// TestDeployProbesCanFail serves with no model and shows the probe check
// refusing a liveness probe on /ping (it would restart every pod until a
// model is approved) and a path the server does not have.
func TestDeployProbesCanFail(t *testing.T) {
	objs := deployManifests(t)
	_, c := serveDeployment(t, objs)
	env := map[string]string{config.EnvHome: filepath.Join(t.TempDir(), "home"), "USER": "tester"}
	if _, errOut, code := runOslerEnv(t, env, "", "keys", "create", "--name", "deploy", "--scope", "predict"); code != 0 {
		t.Fatalf("keys create: %s", errOut)
	}
	url, _, _ := startServe(t, env)
	broken := c
	live := *c.LivenessProbe.HTTPGet
	live.Path = "/ping"
	broken.LivenessProbe = &k8sProbe{HTTPGet: &live}
	start := *c.StartupProbe.HTTPGet
	start.Path = "/healthz"
	broken.StartupProbe = &k8sProbe{HTTPGet: &start}
	bad := checkServeProbes(broken, url, false)
	for _, want := range []string{"livenessProbe GET /ping answers 503 without an approved model, want 200", "startupProbe GET /healthz answers 404"} {
		if !slices.ContainsFunc(bad, func(b string) bool { return strings.Contains(b, want) }) {
			t.Errorf("no violation says %q; got:\n%s", want, strings.Join(bad, "\n"))
		}
	}
}
