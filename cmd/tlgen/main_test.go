package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tgraw/tgraw/gen/tldiff"
	"github.com/tgraw/tgraw/internal/gotdschema"
)

// runTool runs tlgen with args and returns its output, error and exit
// status.
func runTool(args ...string) (stdout, stderr string, code int, err error) {
	var o, e bytes.Buffer
	err = run(args, &o, &e)
	if err != nil {
		code = exitCode(err)
	}
	return o.String(), e.String(), code, err
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestUsage(t *testing.T) {
	out, _, code, err := runTool("-h")
	if err != nil || code != 0 || !strings.Contains(out, "tlgen diff [-json] OLD.tl NEW.tl") || !strings.Contains(out, "tlgen fetch") {
		t.Errorf("-h: %v, %q", err, out)
	}
	for _, cmd := range []string{"generate", "fetch", "diff"} {
		_, stderr, code, err := runTool(cmd, "-h")
		if !errors.Is(err, flag.ErrHelp) || code != 2 || !strings.Contains(stderr, "Usage: tlgen "+cmd) {
			t.Errorf("%s -h: %v, status %d, %q", cmd, err, code, stderr)
		}
	}
	if _, _, code, _ := runTool("nosuch"); code != 2 {
		t.Errorf("unknown command: status %d, want 2", code)
	}
}

const (
	oldSchema = `boolFalse#bc799737 = Bool;
boolTrue#997275b5 = Bool;
user#1 flags:# id:long name:flags.0?string = User;
---functions---
users.get#10 id:long = User;
users.drop#11 id:long = Bool;
// LAYER 1
`
	additiveSchema = `boolFalse#bc799737 = Bool;
boolTrue#997275b5 = Bool;
user#2 flags:# id:long name:flags.0?string photo:flags.1?long = User;
---functions---
users.get#10 id:long = User;
users.drop#11 id:long = Bool;
users.find#12 q:string = Vector<User>;
// LAYER 2
`
	breakingSchema = `boolFalse#bc799737 = Bool;
boolTrue#997275b5 = Bool;
user#3 flags:# id:long = User;
userEmpty#4 id:long = User;
---functions---
users.get#10 id:long = User;
// LAYER 3
`
)

func TestDiffCommand(t *testing.T) {
	dir := t.TempDir()
	oldPath, addPath, breakPath := filepath.Join(dir, "old.tl"), filepath.Join(dir, "add.tl"), filepath.Join(dir, "break.tl")
	writeFile(t, oldPath, oldSchema)
	writeFile(t, addPath, additiveSchema)
	writeFile(t, breakPath, breakingSchema)

	out, _, code, err := runTool("diff", oldPath, addPath)
	if err != nil || code != 0 {
		t.Fatalf("additive diff: %v, status %d", err, code)
	}
	want := `layer 1 -> 2: 3 changes: 0 breaking, 2 additive, 1 wire only
additive  field added          user.photo: flags.1?long              struct User gains the field Photo int64, with HasPhoto, SetPhoto and ClearPhoto
additive  function added       users.find: users.find#00000012       new method (*Client).UsersFind and struct UsersFindRequest
none      constructor changed  user: user#00000001 -> user#00000002  UserTypeID changes from 0x00000001 to 0x00000002
`
	if out != want {
		t.Errorf("additive diff:\n%s\nwant:\n%s", out, want)
	}

	out, _, code, err = runTool("diff", oldPath, breakPath, "-json")
	if code != 1 || !errors.As(err, new(breakingError)) {
		t.Fatalf("breaking diff: %v, status %d, want status 1", err, code)
	}
	var r struct {
		tldiff.Report
		Breaking bool `json:"breaking"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("-json: %v\n%s", err, out)
	}
	var got []string
	for _, c := range r.Changes {
		got = append(got, fmt.Sprintf("%s %s %s", c.Effect, c.Kind, c.Subject()))
	}
	wantJSON := []string{
		"breaking field removed user.name",
		"breaking function removed users.drop",
		"breaking result changed users.get",
		"breaking type became an interface User",
		"additive constructor added userEmpty",
		"none constructor changed user",
	}
	if !r.Breaking || r.OldLayer != 1 || r.NewLayer != 3 || strings.Join(got, "\n") != strings.Join(wantJSON, "\n") {
		t.Errorf("-json: breaking %v, layers %d -> %d, changes:\n%s\nwant:\n%s", r.Breaking, r.OldLayer, r.NewLayer,
			strings.Join(got, "\n"), strings.Join(wantJSON, "\n"))
	}

	if _, _, code, _ := runTool("diff", oldPath); code != 2 {
		t.Errorf("diff with one file: status %d, want 2", code)
	}
	bad := filepath.Join(dir, "bad.tl")
	writeFile(t, bad, "a#1 x:Nope = A;\n")
	if _, _, code, err := runTool("diff", oldPath, bad); code != 2 || !strings.Contains(err.Error(), "bad.tl:1: a: field x: unknown type Nope") {
		t.Errorf("diff with a bad schema: %v, status %d", err, code)
	}
}

// TestDiffLayer228Command runs the command on layer 170 (gotd/td
// v0.93.0's telegram.tl) and the bundled layer 228: breaking, so status 1.
func TestDiffLayer228Command(t *testing.T) {
	l170, err := gotdschema.Path("telegram.tl")
	if err != nil {
		t.Fatal(err)
	}
	out, _, code, err := runTool("diff", l170, "../../schema/api.tl")
	if code != 1 || err == nil {
		t.Fatalf("status %d, %v; want 1", code, err)
	}
	out = strings.Join(strings.Fields(out), " ")
	for _, line := range []string{
		"layer 170 -> 228: ",
		"none constructor changed user: user#215c4438 -> user#b1b8cc83 UserTypeID changes from 0x215c4438 to 0xb1b8cc83",
		"breaking function removed channels.getSponsoredMessages: was channels.getSponsoredMessages#ec210fbf method (*Client).ChannelsGetSponsoredMessages",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q", line)
		}
	}
}

// fetchDir makes a schema directory with an api.tl of layer 1 and a
// schema.go, as the repository's schema directory has.
func fetchDir(t *testing.T) (dir, api, goFile string) {
	dir = t.TempDir()
	api, goFile = filepath.Join(dir, "api.tl"), filepath.Join(dir, "schema.go")
	writeFile(t, api, "// Source: somewhere\n\n"+oldSchema)
	writeFile(t, goFile, "package schema\n\n// Layer is the layer.\nconst Layer = 1\n")
	return dir, api, goFile
}

// assertUnchanged checks that the schema directory holds what fetchDir
// wrote and no temporary file.
func assertUnchanged(t *testing.T, dir, api, goFile string) {
	t.Helper()
	if got := readFile(t, api); got != "// Source: somewhere\n\n"+oldSchema {
		t.Errorf("api.tl changed:\n%s", got)
	}
	if got := readFile(t, goFile); got != "package schema\n\n// Layer is the layer.\nconst Layer = 1\n" {
		t.Errorf("schema.go changed:\n%s", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("directory holds %d files, want 2", len(entries))
	}
}

func TestFetchHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api.tl":
			fmt.Fprint(w, additiveSchema)
		case "/bad.tl":
			fmt.Fprint(w, "boolTrue#997275b5 = Bool;\nuser#1 id:long\n// LAYER 5\n")
		case "/unknown.tl":
			fmt.Fprint(w, "boolTrue#997275b5 = Bool;\n\nuser#1 photo:Photo = User;\n// LAYER 5\n")
		case "/nolayer.tl":
			fmt.Fprint(w, "boolTrue#997275b5 = Bool;\n")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	t.Run("ok", func(t *testing.T) {
		dir, api, goFile := fetchDir(t)
		url := srv.URL + "/api.tl"
		out, _, _, err := runTool("fetch", "-from", url, "-o", api)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(additiveSchema))
		hash := hex.EncodeToString(sum[:])
		want := "// Source: " + url + "\n// Source SHA-256: " + hash + "\n// Layer: 2\n// Content SHA-256: " + hash + "\n// Refresh with: go run ./cmd/tlgen fetch\n\n" + additiveSchema
		if got := readFile(t, api); got != want {
			t.Errorf("api.tl:\n%s\nwant:\n%s", got, want)
		}
		if got := readFile(t, goFile); got != "package schema\n\n// Layer is the layer.\nconst Layer = 2\n" {
			t.Errorf("schema.go:\n%s", got)
		}
		wantOut := fmt.Sprintf("%s: layer 2, SHA-256 %s, from %s; %s: Layer = 2\nlayer 1 -> 2: 3 changes, 0 breaking (tlgen diff OLD NEW lists them)\n", api, hash, url, goFile)
		if out != wantOut {
			t.Errorf("output:\n%s\nwant:\n%s", out, wantOut)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 2 {
			t.Errorf("directory holds %d files, want 2", len(entries))
		}
	})
	for _, tc := range []struct{ path, want string }{
		{"/missing.tl", "fetch: cannot download " + srv.URL + "/missing.tl: HTTP 404 Not Found; API is unchanged"},
		{"/bad.tl", "fetch: the schema does not load: " + srv.URL + `/bad.tl:2: bad definition: want "name#id fields = Type;"; API is unchanged`},
		{"/unknown.tl", "fetch: the schema does not load: " + srv.URL + "/unknown.tl:3: user: field photo: unknown type Photo; API is unchanged"},
		{"/nolayer.tl", "fetch: " + srv.URL + "/nolayer.tl has no \"// LAYER N\" line; API is unchanged"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			dir, api, goFile := fetchDir(t)
			_, _, code, err := runTool("fetch", "-from", srv.URL+tc.path, "-o", api)
			if err == nil || code != 1 {
				t.Fatalf("no error, status %d", code)
			}
			if want := strings.ReplaceAll(tc.want, "API", api); err.Error() != want {
				t.Errorf("error:\n got %s\nwant %s", err, want)
			}
			assertUnchanged(t, dir, api, goFile)
		})
	}
}

// TestFetchOffline fetches from a port of 127.0.0.1 where nothing listens,
// as a machine with no network would see any URL.
func TestFetchOffline(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String() + "/api.tl"
	l.Close()
	dir, api, goFile := fetchDir(t)
	_, _, code, err := runTool("fetch", "-from", url, "-o", api)
	if err == nil || code != 1 {
		t.Fatalf("no error, status %d", code)
	}
	want := fmt.Sprintf("fetch: cannot download %s (offline? -from FILE reads a schema you have): dial tcp %s: connect: connection refused; %s is unchanged",
		url, l.Addr(), api)
	if err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
	assertUnchanged(t, dir, api, goFile)
}

// sum is the hex SHA-256 of s.
func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// header is the provenance header fetch writes.
func header(source, sourceSum string, layer int, content string) string {
	return fmt.Sprintf("// Source: %s\n// Source SHA-256: %s\n// Layer: %d\n// Content SHA-256: %s\n// Refresh with: go run ./cmd/tlgen fetch\n\n",
		source, sourceSum, layer, sum(content))
}

// TestFetchFile fetches from local files: the source recorded is a URL,
// never the file's path.
func TestFetchFile(t *testing.T) {
	const origin = "https://example.org/api.tl"
	// dltl is a schema as gotd/td's cmd/dltl writes it: the source it
	// downloaded and the SHA-256 of what it downloaded, which is not this
	// text (dltl reformats it and merges other definitions in).
	dltlSum := strings.Repeat("ab", 32)
	dltl := "// Code generated by ./cmd/dltl, DO NOT EDIT.\n//\n// Source: " + origin + "\n// Merge:  _schema/legacy.tl\n// Layer:  3\n// SHA256: " + dltlSum + "\n\n" + breakingSchema

	t.Run("dltl header", func(t *testing.T) {
		dir, api, goFile := fetchDir(t)
		src := filepath.Join(t.TempDir(), "new.tl")
		writeFile(t, src, dltl)
		out, _, _, err := runTool("fetch", "-o", api, "-from", src)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := readFile(t, api), header(origin, dltlSum, 3, dltl)+dltl; got != want {
			t.Errorf("api.tl:\n%s\nwant:\n%s", got, want)
		}
		if !strings.Contains(readFile(t, goFile), "const Layer = 3\n") {
			t.Errorf("schema.go:\n%s", readFile(t, goFile))
		}
		wantOut := fmt.Sprintf("%s: layer 3, SHA-256 %s, from %s (source %s, SHA-256 %s); %s: Layer = 3\nlayer 1 -> 3: 6 changes, 4 breaking (tlgen diff OLD NEW lists them)\n",
			api, sum(dltl), src, origin, dltlSum, goFile)
		if out != wantOut {
			t.Errorf("output:\n%s\nwant:\n%s", out, wantOut)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 2 {
			t.Errorf("directory holds %d files, want 2", len(entries))
		}

		// A copy of a file fetch wrote keeps its source and one header.
		again := filepath.Join(t.TempDir(), "again.tl")
		writeFile(t, again, readFile(t, api))
		if _, _, _, err := runTool("fetch", "-o", api, "-from", again); err != nil {
			t.Fatal(err)
		}
		if got, want := readFile(t, api), header(origin, dltlSum, 3, dltl)+dltl; got != want {
			t.Errorf("api.tl after a second fetch:\n%s\nwant:\n%s", got, want)
		}
	})

	t.Run("-source", func(t *testing.T) {
		_, api, _ := fetchDir(t)
		src := filepath.Join(t.TempDir(), "new.tl")
		writeFile(t, src, breakingSchema)
		if _, _, _, err := runTool("fetch", "-o", api, "-from", src, "-source", origin); err != nil {
			t.Fatal(err)
		}
		if got, want := readFile(t, api), header(origin, sum(breakingSchema), 3, breakingSchema)+breakingSchema; got != want {
			t.Errorf("api.tl:\n%s\nwant:\n%s", got, want)
		}
	})

	t.Run("no source", func(t *testing.T) {
		dir, api, goFile := fetchDir(t)
		src := filepath.Join(t.TempDir(), "new.tl")
		writeFile(t, src, breakingSchema)
		_, _, code, err := runTool("fetch", "-o", api, "-from", src)
		if want := "fetch: " + src + " does not say where it came from: give -source URL, the address it was downloaded from; " + api + " is unchanged"; code != 1 || err == nil || err.Error() != want {
			t.Errorf("got %v, status %d; want %s", err, code, want)
		}
		assertUnchanged(t, dir, api, goFile)
	})

	t.Run("bad -source", func(t *testing.T) {
		for _, args := range [][]string{
			{"-from", "somewhere.tl", "-source", "somewhere-else.tl"},
			{"-from", origin, "-source", origin},
		} {
			dir, api, goFile := fetchDir(t)
			if _, _, code, _ := runTool(append([]string{"fetch", "-o", api}, args...)...); code != 2 {
				t.Errorf("%q: status %d, want 2", args, code)
			}
			assertUnchanged(t, dir, api, goFile)
		}
	})

	t.Run("missing file", func(t *testing.T) {
		dir, api, _ := fetchDir(t)
		_, _, code, err := runTool("fetch", "-o", api, "-from", filepath.Join(dir, "nosuch.tl"))
		if code != 1 || !strings.Contains(err.Error(), "no such file") {
			t.Errorf("missing file: %v, status %d", err, code)
		}
	})
}

func TestGenerateOnly(t *testing.T) {
	dir := t.TempDir()
	if _, _, _, err := runTool("generate", "-schema", "../../schema/api.tl", "-out", dir, "-package", "subset", "-only", "messages.sendMessage,channels.*"); err != nil {
		t.Fatal(err)
	}
	reg := readFile(t, filepath.Join(dir, "registry_gen.go"))
	for _, want := range []string{`"messages.sendMessage"`, `"channels.inviteToChannel"`, `"invokeWithLayer"`, `"inputPeerChannel"`} {
		if !strings.Contains(reg, want) {
			t.Errorf("registry lacks %s", want)
		}
	}
	if client := readFile(t, filepath.Join(dir, "client_gen.go")); !strings.Contains(client, "func WithLayer() ClientOption") {
		t.Error("client_gen.go lacks WithLayer")
	}
	for _, absent := range []string{`"users.getUsers"`, `"messages.getHistory"`, `"account.updateProfile"`} {
		if strings.Contains(reg, absent) {
			t.Errorf("registry has %s", absent)
		}
	}
	_, _, code, err := runTool("generate", "-schema", "../../schema/api.tl", "-out", t.TempDir(), "-package", "subset", "-only", "messages.sendMesage")
	if code != 1 || err.Error() != `subset: pattern "messages.sendMesage" matches no function of the schema` {
		t.Errorf("unknown function: %v, status %d", err, code)
	}
	_, _, _, err = runTool("generate", "-schema", "../../schema/api.tl", "-out", t.TempDir(), "-package", "subset", "-only", "inputPeer*")
	if err == nil || err.Error() != `subset: pattern "inputPeer*" matches constructor inputPeerEmpty but no function: -only selects functions, and the types they need come with them` {
		t.Errorf("constructor pattern: %v", err)
	}
}

// TestGenerateCode checks -code: the constructors of the listed types keep
// generated codecs, every other definition calls the runtime, and a name
// that is no type of the schema fails with status 1, naming it.
func TestGenerateCode(t *testing.T) {
	dir := t.TempDir()
	schema := filepath.Join(dir, "t.tl")
	writeFile(t, schema, oldSchema)
	out := filepath.Join(dir, "p")
	if _, _, _, err := runTool("generate", "-schema", schema, "-out", out, "-code", "Bool"); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, name := range []string{"tl_b_gen.go", "tl_u_gen.go", "tl_users_gen.go"} {
		all.WriteString(readFile(t, filepath.Join(out, name)))
	}
	src := all.String()
	for _, want := range []string{
		"func (m *BoolTrue) EncodeBare(b *bin.Buffer) error {\n\tif m == nil {",
		"func (m *User) EncodeBare(b *bin.Buffer) error {\n\treturn tlrt.EncodeFields(b, &wireSchema, ",
		"func (m *UsersGetRequest) Encode(b *bin.Buffer) error {\n\treturn tlrt.EncodeBoxedFields(b, &wireSchema, ",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("the generated code lacks %q", want)
		}
	}
	_, _, code, err := runTool("generate", "-schema", schema, "-out", out, "-code", "Bool,user")
	if want := schema + ": code: user is a constructor, not a type: list its type User"; code != 1 || err == nil || err.Error() != want {
		t.Errorf("-code with a constructor: %v, status %d, want %q", err, code, want)
	}
	if _, stderr, _, _ := runTool("generate", "-h"); !strings.Contains(stderr, "-code types") {
		t.Errorf("generate -h does not document -code:\n%s", stderr)
	}
}
