// Command tlgen generates a Go package from a TL schema.
//
// Usage:
//
//	tlgen generate -schema FILE -out DIR -package NAME
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tgraw/tgraw/gen"
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

	tlgen generate -schema FILE -out DIR -package NAME

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
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: tlgen generate -schema FILE -out DIR [-package NAME]\n\nGenerates a Go package with a struct per constructor and function of the\nschema, binary encoding, a registry and a typed Client.\n\nFlags:\n")
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
	files, err := gen.Generate(src, gen.Config{Package: name, Filename: *schema})
	if err != nil {
		return err
	}
	return gen.WriteDir(*out, files)
}
