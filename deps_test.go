package tgraw_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies checks what importing each package compiles beside the
// standard library: tg and the runtime need only gotd/td's bin, and the
// model of the generator, which gen/tldiff reads, needs no emitter.
func TestDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	for _, tc := range []struct {
		pkg     string
		allowed []string // import paths (and their subpackages) beside std
		banned  []string
	}{
		{pkg: "./tg", allowed: []string{"github.com/gotd/td/bin", "github.com/tgraw/tgraw/tlrt", "github.com/tgraw/tgraw/tg"}},
		{pkg: "./tlrt", allowed: []string{"github.com/gotd/td/bin", "github.com/tgraw/tgraw/tlrt"}},
		{pkg: "./gen/tldiff", banned: []string{"github.com/dave/jennifer", "github.com/tgraw/tgraw/gen/emit"}},
		{pkg: "./gen", banned: []string{"github.com/dave/jennifer", "github.com/tgraw/tgraw/gen/emit", "github.com/gotd/td"}},
	} {
		out, err := exec.Command(goTool, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", tc.pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", tc.pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if tc.allowed != nil && !under(dep, tc.allowed) {
				t.Errorf("%s depends on %s", tc.pkg, dep)
			}
			if under(dep, tc.banned) {
				t.Errorf("%s depends on %s", tc.pkg, dep)
			}
		}
	}
}

// under reports whether pkg is one of paths or inside one of them.
func under(pkg string, paths []string) bool {
	for _, p := range paths {
		if pkg == p || strings.HasPrefix(pkg, p+"/") {
			return true
		}
	}
	return false
}
