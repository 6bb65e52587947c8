// Command tlgen generates a Go package from a TL schema, refreshes the
// bundled schema and says what a new layer changes.
//
// Usage:
//
//	tlgen generate -schema FILE -out DIR [-package NAME] [-only PATTERNS] [-code TYPES]
//	tlgen fetch [-from URL|FILE] [-o schema/api.tl]
//	tlgen diff [-json] OLD.tl NEW.tl
//
// Run "tlgen COMMAND -h" for the flags of a command.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tgraw/tgraw/gen"
	"github.com/tgraw/tgraw/gen/emit"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "tlgen:", err)
		}
		os.Exit(exitCode(err))
	}
}

// exitCode is 2 for usage errors, 1 otherwise.
func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `tlgen turns a TL schema into a Go package.

Usage:

	tlgen generate -schema FILE -out DIR [-package NAME] [-only PATTERNS] [-code TYPES]
	tlgen fetch [-from URL|FILE] [-o schema/api.tl]
	tlgen diff [-json] OLD.tl NEW.tl

generate  writes the Go package of a schema, or of a subset of its functions
fetch     refreshes the bundled schema from Telegram Desktop's api.tl
diff      says what a new schema changes, and what that does to the Go API

Run "tlgen COMMAND -h" for the flags of a command.
`

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command"}
	}
	switch args[0] {
	case "generate":
		return generate(args[1:], stderr)
	case "fetch":
		return fetch(args[1:], stdout, stderr)
	case "diff":
		return diff(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}

func generate(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	schema := fs.String("schema", "", "TL schema `file` to read (required)")
	out := fs.String("out", "", "output `directory`; its *_gen.go files are replaced (required)")
	pkg := fs.String("package", "", "Go package `name` of the output (default: the base name of -out)")
	only := fs.String("only", "", "generate only the functions these comma-separated `patterns` match\n(TL names, or path.Match patterns such as 'channels.*') and the types they need")
	code := fs.String("code", "", "keep generated codecs for the constructors of these comma-separated boxed `types`\n(TL names such as 'Message,messages.Messages') only; every other definition\nis encoded and decoded by the runtime from the package's wire table")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: tlgen generate -schema FILE -out DIR [-package NAME] [-only PATTERNS] [-code TYPES]

Generates a Go package with a struct per constructor and function of the
schema, binary encoding, a registry and a typed Client.

With -only, the package holds the functions the patterns match, the types
of their parameters and results and, for every type reached, all of its
constructors and what their fields need, recursively (and invokeWithLayer,
for WithLayer). Go names are those of the full package.

With -code, only the constructors of the listed types keep generated code
that encodes and decodes their fields one by one: the types on the hot
path of decoding. Every other definition, functions included, hands its
value to the runtime, which encodes and decodes it as the package's wire
table describes it: the package compiles with far less time and memory,
and those definitions cost more to encode and decode. Without -code,
every definition keeps generated code.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *schema == "" || *out == "" {
		fs.Usage()
		return usageError{"generate: -schema and -out are required"}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("generate: unexpected argument %q", fs.Arg(0))}
	}
	name := *pkg
	if name == "" {
		name = baseName(*out)
	}
	src, err := os.ReadFile(*schema)
	if err != nil {
		return err
	}
	cfg := gen.Config{Package: name, Filename: *schema}
	if *only != "" {
		cfg.Only = []string{*only}
	}
	if *code != "" {
		cfg.Code = []string{*code}
	}
	m, err := gen.LoadModel(src, cfg)
	if err != nil {
		return err
	}
	files, err := emit.Package(m)
	if err != nil {
		return err
	}
	return gen.WriteDir(*out, files)
}
