package mtproto_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tgraw/tgraw/internal/mtprototest"
	"github.com/tgraw/tgraw/mtproto"
	"github.com/tgraw/tgraw/tg"
)

// callCtx starts help.getNearestDc with its own context.
func (h *harness) callCtx(ctx context.Context) *call {
	c := &call{done: make(chan struct{})}
	go func() {
		defer close(c.done)
		c.err = h.conn.Invoke(ctx, &tg.HelpGetNearestDCRequest{}, &c.res)
	}()
	return c
}

// TestReconnectResends drops the transport with three calls sent and one
// answered: on the new transport, in the same session, the two
// unanswered calls go again under their msg_ids and seqnos inside a
// container, a call made while disconnected goes under a new msg_id, a
// call whose context ended while disconnected does not go, and its late
// answer is dropped. Every caller gets exactly one result.
func TestReconnectResends(t *testing.T) {
	h := newServeHarness(t, nil)
	a, b, c := h.call(), h.call(), h.call()
	first := map[int64]mtprototest.Message{}
	var order []int64
	for range 3 {
		m := h.recv()
		first[m.MsgID] = m
		order = append(order, m.MsgID)
	}
	h.answer(first[order[1]], "B")
	// Which caller got B is not known; one of them did.
	waitAny(t, a, b, c)

	gone, cancel := context.WithCancel(h.ctx)
	d := h.callCtx(gone)
	mD := h.recv()
	if err := h.drop(); err == nil {
		t.Fatal("Serve returned no error after the transport dropped")
	}
	// While disconnected: one caller leaves, another comes.
	cancel()
	if _, err := d.wait(t); !errors.Is(err, context.Canceled) {
		t.Fatalf("the call whose context ended: %v", err)
	}
	e := h.call()

	h.reconnect()
	var resent []mtprototest.Message
	var fresh mtprototest.Message
	for range 3 {
		m := h.recv()
		if m.SessionID != h.srv.SessionID {
			t.Fatal("a new transport started a new session")
		}
		if old, ok := first[m.MsgID]; ok {
			if m.Container == 0 || m.SeqNo != old.SeqNo {
				t.Errorf("message %d sent again alone or with seqno %d (was %d)", m.MsgID, m.SeqNo, old.SeqNo)
			}
			resent = append(resent, m)
			continue
		}
		if m.MsgID == mD.MsgID {
			t.Fatal("the call whose caller left was sent again")
		}
		fresh = m
	}
	if len(resent) != 2 || resent[0].MsgID != order[0] || resent[1].MsgID != order[2] {
		t.Fatalf("sent again: %v, want the two unanswered calls %d and %d", ids(resent), order[0], order[2])
	}
	if fresh.MsgID <= order[2] || fresh.SeqNo <= mD.SeqNo {
		t.Errorf("the new call: msg_id %d seqno %d, want above those sent before", fresh.MsgID, fresh.SeqNo)
	}
	// The late answer of the call whose caller left is dropped; the others
	// are delivered.
	h.answer(mD, "late")
	h.answer(resent[0], "A")
	h.answer(resent[1], "C")
	h.answer(fresh, "E")
	got := map[string]int{"B": 1}
	for _, x := range []*call{a, b, c, e} {
		res, err := x.wait(t)
		if err != nil {
			t.Fatal(err)
		}
		got[res.Country]++
	}
	if len(got) != 4 || got["A"] != 1 || got["B"] != 2 || got["C"] != 1 || got["E"] != 1 {
		// B counted once above and once by the caller that got it.
		t.Errorf("results %v, want A, B, C and E once each", got)
	}
	// A repeated answer (a server resending what was not acknowledged)
	// reaches nobody.
	h.answer(resent[0], "A again")
	f := h.call()
	h.answer(h.recv(), "F")
	if res, err := f.wait(t); err != nil || res.Country != "F" {
		t.Errorf("a call after the late answers: %+v, %v", res, err)
	}
}

// waitAny waits until one of the calls has returned.
func waitAny(t *testing.T, calls ...*call) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		for _, c := range calls {
			select {
			case <-c.done:
				return
			default:
			}
		}
		select {
		case <-calls[0].done:
		case <-calls[1].done:
		case <-calls[2].done:
		case <-deadline:
			t.Fatal("no call returned")
		}
	}
}

func ids(ms []mtprototest.Message) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.MsgID
	}
	return out
}

// TestReconnectOldCall: a call sent more than four minutes before the
// transport comes back goes again under a new msg_id, which the server
// still accepts.
func TestReconnectOldCall(t *testing.T) {
	h := newServeHarness(t, nil)
	a := h.call()
	m := h.recv()
	_ = h.drop()
	h.clock.Travel(5 * time.Minute)
	h.reconnect()
	again := h.recv()
	if again.MsgID == m.MsgID || again.MsgID <= m.MsgID || again.SeqNo <= m.SeqNo {
		t.Errorf("an old call went again as msg_id %d seqno %d (was %d, %d), want new ones", again.MsgID, again.SeqNo, m.MsgID, m.SeqNo)
	}
	h.answer(again, "NL")
	if res, err := a.wait(t); err != nil || res.Country != "NL" {
		t.Errorf("call: %+v, %v", res, err)
	}
}

// TestCloseWhileDisconnected: Close between transports fails the waiting
// calls with ErrClosed and the cause, and later calls, Serve and
// Reconnect fail the same way.
func TestCloseWhileDisconnected(t *testing.T) {
	h := newServeHarness(t, nil)
	a := h.call()
	h.recv()
	_ = h.drop()
	b := h.call()
	cause := errors.New("shutting down")
	h.conn.Close(cause)
	for _, c := range []*call{a, b} {
		if _, err := c.wait(t); !errors.Is(err, mtproto.ErrClosed) || !errors.Is(err, cause) {
			t.Errorf("a waiting call: %v, want ErrClosed and the cause", err)
		}
	}
	if _, err := h.call().wait(t); !errors.Is(err, mtproto.ErrClosed) {
		t.Errorf("a call after Close: %v", err)
	}
	if err := h.conn.Serve(h.ctx); !errors.Is(err, mtproto.ErrClosed) {
		t.Errorf("Serve after Close: %v", err)
	}
	if err := h.conn.Reconnect(nil); !errors.Is(err, mtproto.ErrClosed) {
		t.Errorf("Reconnect after Close: %v", err)
	}
	if !errors.Is(h.conn.Err(), cause) {
		t.Errorf("Err: %v", h.conn.Err())
	}
}

// TestServeWithoutTransport: a second Serve after a drop, before
// Reconnect, says what is missing.
func TestServeWithoutTransport(t *testing.T) {
	h := newServeHarness(t, nil)
	_ = h.drop()
	if err := h.conn.Serve(h.ctx); err == nil {
		t.Error("Serve without a transport returned nil")
	}
	if h.conn.Received() != 0 {
		t.Errorf("Received %d, want 0", h.conn.Received())
	}
}
