package mtproto_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tgraw/tgraw/internal/mtprototest"
	"github.com/tgraw/tgraw/mtcrypto"
	"github.com/tgraw/tgraw/mtproto"
	"github.com/tgraw/tgraw/tg"
)

// TestChecksDrop sends, while a call waits, an answer to it that fails one
// check: the message is dropped with that reason logged and the call keeps
// waiting; the correct answer that follows returns.
func TestChecksDrop(t *testing.T) {
	other := mtprototest.RandomKey()
	for _, tc := range []struct {
		name  string
		frame func(h *harness, m mtprototest.Message) []byte
		want  string
	}{
		{"auth_key_id of another key", func(h *harness, m mtprototest.Message) []byte {
			s := mtprototest.NewSession(nil, other, h.clock.Now)
			s.SessionID = h.srv.SessionID
			return s.Seal(h.srv.Header(true, 1), resultBody(m, "BAD"))
		}, "auth_key_id"},
		{"msg_key changed", func(h *harness, m mtprototest.Message) []byte {
			f := h.srv.Seal(h.srv.Header(true, 1), resultBody(m, "BAD"))
			f[8] ^= 0x80
			return f
		}, "msg_key"},
		{"ciphertext changed", func(h *harness, m mtprototest.Message) []byte {
			f := h.srv.Seal(h.srv.Header(true, 1), resultBody(m, "BAD"))
			f[len(f)-1] ^= 1
			return f
		}, "msg_key"},
		{"the client's direction", func(h *harness, m mtprototest.Message) []byte {
			f, _ := mtcrypto.Seal(h.key, mtcrypto.Client, h.srv.Header(true, 1), resultBody(m, "BAD"), zeros{})
			return f
		}, "msg_key"},
		{"truncated", func(h *harness, m mtprototest.Message) []byte {
			f := h.srv.Seal(h.srv.Header(true, 1), resultBody(m, "BAD"))
			return f[:len(f)-16]
		}, "msg_key"},
		{"message_data_length beyond the plaintext", func(h *harness, m mtprototest.Message) []byte {
			body := resultBody(m, "BAD")
			return h.srv.SealPlain(padded(h.srv.Header(true, 1), int32(len(body)+64), body))
		}, "message_data_length"},
		{"message_data_length negative", func(h *harness, m mtprototest.Message) []byte {
			return h.srv.SealPlain(padded(h.srv.Header(true, 1), -8, resultBody(m, "BAD")))
		}, "message_data_length"},
		{"message_data_length not divisible by 4", func(h *harness, m mtprototest.Message) []byte {
			body := resultBody(m, "BAD")
			return h.srv.SealPlain(padded(h.srv.Header(true, 1), int32(len(body)-2), body))
		}, "message_data_length"},
		{"padding under 12 bytes", func(h *harness, m mtprototest.Message) []byte {
			body := resultBody(m, "BAD")
			return h.srv.SealPlain(withPadding(h.srv.Header(true, 1), body, 4))
		}, "padding"},
		{"padding over 1024 bytes", func(h *harness, m mtprototest.Message) []byte {
			body := resultBody(m, "BAD")
			return h.srv.SealPlain(withPadding(h.srv.Header(true, 1), body, 1040))
		}, "padding"},
		{"another session_id", func(h *harness, m mtprototest.Message) []byte {
			hdr := h.srv.Header(true, 1)
			hdr.SessionID++
			return h.srv.Seal(hdr, resultBody(m, "BAD"))
		}, "session_id"},
		{"even msg_id", func(h *harness, m mtprototest.Message) []byte {
			hdr := h.srv.Header(true, 1)
			hdr.MsgID &^= 3
			return h.srv.Seal(hdr, resultBody(m, "BAD"))
		}, "msg_id is even"},
		{"msg_id 31 seconds ahead", func(h *harness, m mtprototest.Message) []byte {
			hdr := h.srv.Header(true, 1)
			hdr.MsgID = mtproto.MsgIDAt(h.clock.Now().Add(31*time.Second)) | 1
			return h.srv.Seal(hdr, resultBody(m, "BAD"))
		}, "30 seconds in the future"},
		{"msg_id 301 seconds old", func(h *harness, m mtprototest.Message) []byte {
			hdr := h.srv.Header(true, 1)
			hdr.MsgID = mtproto.MsgIDAt(h.clock.Now().Add(-301*time.Second)) | 1
			return h.srv.Seal(hdr, resultBody(m, "BAD"))
		}, "300 seconds in the past"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			c := h.call()
			m := h.recv()
			h.sendFrame(tc.frame(h, m))
			if reason := h.waitDrop(1); !strings.Contains(reason, tc.want) {
				t.Errorf("dropped because %q, want %q", reason, tc.want)
			}
			c.pending(t)
			h.answer(m, "GOOD")
			if res, err := c.wait(t); err != nil || res.Country != "GOOD" {
				t.Errorf("call: %+v, %v", res, err)
			}
		})
	}
}

// zeros reads zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// withPadding is a plaintext with body and about pad bytes of padding:
// under 12 if pad is, else at least pad; zero bytes may be added to body
// to keep the plaintext a multiple of 16 bytes.
func withPadding(h mtcrypto.Header, body []byte, pad int) []byte {
	for {
		p := (16 - (mtcrypto.HeaderSize+len(body)+pad)%16) % 16
		if pad >= 12 || pad+p < 12 {
			return mtprototest.Plain(h, int32(len(body)), body, pad+p)
		}
		body = append(body, 0, 0, 0, 0)
	}
}

// padded is a plaintext with body, the given message_data_length and
// correct padding.
func padded(h mtcrypto.Header, dataLen int32, body []byte) []byte {
	return mtprototest.Plain(h, dataLen, body, mtcrypto.PaddingLen(mtcrypto.HeaderSize+len(body)))
}

// TestWindowBounds checks that the time window's bounds themselves pass:
// 29 seconds ahead and 299 seconds old.
func TestWindowBounds(t *testing.T) {
	for _, d := range []time.Duration{29 * time.Second, -299 * time.Second} {
		h := newHarness(t, nil)
		c := h.call()
		m := h.recv()
		hdr := h.srv.Header(true, 1)
		hdr.MsgID = mtproto.MsgIDAt(h.clock.Now().Add(d)) | 1
		h.send(hdr, resultBody(m, "OK"))
		if res, err := c.wait(t); err != nil || res.Country != "OK" {
			t.Errorf("msg_id %v from now: %+v, %v", d, res, err)
		}
	}
}

// TestWindowCorrectedClock checks the time window against the server's
// time as the connection knows it: with an offset of an hour, a message
// of the server (an hour ahead of the local clock) passes, and one of the
// local time is an hour old.
func TestWindowCorrectedClock(t *testing.T) {
	h := newHarness(t, func(o *mtproto.Options) { o.TimeOffset = time.Hour })
	h.srv.Now = func() time.Time { return h.clock.Now().Add(time.Hour) }
	c := h.call()
	m := h.recv()
	if at := mtproto.MsgIDTime(m.MsgID); at.Sub(h.clock.Now()) < 59*time.Minute {
		t.Errorf("the client's msg_id is of %v, not an hour ahead of the local clock", at)
	}
	hdr := h.srv.Header(true, 1)
	hdr.MsgID = mtproto.MsgIDAt(h.clock.Now()) | 1
	h.send(hdr, resultBody(m, "LOCAL"))
	if reason := h.waitDrop(1); !strings.Contains(reason, "300 seconds in the past") {
		t.Errorf("a message of the local time: dropped because %q", reason)
	}
	h.answer(m, "SERVER")
	if res, err := c.wait(t); err != nil || res.Country != "SERVER" {
		t.Errorf("call: %+v, %v", res, err)
	}
}

// TestDuplicates checks the window of msg_ids: a message received twice
// is dropped, and so is one older than the 512 kept.
func TestDuplicates(t *testing.T) {
	h := newHarness(t, nil)
	upd := encode(&tg.UpdatesTooLong{})
	first := h.srv.Header(false, 2)
	h.send(first, upd)
	h.update()
	h.send(first, upd)
	if reason := h.waitDrop(1); !strings.Contains(reason, "received before") {
		t.Errorf("a repeated msg_id: dropped because %q", reason)
	}
	// 512 newer messages push first out of the window; one between first
	// and them is then older than all kept.
	between := h.srv.Header(false, 2)
	for range 512 {
		h.send(h.srv.Header(false, 2), upd)
		h.update()
	}
	h.send(between, upd)
	if reason := h.waitDrop(2); !strings.Contains(reason, "older than the last 512") {
		t.Errorf("an old msg_id: dropped because %q", reason)
	}
	select {
	case <-h.updates:
		t.Error("a dropped update reached the handler")
	default:
	}
}

// TestTooManyDropped checks that MaxDropped bad messages in a row end the
// connection.
func TestTooManyDropped(t *testing.T) {
	h := newHarness(t, func(o *mtproto.Options) { o.MaxDropped = 3 })
	for range 3 {
		f := h.srv.Seal(h.srv.Header(false, 2), encode(&tg.UpdatesTooLong{}))
		f[9] ^= 1
		h.sendFrame(f)
	}
	select {
	case err := <-h.runErr:
		if err == nil || !strings.Contains(err.Error(), "3 messages in a row") {
			t.Errorf("Run: %v", err)
		}
		h.runErr <- err
	case <-h.ctx.Done():
		t.Fatal("Run did not end")
	}
}

// TestContainerChecks checks the messages inside a container one by one:
// a repeated or even msg_id, a container inside it, and a length that
// overruns it are dropped; the rest is handled.
func TestContainerChecks(t *testing.T) {
	h := newHarness(t, nil)
	c := h.call()
	m := h.recv()
	upd := encode(&tg.UpdatesTooLong{})
	good := h.srv.NextID(false)
	inner := []mtprototest.InnerMessage{
		{MsgID: good, SeqNo: 1, Body: upd},
		{MsgID: good, SeqNo: 1, Body: upd},                     // repeated
		{MsgID: h.srv.NextID(false) &^ 3, SeqNo: 1, Body: upd}, // even
		{MsgID: h.srv.NextID(false), SeqNo: 0, Body: mtprototest.Container()},
		{MsgID: h.srv.NextID(true), SeqNo: 1, Body: resultBody(m, "IN")},
	}
	h.send(h.srv.Header(false, 0), mtprototest.Container(inner...))
	if res, err := c.wait(t); err != nil || res.Country != "IN" {
		t.Errorf("call: %+v, %v", res, err)
	}
	h.update()
	for i, want := range []string{"received before", "even", "container inside a container"} {
		if reason := h.waitDrop(i + 1); !strings.Contains(reason, want) {
			t.Errorf("drop %d: %q, want %q", i+1, reason, want)
		}
	}
	// A container whose message claims more bytes than it holds.
	bad := mtprototest.Container(mtprototest.InnerMessage{MsgID: h.srv.NextID(false), SeqNo: 1, Body: upd})
	bad[4+4+8+4] = 0xff // the first message's bytes
	h.send(h.srv.Header(false, 0), bad)
	if reason := h.waitDrop(4); !strings.Contains(reason, "truncated or misaligned") {
		t.Errorf("an overrunning container: dropped because %q", reason)
	}
}
