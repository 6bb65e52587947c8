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
	source := fs.String("source", "", "`URL` that the file given to -from was downloaded from, to record as its source")
	out := fs.String("o", "schema/api.tl", "schema `file` to replace")
	timeout := fs.Duration("timeout", time.Minute, "give up a download after this `duration`")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: tlgen fetch [-from URL|FILE [-source URL]] [-o schema/api.tl]

Refreshes the bundled schema. It reads the schema from -from (by default,
Telegram Desktop's api.tl), checks that it parses and that tlgen can build
its model, and only then replaces -o, atomically, with the schema behind a
provenance header: the source URL, the SHA-256 of the source, the layer and
the SHA-256 of the schema text below the header. When the directory of -o
holds a schema.go with a "const Layer = N" line, that line is updated to
the new layer too. On any failure the old file stays as it was.

The source is a URL, never a local path. For -from FILE it is, in order:
-source; the source named by the provenance header the file carries, that
of a file fetch wrote or that of gotd/td's dltl ("// Source: URL" and
"// SHA256: HEX" comment lines, the SHA-256 of the original download); a
file with neither is refused.

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
	if *source != "" && (isURL(*from) || !isURL(*source)) {
		fs.Usage()
		return usageError{"fetch: -source takes the URL that the file given to -from was downloaded from"}
	}

	raw, err := readSource(*from, *timeout)
	if err != nil {
		return fmt.Errorf("fetch: %w; %s is unchanged", err, *out)
	}
	rawSum := sha256.Sum256(raw)
	prov := provenance{source: *source, sum: hex.EncodeToString(rawSum[:])}
	if isURL(*from) {
		prov.source = *from
	}
	// A file that fetch wrote keeps one header: the new one.
	body := raw
	own, hasOwn := ownProvenance(raw)
	if hasOwn {
		body = raw[own.headerLen:]
	}
	if prov.source == "" {
		switch up, ok := upstreamProvenance(body); {
		case hasOwn && isURL(own.source):
			prov = own.provenance
		case ok:
			prov = up
		default:
			return fmt.Errorf("fetch: %s does not say where it came from: give -source URL, the address it was downloaded from; %s is unchanged", *from, *out)
		}
	}
	m, err := gen.LoadModel(body, gen.Config{Package: "tg", Filename: *from})
	if err != nil {
		return fmt.Errorf("fetch: the schema does not load: %w; %s is unchanged", err, *out)
	}
	if m.Layer == 0 {
		return fmt.Errorf("fetch: %s has no \"// LAYER N\" line; %s is unchanged", *from, *out)
	}
	sum := sha256.Sum256(body)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "// Source: %s\n// Source SHA-256: %s\n// Layer: %d\n// Content SHA-256: %s\n// Refresh with: go run ./cmd/tlgen fetch\n\n",
		prov.source, prov.sum, m.Layer, hex.EncodeToString(sum[:]))
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
	origin := *from
	if prov.source != *from {
		origin += fmt.Sprintf(" (source %s, SHA-256 %s)", prov.source, prov.sum)
	}
	fmt.Fprintf(stdout, "%s: layer %d, SHA-256 %s, from %s%s\n%s", *out, m.Layer, hex.EncodeToString(sum[:]), origin, goNote, summary)
	return nil
}

// layerConstRE is the line of schema.go that fetch keeps in step.
var layerConstRE = regexp.MustCompile(`(?m)^(const Layer = )\d+$`)

// provenance is where a schema came from: the URL it was downloaded from
// and the SHA-256 of what was downloaded.
type provenance struct {
	source string
	sum    string // hex
}

// headerRE matches the provenance header fetch writes at the top of a
// schema; older versions wrote no Content SHA-256 line.
var headerRE = regexp.MustCompile(`\A// Source: ([^\n]*)\n// Source SHA-256: ([0-9a-f]{64})\n// Layer: \d+\n(?:// Content SHA-256: [0-9a-f]{64}\n)?// Refresh with: [^\n]*\n\n`)

// ownHeader is the provenance header of a file that fetch wrote.
type ownHeader struct {
	provenance
	headerLen int
}

// ownProvenance reads the header fetch writes, if src starts with one.
func ownProvenance(src []byte) (ownHeader, bool) {
	m := headerRE.FindSubmatch(src)
	if m == nil {
		return ownHeader{}, false
	}
	return ownHeader{provenance{string(m[1]), string(m[2])}, len(m[0])}, true
}

// upstreamProvenance reads the source that the leading comment lines of
// src name, as gotd/td's dltl writes them: "// Source: URL" and
// "// SHA256: HEX", the SHA-256 of what it downloaded from there.
func upstreamProvenance(src []byte) (provenance, bool) {
	var p provenance
	for line := range bytes.Lines(src) {
		text, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("//"))
		if !ok {
			break
		}
		k, v, ok := bytes.Cut(text, []byte(":"))
		if !ok {
			continue
		}
		v = bytes.TrimSpace(v)
		switch string(bytes.TrimSpace(k)) {
		case "Source":
			p.source = string(v)
		case "SHA256", "SHA-256", "Source SHA-256":
			p.sum = strings.ToLower(string(v))
		}
	}
	if !isURL(p.source) || !sha256RE.MatchString(p.sum) {
		return provenance{}, false
	}
	return p, true
}

var sha256RE = regexp.MustCompile(`\A[0-9a-f]{64}\z`)

// isURL reports whether s is an http or https URL, which fetch downloads.
func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// readSource reads a schema from a URL or a file.
func readSource(from string, timeout time.Duration) ([]byte, error) {
	if !isURL(from) {
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
