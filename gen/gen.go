// Package gen is the front of tlgen, the generator that turns a TL schema
// into a Go package: a struct per constructor and function with exact
// binary encoding, an interface per type of several constructors, a
// registry and a typed Client.
//
// The generator is a pipeline of three stages, each readable on its own:
//
//   - Parse reads the schema text with github.com/gotd/tl;
//   - BuildModel makes every Go naming and typing decision (model.go,
//     names.go, presence.go, gotype.go): Go names, which structs are held
//     by pointer, how an optional field is known to be present and the
//     names of its presence methods, the Go spelling of every type;
//   - package gen/emit renders the model with github.com/dave/jennifer,
//     reading it and deciding nothing.
//
// LoadModel runs the first two, with the codecs Config.Code asks for,
// restricted to a subset if asked, and WriteDir puts emitted files on
// disk. Tools that only read the model,
// such as gen/tldiff, which compares two, need no emitter.
//
// # Any TL file
//
// The generator is not tied to the Telegram API schema. It reads
//
//   - constructors and functions ("---types---" and "---functions---"),
//     with explicit IDs or, where an ID is missing, the CRC32 that gotd/tl
//     computes from the line as written;
//   - flags words (#, several per definition) and optional fields
//     flags.N?T, flags.N?true included;
//   - boxed Vector<T> and bare vector<T>, bare references (%Type, or a
//     constructor's lower-case name, with or without %) and boxed ones;
//   - generic functions {X:Type} ... query:!X = X, whose query is any
//     Object of the package, and fields of type Object, which hold any
//     value even where a constructor declares the type Object (MTProto's
//     gzip_packed);
//   - primitive declarations: "int#a8509bda ? = Int", "bytes = Bytes", and
//     TDLib's "int32 = Int32", "int53 = Int53", "int64 = Int64", which are
//     4-, 8- and 8-byte integers (Go int, int64, int64). The built-in
//     primitives int, long, double, string, bytes, int128 and int256 need
//     no declaration. A declaration keeps an empty struct of its ID, so
//     the registry knows every ID of the schema;
//   - "// LAYER N" (Model.Layer, the package's Layer) and "//@" doc
//     annotations (//@class, //@description, //@param), which gotd/tl
//     checks against the parameters and which become the doc comments of
//     the generated types and fields.
//
// It refuses, with an error at file:line that says why: a declaration of
// any other primitive ("float ? = Float"); a boxed reference to a
// primitive type (Int, Vector<Int32>: use int, vector<int32>); a generic
// type other than Vector and vector; a bare reference to a type of
// several constructors; true outside a flag; a flag that names no #
// field before it, or a bit above 31; two definitions with one ID, two
// constructors or two functions with one name, two fields with one name;
// a type no definition builds; and any line gotd/tl cannot parse
// (definitions on several lines, comments after a definition, TL's
// repetition syntax beyond the built-in vector).
//
// # Generated codecs and codecs by the schema
//
// Every struct has the methods of tlrt.Object. By default they are
// generated code that reads and writes the fields one by one. With
// Config.Code (tlgen's -code), only the constructors of the listed types
// keep that code, those on the hot path of decoding (messages, peers,
// users, updates); every other definition's methods hand the value to the
// runtime, which encodes and decodes it as the package's wire table
// describes it. The package then compiles in a fraction of the time and
// memory, and the definitions by the table cost more to run.
//
// The wire form follows TL to the letter: a field typed with a
// lower-case constructor name is bare, as is vector<T>. For TDLib's
// td_api.tl, whose fields name single-constructor types in lower case
// ("photo:file"), this gives structs with no constructor ID inside
// vectors and fields; TDLib itself exchanges td_api objects as JSON, so
// that binary form round-trips but is spoken by no server.
package gen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/gotd/tl"
)

// Config says what to generate.
type Config struct {
	// Package is the Go package name of the output.
	Package string
	// Filename names the schema in errors; "schema.tl" if empty.
	Filename string
	// Only, if not empty, restricts the output to the functions these
	// patterns match and the types they need (see Subset).
	Only []string
	// Code, if not empty, names the boxed types ("Message",
	// "messages.Messages", several to an element if separated by commas)
	// whose constructors keep generated codecs; every
	// other definition, functions included, takes its codec from the wire
	// table, which costs less to compile and more to run (see Def.Code).
	// Empty, every definition keeps a generated codec.
	Code []string
}

// LoadModel parses src and builds its model, with the generated codecs
// cfg.Code asks for, restricted to cfg.Only if set. Errors name the file
// and line: "api.tl:12: user: field photo: unknown type UserPhoto".
func LoadModel(src []byte, cfg Config) (*Model, error) {
	if cfg.Package == "" {
		return nil, fmt.Errorf("gen: no package name")
	}
	if !token.IsIdentifier(cfg.Package) || cfg.Package == "_" {
		return nil, fmt.Errorf("gen: package name %q is not valid: want a Go identifier other than a keyword or _", cfg.Package)
	}
	filename := cfg.Filename
	if filename == "" {
		filename = "schema.tl"
	}
	s, err := Parse(src, filename)
	if err != nil {
		return nil, err
	}
	m, err := BuildModel(s, cfg.Package, DefinitionLines(src))
	if err == nil {
		err = decideCode(m, cfg.Code)
	}
	if err != nil {
		var me *ModelError
		if errors.As(err, &me) && me.File == "" {
			me.File = filename
		}
		return nil, err
	}
	if len(cfg.Only) > 0 {
		return Subset(m, cfg.Only)
	}
	return m, nil
}

// lineErrRE matches gotd/tl's parse errors, which name a line.
var lineErrRE = regexp.MustCompile(`^failed to parse line (\d+): (.*)$`)

// Parse parses a TL schema. Errors name the file and line.
func Parse(src []byte, filename string) (*tl.Schema, error) {
	if filename == "" {
		filename = "schema.tl"
	}
	s, err := tl.Parse(bytes.NewReader(src))
	if err != nil {
		if m := lineErrRE.FindStringSubmatch(err.Error()); m != nil {
			return nil, fmt.Errorf("%s:%s: %s", filename, m[1], parseMessage(m[2]))
		}
		return nil, fmt.Errorf("%s: %w", filename, err)
	}
	if len(s.Definitions) == 0 {
		return nil, fmt.Errorf("%s: no definitions", filename)
	}
	return s, nil
}

// parseMessage rewords gotd/tl's description of a bad line so that it
// says what is wrong: "definition: failed to parse param: ..." becomes
// "bad definition: bad parameter: ...".
func parseMessage(msg string) string {
	if m := badIDRE.FindStringSubmatch(msg); m != nil {
		msg = m[1] + fmt.Sprintf("invalid ID %q: want at most 8 hex digits", m[2])
	}
	if m := badAnnotationRE.FindStringSubmatch(msg); m != nil {
		msg = fmt.Sprintf("bad annotation: @%s names no parameter of the definition", m[1])
	}
	r := strings.NewReplacer(
		"definition: ", "bad definition: ",
		"failed to parse param: ", "bad parameter: ",
		"failed to parse type: ", "bad type: ",
		"unexpected definition elements", `want "name#id fields = Type;"`,
		"definition part is blank", "the name or the type is missing",
	)
	return r.Replace(msg)
}

var (
	badIDRE         = regexp.MustCompile(`^(.*?)(\S+) is invalid id: .*$`)
	badAnnotationRE = regexp.MustCompile(`^can't find param for annotation "(.*)"$`)
)

// DefinitionLines returns the line number of each definition of src, in
// the order gotd/tl's parser returns them, for error messages. It skips
// the lines the parser skips: blank lines, comments, the section markers
// and the built-in vector declaration.
func DefinitionLines(src []byte) []int {
	var lines []int
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		n++
		s := strings.TrimSpace(sc.Text())
		switch {
		case s == "", strings.HasPrefix(s, "//"),
			s == "---functions---", s == "---types---",
			s == "vector {t:Type} # [ t ] = Vector t;",
			s == "vector#1cb5c415 {t:Type} # [ t ] = Vector t;":
			continue
		}
		lines = append(lines, n)
	}
	return lines
}

// WriteDir writes files into dir, creating it if needed, and removes the
// *_gen.go files that a previous run left there and this one did not
// produce. Files whose content did not change are not rewritten.
func WriteDir(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(dir, "*_gen.go"))
	if err != nil {
		return err
	}
	for _, p := range old {
		if _, keep := files[filepath.Base(p)]; !keep {
			if err := os.Remove(p); err != nil {
				return err
			}
		}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := filepath.Join(dir, name)
		if cur, err := os.ReadFile(p); err == nil && bytes.Equal(cur, files[name]) {
			continue
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}
