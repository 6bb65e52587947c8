package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tgraw/tgraw/gen"
	"github.com/tgraw/tgraw/gen/tldiff"
)

// breakingError makes tlgen exit with status 1 once the report is written.
type breakingError struct{ n int }

func (e breakingError) Error() string {
	return fmt.Sprintf("diff: %d breaking changes", e.n)
}

func diff(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "write the report as JSON")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: tlgen diff [-json] OLD.tl NEW.tl

Says what NEW changes from OLD: constructors and functions added, removed
or changed (same name, new ID); fields added, removed, retyped, made
optional or required; types that turn from a struct into an interface or
back. Each change is marked with its effect on the generated Go API:
breaking, additive, or none (the wire changes, the Go API does not).

The exit status is 1 when a change is breaking, 0 otherwise, and 2 when
the command is used wrongly or a schema does not load.

Flags:
`)
		fs.PrintDefaults()
	}
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 2 {
		fs.Usage()
		return usageError{"diff: want two schema files, OLD and NEW"}
	}
	var models [2]*gen.Model
	for i, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			return usageError{"diff: " + err.Error()}
		}
		m, err := gen.LoadModel(src, gen.Config{Package: "tg", Filename: filepath.ToSlash(name)})
		if err != nil {
			return usageError{err.Error()}
		}
		models[i] = m
	}
	r := tldiff.Diff(models[0], models[1])
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(jsonReport{Report: r, Breaking: r.Breaking()}); err != nil {
			return err
		}
	} else if err := r.WriteText(stdout); err != nil {
		return err
	}
	if n := r.Count(tldiff.Breaking); n > 0 {
		return breakingError{n}
	}
	return nil
}

// jsonReport is the JSON form of a report.
type jsonReport struct {
	*tldiff.Report
	Breaking bool `json:"breaking"`
}

// parseInterleaved parses flags that may come before, between or after
// the positional arguments, which it returns.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
