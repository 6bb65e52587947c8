package gen_test

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tgraw/tgraw/gen"
	"github.com/tgraw/tgraw/gen/emit"
	"github.com/tgraw/tgraw/tlrt"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenCases are the small schemas of testdata, each with a golden file of
// everything generated from it.
var goldenCases = []string{"flags", "vectors", "generics", "collisions", "docs", "table"}

// goldenConfig is the configuration a small schema of testdata is
// generated with: table's keeps generated codecs for two of its types
// only.
func goldenConfig(name string) gen.Config {
	cfg := gen.Config{Package: name, Filename: name + ".tl"}
	if name == "table" {
		cfg.Code = []string{"Message, Peer"}
	}
	return cfg
}

// generate runs the generator's pipeline on src: model, then emitter.
func generate(t testing.TB, src []byte, cfg gen.Config) (*gen.Model, map[string][]byte) {
	t.Helper()
	m, err := gen.LoadModel(src, cfg)
	if err != nil {
		t.Fatalf("%s: %v", cfg.Package, err)
	}
	files, err := emit.Package(m)
	if err != nil {
		t.Fatalf("%s: %v", cfg.Package, err)
	}
	return m, files
}

func generateTestdata(t *testing.T, name string) map[string][]byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name+".tl"))
	if err != nil {
		t.Fatal(err)
	}
	_, files := generate(t, src, goldenConfig(name))
	return files
}

// joinFiles puts files in one text, each after a "-- name --" line.
func joinFiles(files map[string][]byte) []byte {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, name := range names {
		b.WriteString("-- " + name + " --\n")
		b.Write(files[name])
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	for _, name := range goldenCases {
		t.Run(name, func(t *testing.T) {
			got := joinFiles(generateTestdata(t, name))
			path := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./gen -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s differs from the golden file (-want +got), run go test ./gen -update if the change is meant:\n%s", name, diff)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, name := range goldenCases {
		a := joinFiles(generateTestdata(t, name))
		b := joinFiles(generateTestdata(t, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two runs gave different output", name)
		}
	}
}

// TestGoldenCompiles builds and vets the code generated from each small
// schema as a package of this module, with the runtime of this module.
func TestGoldenCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds packages with the go command")
	}
	root, err := os.MkdirTemp("testdata", "build-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	var pkgs []string
	for _, name := range goldenCases {
		dir := filepath.Join(root, name)
		if err := gen.WriteDir(dir, generateTestdata(t, name)); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, "./"+filepath.ToSlash(dir))
	}
	for _, tool := range []string{"build", "vet"} {
		cmd := exec.Command("go", append([]string{tool}, pkgs...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", tool, err, out)
		}
	}
}

// TestPackageNames checks that the package-level names the emitter writes
// besides those of definitions and classes are the ones the model keeps
// generated names away from, gen.PackageNames.
func TestPackageNames(t *testing.T) {
	for _, name := range goldenCases {
		src, err := os.ReadFile(filepath.Join("testdata", name+".tl"))
		if err != nil {
			t.Fatal(err)
		}
		m, files := generate(t, src, goldenConfig(name))
		own := map[string]bool{}
		for _, d := range m.Defs {
			own[d.GoName], own[d.TypeIDName()] = true, true
		}
		for _, c := range m.Classes {
			own[c.Interface], own[c.Decoder], own[c.DecoderAt] = true, true, true
		}
		for file, text := range files {
			f, err := parser.ParseFile(token.NewFileSet(), file, text, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, imp := range f.Imports {
				p := strings.Trim(imp.Path.Value, `"`)
				names = append(names, p[strings.LastIndex(p, "/")+1:])
			}
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					if d.Recv == nil {
						names = append(names, d.Name.Name)
					}
				case *ast.GenDecl:
					for _, spec := range d.Specs {
						switch spec := spec.(type) {
						case *ast.TypeSpec:
							names = append(names, spec.Name.Name)
						case *ast.ValueSpec:
							for _, n := range spec.Names {
								names = append(names, n.Name)
							}
						}
					}
				}
			}
			for _, n := range names {
				if n != "_" && !own[n] && !slices.Contains(gen.PackageNames, n) {
					t.Errorf("%s: %s declares %s, which is not in gen.PackageNames", name, file, n)
				}
			}
		}
	}
}

// TestCollisionNames checks the names the model gives where Go names
// would meet: definitions, classes, fields, presence methods and the
// encoder's locals.
func TestCollisionNames(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "collisions.tl"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := gen.LoadModel(src, gen.Config{Package: "collisions", Filename: "collisions.tl"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range m.Defs {
		got[d.TLName] = d.GoName
		if d.Function {
			got[d.TLName+" method"] = d.Method
		}
		for _, f := range d.Fields {
			got[d.TLName+"."+f.TLName] = f.GoName
			if f.Local != "" {
				got[d.TLName+"."+f.TLName+" local"] = f.Local
			}
			if f.Methods != nil {
				got[d.TLName+"."+f.TLName+" methods"] = f.Methods.Has + " " + f.Methods.Set + " " + f.Methods.Clear
			}
		}
	}
	for _, c := range m.Classes {
		if c.Interface != "" {
			got[c.TLName+" interface"] = c.Interface
			got[c.TLName+" decoder"] = c.Decoder
		}
	}
	want := map[string]string{
		"a.b":                    "AB",
		"aB":                     "AB2",
		"fooRequest":             "FooRequest",
		"object":                 "Object2",
		"client":                 "Client2",
		"shape":                  "Shape",
		"circle":                 "Circle",
		"shapeClass":             "ShapeClass",
		"decodeShape":            "DecodeShape",
		"Err interface":          "ErrClass",
		"Err decoder":            "DecodeErr",
		"errA":                   "ErrA",
		"errB":                   "ErrB",
		"Shape interface":        "ShapeClass2",
		"Shape decoder":          "DecodeShape2",
		"record":                 "Record",
		"record.type_id":         "TypeIDField",
		"record.encode":          "EncodeField",
		"record.user_id":         "UserID",
		"record.userId":          "UserID2",
		"record.url":             "URL",
		"flagged":                "Flagged",
		"flagged.type":           "Type",
		"flagged.b":              "B",
		"flagged.len":            "Len",
		"flagged.i1":             "I1",
		"flagged.typeWord":       "TypeWord",
		"flagged.x":              "X",
		"flagged.y":              "Y",
		"flagged.z":              "Z",
		"flagged.w":              "W",
		"flagged.v":              "V",
		"flagged.type local":     "typeWord",
		"flagged.b local":        "bWord",
		"flagged.len local":      "lenWord",
		"flagged.i1 local":       "i1Word",
		"flagged.typeWord local": "typeWordWord",
		"flagged.x methods":      "HasX SetX ClearX",
		"flagged.y methods":      "HasY SetY ClearY",
		"flagged.z methods":      "HasZ SetZ ClearZ",
		"flagged.w methods":      "HasW SetW ClearW",
		"flagged.v methods":      "HasV SetV ClearV",
		"linked":                 "Linked",
		"linked.flags":           "Flags",
		"linked.flags local":     "flags",
		"linked.has_link":        "HasLink",
		"linked.link":            "Link",
		"linked.link methods":    "HasLink2 SetLink2 ClearLink2",
		"linked.clear_title":     "ClearTitle",
		"linked.title":           "Title",
		"linked.title methods":   "HasTitle2 SetTitle2 ClearTitle2",
		"linked.set_x":           "SetX",
		"linked.x":               "X",
		"linked.x methods":       "HasX2 SetX2 ClearX2",
		"linked.x2":              "X2",
		"linked.x2 methods":      "HasX22 SetX22 ClearX22",
		"foo":                    "FooRequest2",
		"foo method":             "Foo",
		"getA":                   "GetARequest",
		"getA method":            "GetA",
		"get_a":                  "GetARequest2",
		"get_a method":           "GetA2",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

// TestVersionCheck checks that generated code does not compile with a
// runtime older or newer than the range of versions it can work with.
func TestVersionCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("builds packages with the go command")
	}
	files := generateTestdata(t, "generics")
	doc := string(files["doc_gen.go"])
	want := fmt.Sprintf("_ = tlrt.EnforceVersion(tlrt.Version - %d)", tlrt.Version)
	if !strings.Contains(doc, want) {
		t.Fatalf("doc_gen.go lacks %q:\n%s", want, doc)
	}
	root, err := os.MkdirTemp("testdata", "build-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	for name, check := range map[string]string{
		"newer code": fmt.Sprintf("_ = tlrt.EnforceVersion(tlrt.Version - %d)", tlrt.Version+1),
		"older code": fmt.Sprintf("_ = tlrt.EnforceVersion(%d - tlrt.MinVersion)", tlrt.MinVersion-1),
	} {
		dir := filepath.Join(root, strings.ReplaceAll(name, " ", ""))
		old := want
		if name == "older code" {
			old = fmt.Sprintf("_ = tlrt.EnforceVersion(%d - tlrt.MinVersion)", tlrt.Version)
		}
		changed := maps.Clone(files)
		changed["doc_gen.go"] = []byte(strings.Replace(doc, old, check, 1))
		if bytes.Equal(changed["doc_gen.go"], files["doc_gen.go"]) {
			t.Fatalf("%s: no %q in doc_gen.go", name, old)
		}
		if err := gen.WriteDir(dir, changed); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("go", "build", "./"+filepath.ToSlash(dir)).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "EnforceVersion") {
			t.Errorf("%s: go build: %v\n%s\nwant a failure at the version check", name, err, out)
		}
	}
}
