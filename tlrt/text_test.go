package tlrt_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tlrt"
)

// TestText reads strings and bytes of every length form as gotd/td's bin
// writes them, and refuses what is cut short or malformed.
func TestText(t *testing.T) {
	encoded := func(s string) []byte {
		var b bin.Buffer
		b.PutString(s)
		return append(b.Buf, 0xee) // a byte after the value
	}
	for _, s := range []string{"", "a", "abc", "abcd", strings.Repeat("x", 253), strings.Repeat("y", 254), strings.Repeat("z", 70000)} {
		data := encoded(s)
		b := tlrt.NewDecoder(&bin.Buffer{Buf: data}, nil, 0)
		got, err := tlrt.String(b)
		if err != nil || got != s || b.Len() != 1 {
			t.Errorf("String of %d bytes: %d bytes, %v, %d left", len(s), len(got), err, b.Len())
		}
		b = tlrt.NewDecoder(&bin.Buffer{Buf: data}, nil, 0)
		raw, err := tlrt.Bytes(b)
		if err != nil || !bytes.Equal(raw, []byte(s)) || (s == "") != (raw == nil) || cap(raw) != len(raw) || b.Len() != 1 {
			t.Errorf("Bytes of %d bytes: %d bytes (cap %d), %v, %d left", len(s), len(raw), cap(raw), err, b.Len())
		}
		for cut := range min(len(data)-1, 300) {
			if _, err := tlrt.String(tlrt.NewDecoder(&bin.Buffer{Buf: data[:cut]}, nil, 0)); !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("String of %d bytes cut at %d: %v, want unexpected EOF", len(s), cut, err)
			}
		}
	}
	var invalid *bin.InvalidLengthError
	if _, err := tlrt.Bytes(tlrt.NewDecoder(&bin.Buffer{Buf: append([]byte{255}, make([]byte, 300)...)}, nil, 0)); !errors.As(err, &invalid) || invalid.Where != "bytes" {
		t.Errorf("length byte 255: %v, want an invalid length of bytes", err)
	}
}

// TestDecodeCopiesText checks that a string decoded through Decode shares
// nothing with the caller's buffer, and that the caller's buffer moves
// past it.
func TestDecodeCopiesText(t *testing.T) {
	var b bin.Buffer
	b.PutString("hello")
	b.PutInt(7)
	orig := b.Buf
	got, err := tlrt.Decode(&b, nil, 0, func(b *tlrt.Decoder, _ int) (string, error) { return tlrt.String(b) })
	if err != nil || got != "hello" {
		t.Fatalf("got %q, %v", got, err)
	}
	clear(orig[:8]) // the string's bytes
	if got != "hello" {
		t.Errorf("the string changed with the caller's buffer: %q", got)
	}
	if n, err := b.Int(); err != nil || n != 7 {
		t.Errorf("after the value: %d, %v", n, err)
	}
}
