package tlrttest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tlrt"
	"github.com/tgraw/tgraw/tlrt/internal/nodes"
	"github.com/tgraw/tgraw/tlrt/tlrttest"
)

func TestRoundTripNodes(t *testing.T) {
	tlrttest.RoundTrip(t, tlrttest.Package{IDs: nodes.IDs(), New: nodes.New, Name: nodes.Name, DecodeObject: nodes.DecodeObject})
}

// recorder is a testing.TB that keeps the errors reported to it.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// lossy is a leaf that forgets its field when decoded.
type lossy struct{ nodes.Leaf }

func (m *lossy) Decode(b *bin.Buffer) error { return nodes.DecodeValue(b, m, false) }
func (m *lossy) DecodeBare(b *bin.Buffer) error {
	return nodes.DecodeValue(b, m, true)
}
func (m *lossy) DecodeBareAt(b *tlrt.Decoder, depth int) error {
	err := m.Leaf.DecodeBareAt(b, depth)
	m.N = 0
	return err
}

// greedy is a leaf whose decoding accepts input with no bytes for its
// field.
type greedy struct{ nodes.Leaf }

func (m *greedy) Decode(b *bin.Buffer) error { return nodes.DecodeValue(b, m, false) }
func (m *greedy) DecodeBare(b *bin.Buffer) error {
	return nodes.DecodeValue(b, m, true)
}
func (m *greedy) DecodeBareAt(b *tlrt.Decoder, depth int) error {
	if b.Len() == 0 {
		return nil
	}
	return m.Leaf.DecodeBareAt(b, depth)
}

// TestRoundTripReports checks that RoundTrip reports a type that does not
// decode what it encodes, and one that decodes a prefix of its encoding.
func TestRoundTripReports(t *testing.T) {
	for name, bad := range map[string]func() tlrt.Object{
		"encode, decode, encode differs": func() tlrt.Object { return &lossy{} },
		"decodes with no error":          func() tlrt.Object { return &greedy{} },
	} {
		t.Run(name, func(t *testing.T) {
			p := tlrttest.Package{IDs: nodes.IDs(), Name: nodes.Name, DecodeObject: nodes.DecodeObject,
				New: func(id uint32) tlrt.Object {
					if id == nodes.LeafID {
						return bad()
					}
					return nodes.New(id)
				}}
			r := &recorder{TB: t}
			tlrttest.RoundTrip(r, p)
			if len(r.errors) != 1 || !strings.HasPrefix(r.errors[0], "0x00000011 leaf: ") || !strings.Contains(r.errors[0], name) {
				t.Errorf("reported %q, want one error for leaf: %s", r.errors, name)
			}
		})
	}
}
