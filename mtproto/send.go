package mtproto

import (
	"context"
	"fmt"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/transport"

	"github.com/tgraw/tgraw/mt"
	"github.com/tgraw/tgraw/mtcrypto"
)

// writeLoop sends what is queued on conn, with the acknowledgements
// waiting, each time it is woken. It is the only sender, so messages leave
// in the order of their msg_ids.
func (c *Conn) writeLoop(ctx context.Context, conn transport.Conn) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.wake:
		}
		for {
			frame, more, err := c.nextFrame()
			if err != nil {
				return err
			}
			if frame == nil {
				break
			}
			var b bin.Buffer
			b.ResetTo(frame)
			if err := conn.Send(ctx, &b); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("mtproto: send: %w", err)
			}
			if !more {
				break
			}
		}
	}
}

// message is one message as it goes out: in a container or alone.
type message struct {
	id   int64
	seq  int32
	body []byte
}

// nextFrame takes what fits in one frame from the queue and the waiting
// acknowledgements, gives each message its msg_id and seqno, and seals
// them: one message alone, or several in a container. It reports whether
// more is queued; a nil frame means nothing was.
func (c *Conn) nextFrame() (frame []byte, more bool, err error) {
	c.mu.Lock()
	var take []*outgoing
	size := 0
	for len(c.queue) > 0 && len(take) < maxContainerMessages-1 {
		o := c.queue[0]
		if len(take) > 0 && size+len(o.body) > maxContainerBytes {
			break
		}
		take = append(take, o)
		size += len(o.body)
		c.queue = c.queue[1:]
	}
	var acks []int64
	if n := min(len(c.acks), maxAcks); n > 0 {
		acks = append(acks, c.acks[:n]...)
		c.acks = c.acks[n:]
	}
	if len(take) == 0 && len(acks) == 0 {
		c.mu.Unlock()
		return nil, false, nil
	}
	more = len(c.queue) > 0 || len(c.acks) > 0

	var msgs []message
	if len(acks) > 0 {
		var b bin.Buffer
		_ = (&mt.MsgsAck{MsgIDs: acks}).Encode(&b)
		msgs = append(msgs, message{id: c.ids.New(), seq: c.nextSeq(false), body: b.Buf})
	}
	container := false
	for _, o := range take {
		var m message
		if o.resend && c.canResend(o.req) {
			// The same message again: it may only go in a container.
			m, container = message{id: o.req.msgID, seq: o.req.seq, body: o.body}, true
		} else {
			m = message{id: c.ids.New(), seq: c.nextSeq(o.content), body: o.body}
		}
		if o.req != nil {
			if o.req.msgID != 0 {
				delete(c.pending, o.req.msgID)
			}
			o.req.msgID, o.req.seq, o.req.session = m.id, m.seq, c.session
			c.pending[m.id] = o.req
		}
		msgs = append(msgs, m)
	}
	h := mtcrypto.Header{Salt: c.currentSalt(), SessionID: c.session}
	var body []byte
	if len(msgs) == 1 && !container {
		h.MsgID, h.SeqNo, body = msgs[0].id, msgs[0].seq, msgs[0].body
		c.sent.add(h.MsgID, nil)
	} else {
		// The container's msg_id is above its messages', and its seqno
		// (not content-related) at least theirs.
		h.MsgID, h.SeqNo = c.ids.New(), c.nextSeq(false)
		inner := make([]int64, len(msgs))
		for i, m := range msgs {
			inner[i] = m.id
		}
		body = encodeContainer(msgs)
		c.sent.add(h.MsgID, inner)
	}
	c.mu.Unlock()

	frame, err = mtcrypto.Seal(c.key, mtcrypto.Client, h, body, c.opts.Rand)
	if err != nil {
		return nil, false, err
	}
	return frame, more, nil
}

// resendWindow is how old a msg_id may be for its message to go again
// under it, in a container: the server refuses messages older than 300
// seconds, and the frame must reach it first.
const resendWindow = 240 * time.Second

// canResend reports whether a call sent before may go again under its
// msg_id and seqno: sent in this session (its seqno belongs to it), and
// recently. c.mu is held.
func (c *Conn) canResend(r *request) bool {
	return r != nil && r.msgID != 0 && r.session == c.session &&
		MsgIDTime(r.msgID).After(c.ids.Now().Add(-resendWindow))
}

// nextSeq returns the seqno of the next message: twice the number of
// content-related messages sent before it, plus one if it is one.
func (c *Conn) nextSeq(content bool) int32 {
	if !content {
		return c.seq * 2
	}
	c.seq++
	return c.seq*2 - 1
}

// encodeContainer writes msg_container: the bare vector of bare
// messages (msg_id, seqno, bytes, body).
func encodeContainer(msgs []message) []byte {
	var b bin.Buffer
	b.PutID(mt.MsgContainerTypeID)
	b.PutInt(len(msgs))
	for _, m := range msgs {
		b.PutLong(m.id)
		b.PutInt32(m.seq)
		b.PutInt(len(m.body))
		b.Put(m.body)
	}
	return b.Buf
}

// send queues a message that expects no answer.
func (c *Conn) send(body []byte) {
	c.mu.Lock()
	c.queue = append(c.queue, &outgoing{body: body, content: true})
	c.mu.Unlock()
	c.signal(c.wake)
}

// ack records a server message to acknowledge: at once when ackBatch are
// waiting, else with the next message sent or after AckDelay.
func (c *Conn) ack(id int64) {
	c.mu.Lock()
	c.acks = append(c.acks, id)
	n := len(c.acks)
	c.mu.Unlock()
	switch {
	case n >= ackBatch:
		c.signal(c.wake)
	case n == 1:
		c.signal(c.ackWait)
	}
}

// ackLoop sends the waiting acknowledgements AckDelay after the first of
// them, unless a message took them along before.
func (c *Conn) ackLoop(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.ackWait:
		}
		t := c.opts.Clock.Timer(c.opts.AckDelay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C():
			c.signal(c.wake)
		}
	}
}

// sentLog remembers the msg_ids of the last frames sent and, for a
// container, of its messages: a bad_msg_notification must be about one of
// them, and one about a container re-sends the container's calls.
type sentLog struct {
	max   int
	order []int64
	inner map[int64][]int64
}

func newSentLog(max int) *sentLog {
	return &sentLog{max: max, inner: map[int64][]int64{}}
}

func (l *sentLog) add(id int64, inner []int64) {
	if len(l.order) == l.max {
		delete(l.inner, l.order[0])
		l.order = l.order[1:]
	}
	l.order = append(l.order, id)
	l.inner[id] = inner
}

// messages returns the msg_ids a frame sent as id carried (id itself for a
// single message) and whether id was sent recently.
func (l *sentLog) messages(id int64) ([]int64, bool) {
	inner, ok := l.inner[id]
	if !ok {
		return nil, false
	}
	if inner == nil {
		return []int64{id}, true
	}
	return inner, true
}
