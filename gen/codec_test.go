package gen_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tgraw/tgraw/gen"
)

// tgCode returns the -code list that generate.go gives tlgen for tg, so
// that tests generate tg as go generate does, at any layer.
func tgCode(t testing.TB) []string {
	t.Helper()
	src, err := os.ReadFile("../generate.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(src), "\n") {
		args := strings.Fields(strings.TrimPrefix(line, "//go:generate "))
		if !strings.HasPrefix(line, "//go:generate ") || !hasArgs(args, "-out", "tg") {
			continue
		}
		for i, a := range args {
			if a == "-code" && i+1 < len(args) {
				return []string{args[i+1]}
			}
		}
		t.Fatalf("generate.go: the go:generate line of tg has no -code list: %s", line)
	}
	t.Fatal("generate.go has no go:generate line for tg (-out tg)")
	return nil
}

// hasArgs reports whether args holds flag followed by value.
func hasArgs(args []string, flag, value string) bool {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == flag && args[i+1] == value {
			return true
		}
	}
	return false
}

// TestTGCode checks that generate.go's -code list for tg names types of
// the bundled layer and of gotd/td's layer 170 both, that each keeps a
// generated codec for a few hundred constructors at most, and that no
// function keeps one.
func TestTGCode(t *testing.T) {
	code := tgCode(t)
	for _, path := range []string{"../schema/api.tl", gotdSchema(t, "telegram.tl")} {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m, err := gen.LoadModel(src, gen.Config{Package: "tg", Filename: filepath.Base(path), Code: code})
		if err != nil {
			t.Fatalf("layer of %s: %v", path, err)
		}
		n := 0
		for _, d := range m.Defs {
			if d.Code {
				n++
			}
			if d.Code && d.Function {
				t.Errorf("layer %d: function %s keeps a generated codec", m.Layer, d.TLName)
			}
		}
		t.Logf("layer %d: %d of %d definitions keep generated codecs", m.Layer, n, len(m.Defs))
		if n < 100 || n > 400 {
			t.Errorf("layer %d: %d definitions keep generated codecs, want between 100 and 400", m.Layer, n)
		}
	}
}

// TestCodecForms checks the methods emitted for each definition of the
// table case and of tg with generate.go's list: unless the definition
// keeps a generated codec, Decode and DecodeBare hand the value to the
// runtime at the definition's root, and EncodeBare and Encode by the
// definition's row of the wire table, none of them inlined, and it has no
// DecodeBareAt (the runtime reads its fields by the wire table); and each
// field row of the wire table names the Go struct field that holds the
// field.
func TestCodecForms(t *testing.T) {
	cases := []struct {
		name string
		src  func() ([]byte, error)
		cfg  gen.Config
	}{
		{"table", func() ([]byte, error) { return os.ReadFile("testdata/table.tl") }, goldenConfig("table")},
	}
	if !testing.Short() {
		cases = append(cases, struct {
			name string
			src  func() ([]byte, error)
			cfg  gen.Config
		}{"tg", func() ([]byte, error) { return os.ReadFile("../schema/api.tl") }, gen.Config{Package: "tg", Filename: "api.tl", Code: tgCode(t)}})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, err := tc.src()
			if err != nil {
				t.Fatal(err)
			}
			m, files := generate(t, src, tc.cfg)
			methods, structs := parseGenerated(t, files)
			hot, cold := 0, 0
			for _, d := range m.Defs {
				want := map[string]string{}
				table := map[string]string{
					"Decode":     fmt.Sprintf("return tlrt.DecodeValue(b, &wireSchema, %d, m) // noinline", d.WireRoot),
					"DecodeBare": fmt.Sprintf("return tlrt.DecodeValueBare(b, &wireSchema, %d, m) // noinline", d.WireRoot),
					"Encode":     fmt.Sprintf("return tlrt.EncodeBoxedFields(b, &wireSchema, %d, unsafe.Pointer(m)) // noinline", d.WireDef),
					"EncodeBare": fmt.Sprintf("return tlrt.EncodeFields(b, &wireSchema, %d, unsafe.Pointer(m)) // noinline", d.WireDef),
				}
				for name, body := range table {
					if !d.Code {
						want[name] = body
						continue
					}
					got, ok := methods[d.GoName+"."+name]
					if !ok || strings.Contains(got, "DecodeValue") || strings.Contains(got, "Fields(") || strings.Contains(got, "noinline") {
						t.Errorf("%s.%s keeps a generated codec, but is:\n%s", d.GoName, name, got)
					}
				}
				if _, at := methods[d.GoName+".DecodeBareAt"]; at != d.Code {
					t.Errorf("%s: has DecodeBareAt: %v, keeps a generated codec: %v", d.GoName, at, d.Code)
				}
				if d.Code {
					hot++
				} else {
					cold++
				}
				for name, body := range want {
					if got := methods[d.GoName+"."+name]; got != body {
						t.Errorf("%s.%s is\n%s\nwant\n%s", d.GoName, name, got, body)
					}
				}
			}
			if hot == 0 || cold == 0 {
				t.Errorf("%d definitions keep generated codecs and %d do not: the case tests neither form", hot, cold)
			}
			for _, w := range m.Wire.Defs {
				fields := structs[w.Def.GoName]
				if w.Def != m.Wire.Defs[w.Def.WireDef].Def {
					t.Errorf("%s: WireDef %d is the row of %s", w.Def.TLName, w.Def.WireDef, m.Wire.Defs[w.Def.WireDef].Def.TLName)
				}
				for _, r := range m.Wire.Fields[w.Fields : w.Fields+len(w.Def.Fields)] {
					if r.Go >= len(fields) || fields[r.Go] != r.Field.GoName {
						t.Errorf("%s: field %s has Go index %d, the struct's fields are %v", w.Def.TLName, r.Field.TLName, r.Go, fields)
					}
				}
			}
		})
	}
}

// parseGenerated returns the bodies of the methods of files, by
// "Type.Method", with " // noinline" after those marked so, and the names
// of the fields of its structs, in order.
func parseGenerated(t *testing.T, files map[string][]byte) (methods map[string]string, structs map[string][]string) {
	t.Helper()
	methods, structs = map[string]string{}, map[string][]string{}
	fset := token.NewFileSet()
	for name, text := range files {
		f, err := parser.ParseFile(fset, name, text, parser.SkipObjectResolution|parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			switch decl := decl.(type) {
			case *ast.FuncDecl:
				if decl.Recv == nil || len(decl.Recv.List) != 1 {
					continue
				}
				recv, ok := decl.Recv.List[0].Type.(*ast.StarExpr)
				if !ok {
					continue
				}
				var b bytes.Buffer
				for _, s := range decl.Body.List {
					if b.Len() > 0 {
						b.WriteString("\n")
					}
					if err := printer.Fprint(&b, fset, s); err != nil {
						t.Fatal(err)
					}
				}
				if decl.Doc != nil && hasDirective(decl.Doc, "//go:noinline") {
					b.WriteString(" // noinline")
				}
				methods[fmt.Sprint(recv.X)+"."+decl.Name.Name] = b.String()
			case *ast.GenDecl:
				for _, spec := range decl.Specs {
					ts, ok := spec.(*ast.TypeSpec)
					if !ok {
						continue
					}
					st, ok := ts.Type.(*ast.StructType)
					if !ok {
						continue
					}
					names := []string{}
					for _, fd := range st.Fields.List {
						for _, n := range fd.Names {
							names = append(names, n.Name)
						}
					}
					structs[ts.Name.Name] = names
				}
			}
		}
	}
	return methods, structs
}

// hasDirective reports whether the comment group c holds the line
// directive.
func hasDirective(c *ast.CommentGroup, directive string) bool {
	for _, l := range c.List {
		if l.Text == directive {
			return true
		}
	}
	return false
}
