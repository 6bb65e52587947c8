package gen

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
// and tested in. Its go.mod and go.sum are this module's, under the module
// path "tlgentest", so it resolves the same dependencies with no network.
// Builds use -trimpath: the compiled packages depend only on their import
// path and content, not on the temporary directory, so the build cache
// serves a later run.
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
	mod = regexp.MustCompile(`(?m)^module .*$`).ReplaceAll(mod, []byte("module tlgentest"))
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

// add writes files as package pkg of the module, with the round-trip test
// of testdata/harness and the given extra test files (names in
// testdata/harness, without ".txt").
func (s *scratchModule) add(pkg string, files map[string][]byte, m *Model, extra ...string) {
	s.t.Helper()
	dir := filepath.Join(s.dir, pkg)
	if err := WriteDir(dir, files); err != nil {
		s.t.Fatal(err)
	}
	tests := map[string][]byte{
		"counts_test.go": fmt.Appendf(nil, "package %s\n\n// wantIDs is the number of constructors and functions of the schema.\nconst wantIDs = %d\n", pkg, len(m.Defs)),
	}
	for _, name := range append([]string{"roundtrip_test.go"}, extra...) {
		src, err := os.ReadFile(filepath.Join("testdata", "harness", name+".txt"))
		if err != nil {
			s.t.Fatal(err)
		}
		tests[name] = bytes.Replace(src, []byte("package PKG\n"), []byte("package "+pkg+"\n"), 1)
	}
	for name, src := range tests {
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
}

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
func countDefs(m *Model) (ctors, funcs int) {
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
		extra       []string
	}
	cases := []schemaCase{
		{pkg: "encrypted", path: gotdSchema(t, "encrypted.tl"), ctors: 93, fncs: 1},
		{pkg: "tdapi", path: gotdSchema(t, "tdapi.tl")},
		{pkg: "subset", path: "../schema/api.tl", only: []string{"messages.sendMessage,channels.*"}},
	}
	if _, err := os.Stat(layer228Path); err == nil {
		cases = append(cases, schemaCase{pkg: "l228", path: layer228Path, ctors: 1653, fncs: 808, extra: []string{"layer_e2e_test.go"}})
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
		cfg := Config{Package: c.pkg, Filename: filepath.Base(c.path), Only: c.only}
		m, err := LoadModel(src, cfg)
		if err != nil {
			t.Fatalf("%s: %v", c.pkg, err)
		}
		ctors, fncs := countDefs(m)
		t.Logf("%s: %d constructors, %d functions", c.pkg, ctors, fncs)
		if c.ctors != 0 && (ctors != c.ctors || fncs != c.fncs) {
			t.Errorf("%s: %d constructors and %d functions, want %d and %d", c.pkg, ctors, fncs, c.ctors, c.fncs)
		}
		files, err := Generate(src, cfg)
		if err != nil {
			t.Fatalf("%s: %v", c.pkg, err)
		}
		mod.add(c.pkg, files, m, c.extra...)
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
	for b.Loop() {
		if _, err := Generate(src, Config{Package: "l228", Filename: "api-layer228.tl"}); err != nil {
			b.Fatal(err)
		}
	}
}
