package mtproto_test

import (
	"testing"
	"time"

	"github.com/gotd/neo"

	"github.com/tgraw/tgraw/mtproto"
)

// TestMsgIDs: IDs of the corrected clock, divisible by 4, strictly
// increasing even when the clock stands still or moves back; the upper
// half is the second, the lower half a fraction of it.
func TestMsgIDs(t *testing.T) {
	clk := neo.NewTime(time.Date(2026, 3, 1, 12, 0, 0, 500_000_000, time.UTC))
	g := mtproto.NewMsgIDs(clk.Now, 10*time.Second)
	first := g.New()
	if first%4 != 0 {
		t.Errorf("msg_id %d is not divisible by 4", first)
	}
	if got := mtproto.MsgIDTime(first); !got.Equal(time.Date(2026, 3, 1, 12, 0, 10, 0, time.UTC)) {
		t.Errorf("msg_id time %v, want the clock plus the offset", got)
	}
	if frac := uint32(first); frac < 1<<31-1<<28 || frac > 1<<31+1<<28 {
		t.Errorf("lower half %#x is not about half a second", frac)
	}
	last := first
	for i := range 1000 {
		if i == 500 {
			clk.Travel(-time.Minute) // the local clock jumps back
		}
		id := g.New()
		if id <= last || id%4 != 0 {
			t.Fatalf("msg_id %d after %d", id, last)
		}
		last = id
	}
	// An offset that moves IDs below the last one is reported.
	if behind := g.SetOffset(-time.Hour); !behind {
		t.Error("SetOffset an hour back: not behind")
	}
	g.Reset()
	if id := g.New(); mtproto.MsgIDTime(id).After(clk.Now()) {
		t.Error("after Reset, IDs do not follow the corrected clock")
	}
	if behind := g.SetOffset(time.Hour); behind {
		t.Error("SetOffset forward: behind")
	}
}
