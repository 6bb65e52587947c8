package tg_test

import (
	"errors"
	"testing"

	"github.com/gotd/td/bin"

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
