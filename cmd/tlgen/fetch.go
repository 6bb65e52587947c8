package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tgraw/tgraw/gen"
	"github.com/tgraw/tgraw/gen/tldiff"
)

// defaultSource is where Telegram Desktop keeps the API schema: the
// newest layer, in the form the official apps build from.
const defaultSource = "https://raw.githubusercontent.com/telegramdesktop/tdesktop/dev/Telegram/SourceFiles/mtproto/scheme/api.tl"

// maxSchemaSize bounds a download: api.tl is well under 1 MB.
const maxSchemaSize = 64 << 20

func fetch(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fetch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", defaultSource, "`URL or file` to read the schema from")
	out := fs.String("o", "schema/api.tl", "schema `file` to replace")
	timeout := fs.Duration("timeout", time.Minute, "give up a download after this `duration`")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: tlgen fetch [-from URL|FILE] [-o schema/api.tl]

Refreshes the bundled schema. It reads the schema from -from (by default,
Telegram Desktop's api.tl), checks that it parses and that tlgen can build
its model, and only then replaces -o, atomically, with the schema behind a
provenance header: source, SHA-256 of the content read, layer. When the
directory of -o holds a schema.go with a "const Layer = N" line, that line
is updated to the new layer too. On any failure the old file stays as it
was.

Then run "go generate ./..." to regenerate the Go package.

Flags:
`)
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		fs.Usage()
		return usageError{fmt.Sprintf("fetch: unexpected argument %q", pos[0])}
	}

	body, err := readSource(*from, *timeout)
	if err != nil {
		return fmt.Errorf("fetch: %w; %s is unchanged", err, *out)
	}
	// A file that fetch wrote keeps one header: the new one.
	body = headerRE.ReplaceAll(body, nil)
	m, err := gen.LoadModel(body, gen.Config{Package: "tg", Filename: *from})
	if err != nil {
		return fmt.Errorf("fetch: the schema does not load: %w; %s is unchanged", err, *out)
	}
	if m.Layer == 0 {
		return fmt.Errorf("fetch: %s has no \"// LAYER N\" line; %s is unchanged", *from, *out)
	}
	sum := sha256.Sum256(body)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "// Source: %s\n// Source SHA-256: %s\n// Layer: %d\n// Refresh with: go run ./cmd/tlgen fetch\n\n",
		*from, hex.EncodeToString(sum[:]), m.Layer)
	buf.Write(body)

	// Everything is written to temporary files first, then renamed.
	var renames [][2]string
	defer func() {
		for _, r := range renames {
			os.Remove(r[0])
		}
	}()
	tmp, err := writeTemp(*out, buf.Bytes())
	if err != nil {
		return fmt.Errorf("fetch: %w; %s is unchanged", err, *out)
	}
	renames = append(renames, [2]string{tmp, *out})

	goFile := filepath.Join(filepath.Dir(*out), "schema.go")
	var goNote string
	if src, err := os.ReadFile(goFile); err == nil && layerConstRE.Match(src) {
		updated := layerConstRE.ReplaceAll(src, []byte("${1}"+strconv.Itoa(m.Layer)))
		if !bytes.Equal(updated, src) {
			tmp, err := writeTemp(goFile, updated)
			if err != nil {
				return fmt.Errorf("fetch: %w; %s is unchanged", err, *out)
			}
			renames = append(renames, [2]string{tmp, goFile})
			goNote = fmt.Sprintf("; %s: Layer = %d", goFile, m.Layer)
		}
	}

	summary := ""
	if old, err := os.ReadFile(*out); err == nil {
		if om, err := gen.LoadModel(old, gen.Config{Package: "tg", Filename: *out}); err == nil {
			r := tldiff.Diff(om, m)
			summary = fmt.Sprintf("layer %d -> %d: %d changes, %d breaking (tlgen diff OLD NEW lists them)\n",
				r.OldLayer, r.NewLayer, len(r.Changes), r.Count(tldiff.Breaking))
		}
	}

	for _, r := range renames {
		if err := os.Rename(r[0], r[1]); err != nil {
			return fmt.Errorf("fetch: %w", err)
		}
	}
	renames = nil
	fmt.Fprintf(stdout, "%s: layer %d, SHA-256 %s, from %s%s\n%s", *out, m.Layer, hex.EncodeToString(sum[:]), *from, goNote, summary)
	return nil
}

// layerConstRE is the line of schema.go that fetch keeps in step.
var layerConstRE = regexp.MustCompile(`(?m)^(const Layer = )\d+$`)

// headerRE matches the provenance header fetch writes at the top of a
// schema.
var headerRE = regexp.MustCompile(`\A// Source: [^\n]*\n// Source SHA-256: [0-9a-f]{64}\n// Layer: \d+\n// Refresh with: [^\n]*\n\n`)

// readSource reads a schema from a URL or a file.
func readSource(from string, timeout time.Duration) ([]byte, error) {
	if !strings.HasPrefix(from, "http://") && !strings.HasPrefix(from, "https://") {
		return os.ReadFile(from)
	}
	client := &http.Client{Timeout: timeout}
	resp, err := client.Get(from)
	if err != nil {
		return nil, fmt.Errorf("cannot download %s (offline? -from FILE reads a schema you have): %w", from, unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("cannot download %s: HTTP %s", from, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSchemaSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot download %s: %w", from, err)
	}
	if len(body) > maxSchemaSize {
		return nil, fmt.Errorf("cannot download %s: larger than %d bytes", from, maxSchemaSize)
	}
	return body, nil
}

// unwrapURLError drops the *url.Error wrapper, which repeats the method
// and URL the message already gives.
func unwrapURLError(err error) error {
	var u *url.Error
	if errors.As(err, &u) {
		return u.Err
	}
	return err
}

// writeTemp writes data to a new file beside path and returns its name.
func writeTemp(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(name, 0o644)
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}
