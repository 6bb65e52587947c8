package tg_test

import (
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tg"
)

// TestDecodeInPlace checks that decoding into a value of the caller's
// allocates nothing for a constructor of fixed-size fields: the value
// stays where the caller put it.
func TestDecodeInPlace(t *testing.T) {
	data := encode(t, &tg.InputPeerChannel{ChannelID: 1, AccessHash: 2})
	b := &bin.Buffer{}
	allocs := testing.AllocsPerRun(100, func() {
		var p tg.InputPeerChannel
		b.ResetTo(data)
		if err := p.Decode(b); err != nil || p.ChannelID != 1 {
			t.Fatalf("%+v, %v", p, err)
		}
	})
	if allocs != 0 {
		t.Errorf("%.0f allocations, want 0", allocs)
	}
}
