package gen_test

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tgraw/tgraw/gen"
	"github.com/tgraw/tgraw/gen/emit"
	"github.com/tgraw/tgraw/internal/gotdschema"
)

var scratchDir = flag.String("scratch", "", "build the scratch module of TestOtherSchemas in this new or empty `directory` and keep it")

// gotdLayerTag is the build tag of the tests that need tg at gotd/td's
// layer (internal/oracle's differential test and benchmarks); the files
// that pin the bundled layer's bytes (tg's examples) build without it.
const gotdLayerTag = "gotdlayer"

// scratchModule is a temporary copy of this module that generated packages
// are built and tested in. It keeps the module's path, go.mod and go.sum,
// so it resolves the same dependencies with no network and the test files
// it copies import what they import here. Builds use -trimpath: the
// compiled packages depend only on their import path and content, not on
// the temporary directory, so the build cache serves a later run.
type scratchModule struct {
	t   *testing.T
	dir string
}

func newScratchModule(t *testing.T) *scratchModule {
	t.Helper()
	dir := *scratchDir
	if dir == "" {
		dir = t.TempDir()
	} else if err := emptyDirOutside(dir, ".."); err != nil {
		t.Fatalf("-scratch: %v", err)
	}
	if err := copyTree("..", dir); err != nil {
		t.Fatal(err)
	}
	if *scratchDir != "" {
		t.Logf("scratch module in %s", dir)
	}
	return &scratchModule{t: t, dir: dir}
}

// emptyDirOutside makes dir if it does not exist and checks that it is
// empty and outside the tree root.
func emptyDirOutside(dir, root string) error {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	if rel, err := filepath.Rel(absRoot, absDir); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("%s is inside the module, which is copied into it", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s is not empty", dir)
	}
	return nil
}

// copyTree copies the regular files of the tree src into dst, leaving out
// directories whose names start with a dot (.git, .ci).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && rel != "." && strings.HasPrefix(d.Name(), "."):
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		case !d.Type().IsRegular():
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
}

// layerConstRE is the line of schema/schema.go that states the layer.
var layerConstRE = regexp.MustCompile(`(?m)^const Layer = \d+$`)

// bundle puts the schema at path in place of the bundled schema/api.tl,
// with schema.Layer to match, and regenerates tg from it, as tlgen fetch
// and go generate would (with generate.go's -code list). The copies of tg's tests then check the package
// of that layer.
func (s *scratchModule) bundle(path string) *gen.Model {
	s.t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		s.t.Fatal(err)
	}
	m, files := generate(s.t, src, gen.Config{Package: "tg", Filename: filepath.Base(path), Code: tgCode(s.t)})
	if err := gen.WriteDir(filepath.Join(s.dir, "tg"), files); err != nil {
		s.t.Fatal(err)
	}
	goFile := filepath.Join(s.dir, "schema", "schema.go")
	code, err := os.ReadFile(goFile)
	if err != nil {
		s.t.Fatal(err)
	}
	if !layerConstRE.Match(code) {
		s.t.Fatalf("%s has no %q line", goFile, "const Layer = N")
	}
	code = layerConstRE.ReplaceAll(code, fmt.Appendf(nil, "const Layer = %d", m.Layer))
	if err := os.WriteFile(goFile, code, 0o644); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, "schema", "api.tl"), src, 0o644); err != nil {
		s.t.Fatal(err)
	}
	return m
}

// add writes files as the package gentest/pkg of the module, with a test
// that checks with tlrttest.RoundTrip that every constructor and function
// of the schema m round-trips, and returns its directory as a go command
// argument.
func (s *scratchModule) add(pkg string, files map[string][]byte, m *gen.Model) string {
	s.t.Helper()
	dir := filepath.Join(s.dir, "gentest", pkg)
	if err := gen.WriteDir(dir, files); err != nil {
		s.t.Fatal(err)
	}
	test := fmt.Appendf(nil, roundTripTest, pkg, len(m.Defs))
	if err := os.WriteFile(filepath.Join(dir, "roundtrip_test.go"), test, 0o644); err != nil {
		s.t.Fatal(err)
	}
	return "./gentest/" + pkg
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

// run runs the go command in the module. A build from a cold cache on a
// loaded machine can take longer than the test may: the go command is
// stopped a minute before the test's deadline, so that the test fails
// with what it printed and leaves no build running behind it.
func (s *scratchModule) run(args ...string) {
	s.t.Helper()
	ctx := context.Background()
	if deadline, ok := s.t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-time.Minute))
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.WaitDelay = 10 * time.Second
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		s.t.Fatalf("go %s: stopped after %v, a minute before the test's deadline (a cold build cache on a loaded machine; -timeout gives more time)\n%s",
			strings.Join(args, " "), time.Since(start).Round(time.Second), out)
	}
	if err != nil {
		s.t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	s.t.Logf("go %s (%v):\n%s", strings.Join(args, " "), time.Since(start).Round(time.Second), out)
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

// gotdSchema returns the path of a schema of gotd/td's module.
func gotdSchema(t testing.TB, name string) string {
	t.Helper()
	path, err := gotdschema.Path(name)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// TestOtherSchemas builds, vets and tests, in one scratch module (a copy of
// this one):
//
//   - tg regenerated at layer 170 from gotd/td v0.93.0's telegram.tl, in
//     place of the bundled layer, with tg's own tests, which hold at any
//     layer, and internal/oracle's differential test against gotd/td's tg
//     of that layer (build tag gotdlayer), which covers every constructor
//     and function;
//   - gotd/td's encrypted.tl (secret chats) and tdapi.tl (TDLib's td_api,
//     whose int32, int53 and int64 are declared primitives), and a subset
//     of the bundled schema (-only), each with a round trip of every
//     constructor and function.
//
// With -scratch DIR the module stays in DIR, for a closer look: run
// "go test -tags gotdlayer -run '^$' -bench . ./internal/oracle" there to
// compare tg and gotd/td's tg on the same bytes.
func TestOtherSchemas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds large generated packages with the go command")
	}
	mod := newScratchModule(t)
	m := mod.bundle(gotdSchema(t, "telegram.tl"))
	ctors, fncs := countDefs(m)
	t.Logf("tg at layer %d: %d constructors, %d functions", m.Layer, ctors, fncs)
	pkgs := []string{"./tg", "./internal/oracle"}

	type schemaCase struct {
		pkg, path   string
		only        []string
		ctors, fncs int // expected counts; 0 to skip the check
	}
	for _, c := range []schemaCase{
		{pkg: "encrypted", path: gotdSchema(t, "encrypted.tl"), ctors: 93, fncs: 1},
		{pkg: "tdapi", path: gotdSchema(t, "tdapi.tl")},
		{pkg: "subset", path: "../schema/api.tl", only: []string{"messages.sendMessage,channels.*"}},
	} {
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
		pkgs = append(pkgs, mod.add(c.pkg, files, m))
	}
	mod.run(append([]string{"vet", "-trimpath", "-tags", gotdLayerTag}, pkgs...)...)
	mod.run(append([]string{"test", "-trimpath", "-tags", gotdLayerTag}, pkgs...)...)
}

// BenchmarkGenerate measures the time to regenerate tg from the bundled
// schema as go generate does: parse, model and emit, without writing
// files.
func BenchmarkGenerate(b *testing.B) {
	src, err := os.ReadFile("../schema/api.tl")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	cfg := gen.Config{Package: "tg", Filename: "api.tl", Code: tgCode(b)}
	for b.Loop() {
		m, err := gen.LoadModel(src, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := emit.Package(m); err != nil {
			b.Fatal(err)
		}
	}
}
