package schema

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"regexp"
	"strconv"
	"testing"
)

// TestLayer checks Layer against the schema's "// LAYER N" line and its
// provenance header (which tlgen fetch writes): the source is a URL with
// the SHA-256 of what was downloaded there, and the header's Content
// SHA-256 is that of the text behind it.
func TestLayer(t *testing.T) {
	m := regexp.MustCompile(`(?m)^// LAYER (\d+)$`).FindAllSubmatch(API, -1)
	if len(m) != 1 {
		t.Fatalf("api.tl has %d \"// LAYER\" lines, want 1", len(m))
	}
	if got, _ := strconv.Atoi(string(m[0][1])); got != Layer {
		t.Errorf("api.tl is layer %d, Layer is %d", got, Layer)
	}

	fields, body := provenance(t, "api.tl", API)
	if u, err := url.Parse(fields["Source"]); err != nil || u.Scheme != "https" || u.Host == "" {
		t.Errorf("header's Source %q is not an https URL", fields["Source"])
	}
	if !regexp.MustCompile(`\A[0-9a-f]{64}\z`).MatchString(fields["Source SHA-256"]) {
		t.Errorf("header's Source SHA-256 %q is not a SHA-256", fields["Source SHA-256"])
	}
	if fields["Layer"] != strconv.Itoa(Layer) {
		t.Errorf("header says layer %q, Layer is %d", fields["Layer"], Layer)
	}
	sum := sha256.Sum256(body)
	if fields["Content SHA-256"] != hex.EncodeToString(sum[:]) {
		t.Errorf("header says Content SHA-256 %s, the content behind it has %x", fields["Content SHA-256"], sum)
	}
}

// TestMTProto checks mtproto.tl's provenance header: the content behind it
// is the source the header names, with its SHA-256, once the one edit the
// header states (http_wait commented out) is undone.
func TestMTProto(t *testing.T) {
	fields, body := provenance(t, "mtproto.tl", MTProto)
	if fields["Source"] == "" || fields["Edited"] == "" {
		t.Errorf("header %q lacks Source or Edited", fields)
	}
	edit := []byte("\n// http_wait#")
	if bytes.Count(body, edit) != 1 {
		t.Fatalf("mtproto.tl: %d commented-out http_wait lines, want 1", bytes.Count(body, edit))
	}
	source := bytes.Replace(body, edit, []byte("\nhttp_wait#"), 1)
	sum := sha256.Sum256(source)
	if fields["Source SHA-256"] != hex.EncodeToString(sum[:]) {
		t.Errorf("header says SHA-256 %s, the source behind it has %x", fields["Source SHA-256"], sum)
	}
}

// provenance splits a schema into the fields of its header ("// Key:
// value" lines up to the first blank line) and the content behind it.
func provenance(t *testing.T, name string, src []byte) (map[string]string, []byte) {
	t.Helper()
	header, body, ok := bytes.Cut(src, []byte("\n\n"))
	if !ok {
		t.Fatalf("%s has no provenance header", name)
	}
	fields := map[string]string{}
	for _, line := range bytes.Split(header, []byte("\n")) {
		k, v, ok := bytes.Cut(bytes.TrimPrefix(line, []byte("// ")), []byte(": "))
		if !ok {
			t.Fatalf("%s: header line %q", name, line)
		}
		fields[string(k)] = string(v)
	}
	return fields, body
}
