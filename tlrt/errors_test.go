package tlrt_test

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tlrt"
	"github.com/tgraw/tgraw/tlrt/internal/nodes"
)

// TestDecodeErrorPath checks the text of decode errors and what they let
// errors.As and errors.Is find, for failures at several places.
func TestDecodeErrorPath(t *testing.T) {
	deadbeef := []byte{0xef, 0xbe, 0xad, 0xde}
	for _, tc := range []struct {
		name     string
		data     []byte
		decode   func(b *bin.Buffer) error
		msg      string
		typ      string
		path     string
		unknown  bool
		eof      bool
		tooDeep  bool
		noDecode bool // the error is not a *DecodeError
	}{
		{
			name: "unknown constructor in a vector",
			data: concat(nodes.Encode(&nodes.List{Items: []tlrt.Object{&nodes.Leaf{N: 1}, &nodes.Leaf{N: 2}, &nodes.Box{Inner: &nodes.Leaf{}}}})[:32], deadbeef),
			msg:  "list: items[2].inner: unexpected constructor 0xdeadbeef for Object",
			typ:  "list", path: "items[2].inner", unknown: true,
		},
		{
			name: "truncated field",
			data: nodes.Encode(&nodes.Box{Inner: &nodes.Leaf{N: 7}})[:10],
			msg:  "box: inner.n: unexpected EOF",
			typ:  "box", path: "inner.n", eof: true,
		},
		{
			name: "wrong ID of the value itself",
			data: nodes.Encode(&nodes.Box{Inner: &nodes.Leaf{}}),
			decode: func(b *bin.Buffer) error {
				var l nodes.Leaf
				return l.Decode(b)
			},
			msg: "leaf: unexpected constructor 0x00000022 for leaf",
			typ: "leaf", unknown: true,
		},
		{
			name: "too deep",
			data: nodes.Encode(nestBoxes(tlrt.MaxDecodeDepth + 5)),
			msg:  "box: inner.inner.inner.inner.inner.inner...(986 more)...inner.inner.inner.inner.inner.inner.inner.inner.inner: values nest too deeply",
			typ:  "box", path: "inner.inner.inner.inner.inner.inner...(986 more)...inner.inner.inner.inner.inner.inner.inner.inner.inner",
			tooDeep: true,
		},
		{
			name: "vector length beyond the input",
			data: []byte{0x33, 0, 0, 0, 0x15, 0xc4, 0xb5, 0x1c, 9, 0, 0, 0},
			msg:  "list: items: invalid vector length: 9",
			typ:  "list", path: "items",
		},
		{
			name:    "unknown object at the top",
			data:    deadbeef,
			msg:     "unexpected constructor 0xdeadbeef for Object",
			unknown: true, noDecode: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			decode := tc.decode
			if decode == nil {
				decode = func(b *bin.Buffer) error {
					_, err := nodes.DecodeObject(b)
					return err
				}
			}
			err := decode(&bin.Buffer{Buf: tc.data})
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); !strings.HasPrefix(got, tc.msg) {
				t.Errorf("error:\n got %s\nwant %s", got, tc.msg)
			}
			var de *tlrt.DecodeError
			if errors.As(err, &de) == tc.noDecode {
				t.Fatalf("errors.As(*DecodeError) = %v", !tc.noDecode)
			}
			if de != nil && (de.Type() != tc.typ || de.Path() != tc.path) {
				t.Errorf("Type() %q, Path() %q; want %q, %q", de.Type(), de.Path(), tc.typ, tc.path)
			}
			var unknown *tlrt.UnknownIDError
			if errors.As(err, &unknown) != tc.unknown {
				t.Errorf("errors.As(*UnknownIDError) = %v, want %v", !tc.unknown, tc.unknown)
			}
			if errors.Is(err, io.ErrUnexpectedEOF) != tc.eof {
				t.Errorf("errors.Is(io.ErrUnexpectedEOF) = %v, want %v", !tc.eof, tc.eof)
			}
			if errors.Is(err, tlrt.ErrTooDeep) != tc.tooDeep {
				t.Errorf("errors.Is(ErrTooDeep) = %v, want %v", !tc.tooDeep, tc.tooDeep)
			}
		})
	}
}

func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func nestBoxes(levels int) tlrt.Object {
	var v tlrt.Object = &nodes.Leaf{}
	for range levels {
		v = &nodes.Box{Inner: v}
	}
	return v
}

// TestPathText checks the text of paths of every length around the number
// of steps kept, with vector elements and a value's own errors among them.
func TestPathText(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps func(err error) error
		want  string
	}{
		{"own error", func(err error) error { return tlrt.DecodeErr(err, "user", "") }, "user: cause"},
		{"field", func(err error) error { return tlrt.DecodeErr(err, "user", "photo") }, "user: photo: cause"},
		{"own error under a field", func(err error) error {
			return tlrt.DecodeErr(tlrt.DecodeErr(err, "peerColor", ""), "user", "color")
		}, "user: color: cause"},
		{"vector at the root", func(err error) error {
			return elem(tlrt.DecodeErr(err, "user", "status"), 3)
		}, "[3].status: cause"},
		{"vector of vectors", func(err error) error {
			return tlrt.DecodeErr(elem(elem(err, 1), 2), "matrix", "rows")
		}, "matrix: rows[2][1]: cause"},
		{"16 steps, all kept", func(err error) error { return chain(err, 16) }, "t15: f15.f14.f13.f12.f11.f10.f9.f8.f7.f6.f5.f4.f3.f2.f1.f0: cause"},
		{"17 steps", func(err error) error { return chain(err, 17) }, "t16: f16.f15.f14.f13.f12.f11...(1 more)...f9.f8.f7.f6.f5.f4.f3.f2.f1.f0: cause"},
		{"1000 steps", func(err error) error { return chain(err, 1000) }, "t999: f999.f998.f997.f996.f995.f994...(984 more)...f9.f8.f7.f6.f5.f4.f3.f2.f1.f0: cause"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.steps(errors.New("cause")).Error(); got != tc.want {
				t.Errorf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// chain wraps err in n field steps, f0 of t0 the innermost.
func chain(err error, n int) error {
	for i := range n {
		err = tlrt.DecodeErr(err, "t"+itoa(i), "f"+itoa(i))
	}
	return err
}

func itoa(i int) string { return strconv.Itoa(i) }

// elem returns the error of decoding a vector whose element i fails with
// err.
func elem(err error, i int) error {
	var b bin.Buffer
	b.PutVectorHeader(i + 1)
	for range i + 1 {
		b.PutInt(0)
	}
	n := 0
	_, got := tlrt.DecodeVector(tlrt.NewDecoder(&b, nil, 0), 4, func(b *tlrt.Decoder) (int, error) {
		if _, err := b.Int(); err != nil {
			return 0, err
		}
		if n == i {
			return 0, err
		}
		n++
		return 0, nil
	})
	return got
}

// TestDeepErrorCost checks that recording the way to an error nested a
// thousand levels deep costs one allocation, and its text a bounded few.
func TestDeepErrorCost(t *testing.T) {
	cause := errors.New("cause")
	var err error
	names := make([][2]string, 1000)
	for i := range names {
		names[i] = [2]string{"t" + itoa(i), "f" + itoa(i)}
	}
	if allocs := testing.AllocsPerRun(20, func() {
		err = cause
		for _, n := range names {
			err = tlrt.DecodeErr(err, n[0], n[1])
		}
	}); allocs != 1 {
		t.Errorf("1000 steps: %.0f allocations, want 1", allocs)
	}
	var msg string
	if allocs := testing.AllocsPerRun(20, func() { msg = err.Error() }); allocs != 1 {
		t.Errorf("Error(): %.0f allocations, want 1", allocs)
	}
	if len(msg) > 200 {
		t.Errorf("Error() is %d bytes: %s", len(msg), msg)
	}
}

func TestEncodeErrorPath(t *testing.T) {
	err := (&nodes.List{Items: []tlrt.Object{&nodes.Leaf{}, &nodes.Box{}}}).Encode(&bin.Buffer{})
	if got, want := err.Error(), "list: items.inner: value is nil"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	var ee *tlrt.EncodeError
	if !errors.As(err, &ee) || ee.Type() != "list" || ee.Path() != "items.inner" || !errors.Is(err, tlrt.ErrNilValue) {
		t.Errorf("got %#v", err)
	}
}

func TestUnknownIDError(t *testing.T) {
	for id, want := range map[uint32]string{
		0:          "unexpected constructor 0x00000000 for InputPeer",
		0xdeadbeef: "unexpected constructor 0xdeadbeef for InputPeer",
		0x1cb5c415: "unexpected constructor 0x1cb5c415 for InputPeer",
	} {
		if got := (&tlrt.UnknownIDError{ID: id, Type: "InputPeer"}).Error(); got != want {
			t.Errorf("%#x: %q, want %q", id, got, want)
		}
	}
}
