package tg_test

import (
	"bytes"
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/internal/sample"
	"github.com/tgraw/tgraw/tg"
)

// TestDecodeInPlace checks that decoding into a value of the caller's
// allocates nothing for a constructor of fixed-size fields with a
// generated codec: the value stays where the caller put it.
func TestDecodeInPlace(t *testing.T) {
	data := encode(t, &tg.PeerChannel{ChannelID: 1})
	b := &bin.Buffer{}
	allocs := testing.AllocsPerRun(100, func() {
		var p tg.PeerChannel
		b.ResetTo(data)
		if err := p.Decode(b); err != nil || p.ChannelID != 1 {
			t.Fatalf("%+v, %v", p, err)
		}
	})
	if allocs != 0 {
		t.Errorf("%.0f allocations, want 0", allocs)
	}
}

// TestEncodeAllocs checks that encoding allocates nothing once the buffer
// has room: a messages.channelMessages of 100 messages, 50 users and 20
// channels (the value of the benchmarks), and a constructor of fixed-size
// fields.
func TestEncodeAllocs(t *testing.T) {
	for _, v := range []bin.Encoder{
		sample.ChannelMessages(),
		&tg.InputPeerChannel{ChannelID: 1, AccessHash: 2},
	} {
		want := encode(t, v)
		b := &bin.Buffer{Buf: make([]byte, 0, len(want))}
		allocs := testing.AllocsPerRun(100, func() {
			b.Reset()
			if err := v.Encode(b); err != nil {
				t.Fatalf("%T: %v", v, err)
			}
		})
		if allocs != 0 {
			t.Errorf("%T: %.0f allocations, want 0", v, allocs)
		}
		if !bytes.Equal(b.Buf, want) {
			t.Errorf("%T: encodings differ", v)
		}
	}
}
