package gen_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tgraw/tgraw/gen"
	"github.com/tgraw/tgraw/gen/emit"
)

// layer228Path is the newest layer's schema, kept outside the repository
// beside it; it is never copied in.
const layer228Path = "../../shared/schemas/api-layer228.tl"

// gotdSchema returns the path of a schema that gotd/td's module carries in
// its _schema directory.
func gotdSchema(t testing.TB, name string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/gotd/td").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/gotd/td: %v", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "_schema", name)
}

// scratchModule is a temporary module that generated packages are built
// and tested in, as packages generated for other schemas live in other
// modules. Its go.mod and go.sum are this module's, under the module path
// "tlgentest", so it resolves the same dependencies with no network, and it
// requires this module from its directory, for the runtime (tlrt) and its
// checks (tlrt/tlrttest). Builds use -trimpath: the compiled packages
// depend only on their import path and content, not on the temporary
// directory, so the build cache serves a later run.
type scratchModule struct {
	t   *testing.T
	dir string
}

func newScratchModule(t *testing.T) *scratchModule {
	t.Helper()
	dir := t.TempDir()
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	mod = regexp.MustCompile(`(?m)^module .*$`).ReplaceAll(mod, []byte("module tlgentest"))
	mod = fmt.Appendf(mod, "\nrequire github.com/tgraw/tgraw v0.0.0\n\nreplace github.com/tgraw/tgraw => %s\n", root)
	sum, err := os.ReadFile("../go.sum")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), mod, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	return &scratchModule{t: t, dir: dir}
}

// add writes files as package pkg of the module, with a test that checks
// with tlrttest.RoundTrip that every constructor and function of the
// schema's ids round-trips, and the test files of testdata/PKG if there
// are any.
func (s *scratchModule) add(pkg string, files map[string][]byte, ids int) {
	s.t.Helper()
	dir := filepath.Join(s.dir, pkg)
	if err := gen.WriteDir(dir, files); err != nil {
		s.t.Fatal(err)
	}
	tests := map[string][]byte{"roundtrip_test.go": fmt.Appendf(nil, roundTripTest, pkg, ids)}
	extra, err := filepath.Glob(filepath.Join("testdata", pkg, "*_test.go"))
	if err != nil {
		s.t.Fatal(err)
	}
	for _, p := range extra {
		src, err := os.ReadFile(p)
		if err != nil {
			s.t.Fatal(err)
		}
		tests[filepath.Base(p)] = src
	}
	for name, src := range tests {
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
}

// roundTripTest is the test add writes in each package: the package name
// and the number of IDs of the schema fill it in.
const roundTripTest = `package %s

import (
	"testing"

	"github.com/tgraw/tgraw/tlrt/tlrttest"
)

func TestRoundTrip(t *testing.T) {
	if got, want := len(IDs()), %d; got != want {
		t.Errorf("IDs() has %%d IDs, the schema %%d", got, want)
	}
	tlrttest.RoundTrip(t, tlrttest.Package{IDs: IDs(), New: New, Name: Name, DecodeObject: DecodeObject})
}
`

// run runs the go command in the module.
func (s *scratchModule) run(args ...string) {
	s.t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	s.t.Logf("go %s:\n%s", strings.Join(args, " "), out)
}

// countDefs counts the constructors and functions of m.
func countDefs(m *gen.Model) (ctors, funcs int) {
	for _, d := range m.Defs {
		if d.Function {
			funcs++
		} else {
			ctors++
		}
	}
	return ctors, funcs
}

// TestOtherSchemas generates packages from the schemas beside the bundled
// one, builds, vets and tests each in a scratch module: every constructor
// and function round-trips. The schemas are
//
//   - layer 228, the newest layer, with the layer end-to-end test over
//     gotd/td's telegram.Client and tgtest server;
//   - gotd/td's encrypted.tl (secret chats) and tdapi.tl (TDLib's td_api,
//     whose int32, int53 and int64 are declared primitives);
//   - a subset of the bundled schema (-only).
func TestOtherSchemas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds large generated packages with the go command")
	}
	mod := newScratchModule(t)
	type schemaCase struct {
		pkg, path   string
		only        []string
		ctors, fncs int // expected counts; 0 to skip the check
	}
	cases := []schemaCase{
		{pkg: "encrypted", path: gotdSchema(t, "encrypted.tl"), ctors: 93, fncs: 1},
		{pkg: "tdapi", path: gotdSchema(t, "tdapi.tl")},
		{pkg: "subset", path: "../schema/api.tl", only: []string{"messages.sendMessage,channels.*"}},
	}
	if _, err := os.Stat(layer228Path); err == nil {
		cases = append(cases, schemaCase{pkg: "l228", path: layer228Path, ctors: 1653, fncs: 808})
	} else {
		t.Run("l228", func(t *testing.T) {
			t.Skipf("%s is not there (the schemas directory sits beside the repository): layer 228 and the layer end-to-end test do not run", layer228Path)
		})
	}
	var pkgs []string
	for _, c := range cases {
		src, err := os.ReadFile(c.path)
		if err != nil {
			t.Fatal(err)
		}
		m, files := generate(t, src, gen.Config{Package: c.pkg, Filename: filepath.Base(c.path), Only: c.only})
		ctors, fncs := countDefs(m)
		t.Logf("%s: %d constructors, %d functions", c.pkg, ctors, fncs)
		if c.ctors != 0 && (ctors != c.ctors || fncs != c.fncs) {
			t.Errorf("%s: %d constructors and %d functions, want %d and %d", c.pkg, ctors, fncs, c.ctors, c.fncs)
		}
		mod.add(c.pkg, files, len(m.Defs))
		pkgs = append(pkgs, "./"+c.pkg)
	}
	mod.run(append([]string{"vet", "-trimpath"}, pkgs...)...)
	mod.run(append([]string{"test", "-trimpath"}, pkgs...)...)
}

// BenchmarkGenerateLayer228 measures the time to regenerate layer 228 from
// its text: parse, model and emit, without writing files.
func BenchmarkGenerateLayer228(b *testing.B) {
	src, err := os.ReadFile(layer228Path)
	if err != nil {
		b.Skipf("%s is not there (the schemas directory sits beside the repository)", layer228Path)
	}
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for range b.N {
		m, err := gen.LoadModel(src, gen.Config{Package: "l228", Filename: "api-layer228.tl"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := emit.Package(m); err != nil {
			b.Fatal(err)
		}
	}
}
