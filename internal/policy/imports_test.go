// Package policy checks rules about the module as a whole: which package may
// import which (the layers of the design), and that the documentation's
// links lead somewhere.
package policy

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/go-resilience/resilience"

// layer says, for a package of the module (its path inside the module), which
// imports it may have besides the standard library: the layers of the design,
// from the bottom up.
//
//	internal/{hostload,hostport,revert,settings}
//	                                     standard library only
//	hypothesis                           + the low internal packages, testify, ojg (JSONPath)
//	chaostest                            + hypothesis: never Docker, toxiproxy or a fixture
//	fixtures/netfault, fixtures/httpfault, ...
//	                                     + chaostest and the protocol libraries; never
//	                                       testcontainers or Docker: a proxy alone links none
//	fixtures/internal/...                the same (the proxies' shared parts, the
//	                                       reaper); imported only from fixtures/...
//	fixtures (and what else is under it) + testcontainers-go and the Docker client
//	internal/testkit/...                 anything but the examples: the
//	                                       helpers of the tests, one package
//	                                       per set of dependencies
//	internal/{smoke,policy}              anything but the examples (tests only)
//	examples                             anything
//
// Nothing but the examples imports the examples.
func allowed(from, to string) bool {
	inModule := strings.HasPrefix(to, module+"/") || to == module
	rel := strings.TrimPrefix(to, module+"/")
	if inModule && under(rel, "examples") {
		return under(from, "examples")
	}
	if inModule && under(rel, "fixtures/internal") && !under(from, "fixtures") {
		return false
	}
	low := inModule && (rel == "internal/hostload" || rel == "internal/hostport" || rel == "internal/revert" || rel == "internal/settings")
	docker := strings.HasPrefix(to, "github.com/testcontainers/") || strings.HasPrefix(to, "github.com/moby/") ||
		strings.HasPrefix(to, "github.com/docker/") || strings.HasPrefix(to, "github.com/containerd/")
	switch {
	case under(from, "examples"), under(from, "internal/testkit"), from == "internal/smoke", from == "internal/policy":
		return true
	case under(from, "internal"):
		// The low helpers, and anything new under internal that is not a
		// test kit: the standard library only.
		return false
	case from == "hypothesis":
		return low || strings.HasPrefix(to, "github.com/stretchr/testify/") || strings.HasPrefix(to, "github.com/ohler55/ojg/")
	case from == "chaostest":
		return low || rel == "hypothesis"
	case from == "fixtures" || under(from, "fixtures/explore") || under(from, "fixtures/images"):
		return true
	case under(from, "fixtures"):
		// A fault package (netfault, httpfault and the protocol faults), and
		// what they share under fixtures/internal, is usable without Docker.
		return !docker && (!inModule || low || rel == "chaostest" || rel == "hypothesis" || strings.HasPrefix(rel, "fixtures/"))
	}
	return false
}

// under reports whether the package path p is dir or inside it.
func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// moduleRoot is the directory of go.mod, two levels up from this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s: %v", root, err)
	}
	return root
}

// packages is every package directory of the module (its path inside the
// module) with its non-test imports, and its test imports apart.
func packages(t *testing.T, root string) map[string]*build.Package {
	t.Helper()
	pkgs := map[string]*build.Package{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
			return filepath.SkipDir
		}
		if path != root {
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		p, err := build.ImportDir(path, 0)
		if err != nil {
			if _, none := err.(*build.NoGoError); none {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(root, path)
		pkgs[filepath.ToSlash(rel)] = p
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// TestImportPolicy fails when a package imports across the design's layers
// (see allowed): e.g. chaostest importing a fixture, or netfault importing
// testcontainers.
func TestImportPolicy(t *testing.T) {
	root := moduleRoot(t)
	pkgs := packages(t, root)
	if len(pkgs) < 10 {
		t.Fatalf("found %d packages under %s; expected the whole module", len(pkgs), root)
	}
	for from, p := range pkgs {
		for _, imp := range p.Imports {
			if isStd(imp) {
				continue
			}
			if !allowed(from, imp) {
				t.Errorf("%s imports %s: not allowed by the layers (internal/policy.allowed)", from, imp)
			}
		}
		for _, imp := range append(p.TestImports, p.XTestImports...) {
			rel := strings.TrimPrefix(imp, module+"/")
			if under(rel, "examples") && !under(from, "examples") && strings.HasPrefix(imp, module+"/") {
				t.Errorf("%s's tests import %s: only the examples import the examples", from, imp)
			}
		}
	}
}

// TestAllowed pins the rules themselves, so that a forbidden import is
// caught even in a package that does not exist yet.
func TestAllowed(t *testing.T) {
	for _, c := range []struct {
		from, to string
		ok       bool
	}{
		{"chaostest", module + "/hypothesis", true},
		{"chaostest", module + "/fixtures/netfault", false},
		{"chaostest", "github.com/testcontainers/testcontainers-go", false},
		{"chaostest", "github.com/Shopify/toxiproxy/v2", false},
		{"hypothesis", module + "/chaostest", false},
		{"hypothesis", "github.com/stretchr/testify/assert", true},
		{"hypothesis", module + "/internal/hostload", true},
		{"hypothesis", module + "/internal/testkit/nettest", false},
		{"chaostest", module + "/internal/testkit/faket", false},
		{"fixtures/netfault", module + "/chaostest", true},
		{"fixtures/netfault", "github.com/Shopify/toxiproxy/v2", true},
		{"fixtures/netfault", "github.com/testcontainers/testcontainers-go", false},
		{"fixtures/netfault", "github.com/moby/moby/client", false},
		{"fixtures/netfault", module + "/fixtures", false},
		{"fixtures/httpfault", module + "/fixtures/netfault", true},
		{"fixtures/pgfault", module + "/fixtures/internal/faultproxy", true},
		{"fixtures", module + "/fixtures/internal/faultproxy", true},
		{"fixtures/internal/faultproxy", module + "/chaostest", true},
		{"fixtures/internal/faultproxy", module + "/fixtures", false},
		{"fixtures/internal/faultproxy", "github.com/testcontainers/testcontainers-go", false},
		{"chaostest", module + "/fixtures/internal/faultproxy", false},
		{"hypothesis", module + "/fixtures/internal/faultproxy", false},
		{"internal/testkit/nettest", module + "/fixtures/internal/faultproxy", false},
		{"examples/orders", module + "/fixtures/internal/faultproxy", false},
		{"fixtures", "github.com/testcontainers/testcontainers-go", true},
		{"fixtures/explore", module + "/fixtures/netfault", true},
		{"fixtures", module + "/examples/orders", false},
		{"internal/hostport", module + "/chaostest", false},
		{"internal/hostload", module + "/internal/testkit/faket", false},
		{"internal/hostload", "github.com/stretchr/testify/require", false},
		{"internal/newhelper", module + "/chaostest", false},
		{"internal/testkit/nettest", module + "/chaostest", true},
		{"internal/testkit/nettest", "github.com/stretchr/testify/require", true},
		{"internal/testkit/dockertest", "github.com/testcontainers/testcontainers-go", true},
		{"internal/testkit/faket", module + "/examples/orders", false},
		{"examples/orders", module + "/fixtures", true},
	} {
		if got := allowed(c.from, c.to); got != c.ok {
			t.Errorf("allowed(%q, %q) = %v, want %v", c.from, c.to, got, c.ok)
		}
	}
}
