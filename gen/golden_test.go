package gen

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenCases are the small schemas of testdata, each with a golden file of
// everything generated from it but the runtime, which never changes.
var goldenCases = []string{"flags", "vectors", "generics", "collisions"}

func generateTestdata(t *testing.T, name string) map[string][]byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name+".tl"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(src, Config{Package: name, Filename: name + ".tl"})
	if err != nil {
		t.Fatalf("generate %s: %v", name, err)
	}
	return files
}

// joinFiles puts files in one text, each after a "-- name --" line.
func joinFiles(files map[string][]byte) []byte {
	names := make([]string, 0, len(files))
	for name := range files {
		if name != "runtime_gen.go" {
			names = append(names, name)
		}
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
// schema, runtime included, as a package of this module.
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
		if err := WriteDir(dir, generateTestdata(t, name)); err != nil {
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

func TestCollisionNames(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "collisions.tl"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(src, "collisions.tl")
	if err != nil {
		t.Fatal(err)
	}
	m, err := BuildModel(s, "collisions", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range m.Defs {
		got[d.TLName] = d.GoName
		if d.Function {
			got[d.TLName+" method"] = d.Method
		}
		locals := flagsLocals(d)
		for _, f := range d.Fields {
			got[d.TLName+"."+f.TLName] = f.GoName
			if local, ok := locals[f]; ok {
				got[d.TLName+"."+f.TLName+" local"] = local
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
		"Err interface":          "ErrClass2",
		"Err decoder":            "DecodeErr2",
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

func TestSplitWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"inputPeerChannel", "InputPeerChannel"},
		{"access_hash", "AccessHash"},
		{"channel_id", "ChannelID"},
		{"getCdnConfig", "GetCDNConfig"},
		{"ipPort", "IPPort"},
		{"user_ids", "UserIDs"},
		{"url", "URL"},
		{"photo_small_2", "PhotoSmall2"},
		{"HTTPWait", "HTTPWait"},
		{"_x", "X"},
		{"2fa", "X2fa"},
		{"json", "JSON"},
	} {
		if got := pascal(tc.in); got != tc.want {
			t.Errorf("pascal(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := strings.Join(splitWords("inputPeerUserFromMessage"), " "); got != "input Peer User From Message" {
		t.Errorf("splitWords = %q", got)
	}
}

// TestRuntimePruned checks that the runtime keeps exactly the helpers the
// package uses: no dead code in generated packages.
func TestRuntimePruned(t *testing.T) {
	for _, tc := range []struct {
		schema      string
		keep, prune []string
	}{
		{"flags", []string{"decodeVector", "invoke", "decodeBoxed"}, []string{"decodeBareVector", "decodeBareVectorAt", "decodeBareValue"}},
		{"vectors", []string{"decodeBareVectorAt", "decodeBareValue", "decodeVector"}, []string{"decodeBareVector"}},
		{"generics", []string{"decodeObject"}, []string{"decodeValue", "decodePtr"}},
	} {
		rt := string(generateTestdata(t, tc.schema)["runtime_gen.go"])
		for _, name := range tc.keep {
			if !strings.Contains(rt, "func "+name+"[") && !strings.Contains(rt, "func "+name+"(") {
				t.Errorf("%s: runtime lacks %s", tc.schema, name)
			}
		}
		for _, name := range tc.prune {
			if strings.Contains(rt, "func "+name+"[") || strings.Contains(rt, "func "+name+"(") {
				t.Errorf("%s: runtime keeps unused %s", tc.schema, name)
			}
		}
	}
}
