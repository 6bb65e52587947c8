package tg_test

import (
	"errors"
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/internal/allocmeter"
	"github.com/tgraw/tgraw/tg"
)

// nest builds levels of wrap around inner: the bytes of a value that holds
// itself levels times.
func nest(levels int, wrap func(tg.Object) tg.Object, inner tg.Object) tg.Object {
	v := inner
	for range levels {
		v = wrap(v)
	}
	return v
}

func TestDecodeDepth(t *testing.T) {
	for _, tc := range []struct {
		name   string
		levels int
		wrap   func(tg.Object) tg.Object
		inner  tg.Object
	}{
		{
			name:  "rich text",
			wrap:  func(v tg.Object) tg.Object { return &tg.TextBold{Text: v.(tg.RichTextClass)} },
			inner: &tg.TextEmpty{},
		},
		{
			name:  "generic query",
			wrap:  func(v tg.Object) tg.Object { return &tg.InvokeWithoutUpdatesRequest{Query: v} },
			inner: &tg.HelpGetConfigRequest{},
		},
		{
			name: "vector of page blocks",
			wrap: func(v tg.Object) tg.Object {
				return &tg.PageBlockDetails{Blocks: []tg.PageBlockClass{v.(tg.PageBlockClass)}, Title: &tg.TextEmpty{}}
			},
			inner: &tg.PageBlockDivider{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Deep but within the bound: decodes, and re-encodes the same.
			var b bin.Buffer
			if err := nest(tg.MaxDecodeDepth/2, tc.wrap, tc.inner).Encode(&b); err != nil {
				t.Fatal(err)
			}
			want := append([]byte(nil), b.Buf...)
			v, err := tg.DecodeObject(&b)
			if err != nil {
				t.Fatalf("%d levels: %v", tg.MaxDecodeDepth/2, err)
			}
			b.Reset()
			if err := v.Encode(&b); err != nil {
				t.Fatal(err)
			}
			if string(b.Buf) != string(want) {
				t.Fatal("re-encoding differs")
			}

			// Far too deep: a typed error, not a stack overflow.
			b.Reset()
			if err := nest(200_000, tc.wrap, tc.inner).Encode(&b); err != nil {
				t.Fatal(err)
			}
			if _, err := tg.DecodeObject(&b); !errors.Is(err, tg.ErrTooDeep) {
				t.Fatalf("200000 levels: got %v, want ErrTooDeep", err)
			}
		})
	}
}

// TestDeepInputErrorCost decodes 4 KB of input nested more deeply than
// MaxDecodeDepth: its error says where it was met in a bounded text, and
// costs the decoding of the values read plus a few allocations, however
// deep the input goes.
func TestDeepInputErrorCost(t *testing.T) {
	var b bin.Buffer
	if err := nest(1100, func(v tg.Object) tg.Object { return &tg.TextBold{Text: v.(tg.RichTextClass)} }, &tg.TextEmpty{}).Encode(&b); err != nil {
		t.Fatal(err)
	}
	data := b.Buf[:4096]
	var err error
	decode := func() {
		_, err = tg.DecodeObject(&bin.Buffer{Buf: data})
		_ = err.Error()
	}
	decode()
	if !errors.Is(err, tg.ErrTooDeep) {
		t.Fatalf("got %v, want ErrTooDeep", err)
	}
	var de *tg.DecodeError
	if !errors.As(err, &de) || de.Type() != "textBold" {
		t.Fatalf("got %#v, want a DecodeError from textBold", err)
	}
	msg := err.Error()
	const wantMsg = "textBold: text.text.text.text.text.text...(986 more)...text.text.text.text.text.text.text.text.text: values nest too deeply"
	if msg != wantMsg {
		t.Errorf("error:\n got %s\nwant %s", msg, wantMsg)
	}

	// The values decoded (1001 textBold, one allocation each), the copy
	// of the input their strings would share (two), and the error: one
	// DecodeError, and its text.
	const levels = tg.MaxDecodeDepth + 1
	if allocs := testing.AllocsPerRun(10, decode); allocs > levels+6 {
		t.Errorf("%.0f allocations, want at most %d", allocs, levels+6)
	}
	// A textBold is an interface value: 16 bytes; the copy of the input
	// takes its 4096 bytes.
	if perRun, _ := allocmeter.Least(10, nil, decode); perRun > uint64(levels*16+2*4096) {
		t.Errorf("%d bytes allocated per decoding, want at most %d", perRun, levels*16+2*4096)
	}
}
