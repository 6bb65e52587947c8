package tlrt_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tlrt"
)

// dirty returns a buffer holding prefix with spare room full of 0xff
// bytes, so that a test sees any byte an encoder leaves unwritten.
func dirty(prefix []byte, room int) *bin.Buffer {
	buf := bytes.Repeat([]byte{0xff}, len(prefix)+room)
	copy(buf, prefix)
	return &bin.Buffer{Buf: buf[:len(prefix)]}
}

// TestPutString checks the TL encoding of strings and bytes against
// gotd/td's bin, at every length around the one-byte and padding limits,
// whether the buffer has room (holding old bytes) or must grow.
func TestPutString(t *testing.T) {
	prefix := []byte{1, 2, 3, 4}
	for _, n := range []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 250, 251, 252, 253, 254, 255, 256, 257, 1000, 1 << 16} {
		s := strings.Repeat("x", n)
		var want bin.Buffer
		want.Put(prefix)
		want.PutString(s)
		for _, room := range []int{0, n + 8} {
			t.Run(fmt.Sprintf("len %d room %d", n, room), func(t *testing.T) {
				b := dirty(prefix, room)
				tlrt.PutString(b, s)
				if !bytes.Equal(b.Buf, want.Buf) {
					t.Errorf("PutString:\n got % x\nwant % x", head(b.Buf), head(want.Buf))
				}
				b = dirty(prefix, room)
				tlrt.PutBytes(b, []byte(s))
				if !bytes.Equal(b.Buf, want.Buf) {
					t.Errorf("PutBytes:\n got % x\nwant % x", head(b.Buf), head(want.Buf))
				}
			})
		}
	}
}

// head is the start of an encoding, enough to see its length and padding.
func head(b []byte) []byte {
	if len(b) > 16 {
		return b[:16]
	}
	return b
}

// TestPutWords checks the fixed-size writes against gotd/td's bin.
func TestPutWords(t *testing.T) {
	for _, tc := range []struct {
		name string
		put  func(*bin.Buffer)
		want func(*bin.Buffer)
	}{
		{"uint32", func(b *bin.Buffer) { tlrt.PutUint32(b, 0xa2a5371e) }, func(b *bin.Buffer) { b.PutID(0xa2a5371e) }},
		{"negative int", func(b *bin.Buffer) { n := int32(-5); tlrt.PutUint32(b, uint32(n)) }, func(b *bin.Buffer) { b.PutInt(-5) }},
		{"uint64", func(b *bin.Buffer) { tlrt.PutUint64(b, 0x0102030405060708) }, func(b *bin.Buffer) { b.PutLong(0x0102030405060708) }},
		{"negative long", func(b *bin.Buffer) { n := int64(-4e12); tlrt.PutUint64(b, uint64(n)) }, func(b *bin.Buffer) { b.PutLong(-4e12) }},
		{"vector header", func(b *bin.Buffer) { tlrt.PutVectorHeader(b, 300) }, func(b *bin.Buffer) { b.PutVectorHeader(300) }},
		{"empty vector", func(b *bin.Buffer) { tlrt.PutVectorHeader(b, 0) }, func(b *bin.Buffer) { b.PutVectorHeader(0) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, room := range []int{0, 16} {
				b := dirty([]byte{9}, room)
				tc.put(b)
				want := &bin.Buffer{Buf: []byte{9}}
				tc.want(want)
				if !bytes.Equal(b.Buf, want.Buf) {
					t.Errorf("room %d: got % x, want % x", room, b.Buf, want.Buf)
				}
			}
		})
	}
}

// TestExtend checks that Extend keeps what b holds and hands out the n
// bytes after it, growing b when it has no room.
func TestExtend(t *testing.T) {
	for _, room := range []int{0, 3, 12, 100} {
		b := dirty([]byte{1, 2, 3}, room)
		w := tlrt.Extend(b, 12)
		if len(w) != 12 || len(b.Buf) != 15 {
			t.Fatalf("room %d: Extend(12) gave %d bytes, buffer of %d; want 12 and 15", room, len(w), len(b.Buf))
		}
		copy(w, "abcdefghijkl")
		if got, want := string(b.Buf), "\x01\x02\x03abcdefghijkl"; got != want {
			t.Errorf("room %d: buffer %q, want %q", room, got, want)
		}
	}
	var b bin.Buffer
	if w := tlrt.Extend(&b, 0); len(w) != 0 || len(b.Buf) != 0 {
		t.Errorf("Extend(0) of an empty buffer: %d bytes, buffer of %d", len(w), len(b.Buf))
	}
}

func TestBit(t *testing.T) {
	for _, tc := range []struct {
		set  bool
		bit  int
		want bin.Fields
	}{
		{false, 0, 0}, {true, 0, 1}, {true, 5, 1 << 5}, {false, 31, 0}, {true, 31, 1 << 31},
	} {
		if got := tlrt.Bit(tc.set, tc.bit); got != tc.want {
			t.Errorf("Bit(%v, %d) = %#x, want %#x", tc.set, tc.bit, got, tc.want)
		}
	}
}

// TestEncodeAllocs checks that the writes allocate nothing once the
// buffer has room.
func TestEncodeAllocs(t *testing.T) {
	b := &bin.Buffer{Buf: make([]byte, 0, 1024)}
	s, p := strings.Repeat("y", 300), []byte("payload")
	allocs := testing.AllocsPerRun(100, func() {
		b.Reset()
		tlrt.PutUint32(b, 1)
		tlrt.PutUint64(b, 2)
		tlrt.PutVectorHeader(b, 3)
		tlrt.PutString(b, s)
		tlrt.PutBytes(b, p)
		w := tlrt.Extend(b, 8)
		clear(w)
	})
	if allocs != 0 {
		t.Errorf("%.0f allocations, want 0", allocs)
	}
}
