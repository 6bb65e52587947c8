package mtproto

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/transport"

	"github.com/tgraw/tgraw/mt"
	"github.com/tgraw/tgraw/mtcrypto"
)

// readLoop reads, checks and handles the server's messages from conn.
func (c *Conn) readLoop(ctx context.Context, conn transport.Conn) error {
	var b bin.Buffer
	for {
		b.Reset()
		if err := conn.Recv(ctx, &b); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if te, ok := asTransportError(err); ok {
				return te
			}
			return fmt.Errorf("mtproto: receive: %w", err)
		}
		if err := c.handleFrame(b.Buf); err != nil {
			return err
		}
	}
}

// handleFrame checks one encrypted message and handles it. Its only error
// is too many messages dropped in a row.
func (c *Conn) handleFrame(frame []byte) error {
	h, body, err := mtcrypto.Open(c.key, mtcrypto.Server, frame)
	if err != nil {
		return c.drop(0, err.Error())
	}
	if !c.ourSession(h.SessionID) {
		return c.drop(h.MsgID, "session_id is not this connection's")
	}
	if reason := c.checkMsgID(h.MsgID, body); reason != "" {
		return c.drop(h.MsgID, reason)
	}
	c.mu.Lock()
	c.dropped = 0
	c.received++
	c.mu.Unlock()
	c.handle(h.MsgID, h.SeqNo, body, false)
	return nil
}

func (c *Conn) ourSession(id int64) bool {
	c.mu.Lock()
	cur, old := c.session, c.oldSession
	c.mu.Unlock()
	return equal64(id, cur) || (old != 0 && equal64(id, old))
}

// equal64 compares in constant time.
func equal64(a, b int64) bool {
	return subtle.ConstantTimeEq(int32(a), int32(b))&subtle.ConstantTimeEq(int32(a>>32), int32(b>>32)) == 1
}

// drop logs why a message was dropped; after MaxDropped in a row it fails
// the connection.
func (c *Conn) drop(msgID int64, reason string) error {
	if msgID != 0 {
		c.log.Warn("mtproto: message dropped", "reason", reason, "msg_id", msgID)
	} else {
		c.log.Warn("mtproto: message dropped", "reason", reason)
	}
	c.mu.Lock()
	c.dropped++
	n := c.dropped
	c.mu.Unlock()
	if n >= c.opts.MaxDropped {
		return fmt.Errorf("mtproto: %d messages in a row failed the checks, the last one because %s", n, reason)
	}
	return nil
}

// dropInner logs a message inside a container that was dropped; the
// container itself passed the checks.
func (c *Conn) dropInner(msgID int64, reason string) {
	c.log.Warn("mtproto: message dropped", "reason", reason, "msg_id", msgID)
}

// checkMsgID checks a server msg_id: odd, new, and within the time window
// around the server's time as the connection knows it (skipped for the
// notifications that correct the clock and the salt). It returns why the
// message must be dropped, or "".
func (c *Conn) checkMsgID(id int64, body []byte) string {
	if id%2 == 0 {
		return "msg_id is even: not a server's"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !correction(body) {
		now := c.ids.Now()
		at := MsgIDTime(id)
		switch {
		case at.After(now.Add(maxFuture)):
			return "msg_id more than 30 seconds in the future"
		case at.Before(now.Add(-maxPast)):
			return "msg_id more than 300 seconds in the past"
		}
	}
	return c.window.check(id)
}

// correction reports whether body is bad_msg_notification or
// bad_server_salt, which may come from a server whose time the client does
// not know yet.
func correction(body []byte) bool {
	id, err := (&bin.Buffer{Buf: body}).PeekID()
	return err == nil && (id == mt.BadMsgNotificationTypeID || id == mt.BadServerSaltTypeID)
}

// handle handles one checked message. inContainer is set for the messages
// of a container, which may not be containers themselves.
func (c *Conn) handle(msgID int64, seq int32, body []byte, inContainer bool) {
	b := &bin.Buffer{Buf: body}
	id, err := b.PeekID()
	if err != nil {
		c.dropInner(msgID, "empty message")
		return
	}
	if seq%2 == 1 && id != mt.MsgContainerTypeID {
		c.ack(msgID)
	}
	switch id {
	case mt.MsgContainerTypeID:
		if inContainer {
			c.dropInner(msgID, "a container inside a container")
			return
		}
		c.container(b)
	case mt.GzipPackedTypeID:
		inner, err := gunzip(body)
		if err != nil {
			c.dropInner(msgID, err.Error())
			return
		}
		if inner, _ := (&bin.Buffer{Buf: inner}).PeekID(); inner == mt.GzipPackedTypeID || inner == mt.MsgContainerTypeID {
			c.dropInner(msgID, "gzip_packed holding "+c.typeName(body))
			return
		}
		c.handle(msgID, seq&^1, inner, true) // acknowledged above
	case mt.RpcResultTypeID:
		c.rpcResult(b)
	case mt.PongTypeID:
		var p mt.Pong
		if err := p.Decode(b); err != nil {
			c.dropInner(msgID, "undecodable pong")
			return
		}
		c.answered(p.MsgID, bytes.Clone(body), nil)
	case mt.FutureSaltsTypeID:
		var s mt.FutureSalts
		if err := s.Decode(b); err != nil {
			c.dropInner(msgID, "undecodable future_salts")
			return
		}
		c.answered(s.ReqMsgID, bytes.Clone(body), nil)
	case mt.BadMsgNotificationTypeID, mt.BadServerSaltTypeID:
		c.badMsg(msgID, b)
	case mt.NewSessionCreatedTypeID:
		var s mt.NewSessionCreated
		if err := s.Decode(b); err != nil {
			c.dropInner(msgID, "undecodable new_session_created")
			return
		}
		c.mu.Lock()
		c.salt = s.ServerSalt
		st := c.stateLocked()
		c.mu.Unlock()
		c.log.Debug("mtproto: new session created on the server", "first_msg_id", s.FirstMsgID)
		c.notifyState(st)
		if c.opts.OnSession != nil {
			c.opts.OnSession()
		}
	case mt.MsgsAckTypeID:
		// The server has our messages; answers are what the calls wait for.
	case mt.MsgsStateReqTypeID:
		var r mt.MsgsStateReq
		if err := r.Decode(b); err != nil {
			c.dropInner(msgID, "undecodable msgs_state_req")
			return
		}
		// One byte per msg_id: 1, nothing is known about it (the client
		// keeps no record of what it received).
		var out bin.Buffer
		_ = (&mt.MsgsStateInfo{ReqMsgID: msgID, Info: bytes.Repeat([]byte{1}, len(r.MsgIDs))}).Encode(&out)
		c.send(out.Buf)
	case mt.MsgDetailedInfoTypeID:
		var d mt.MsgDetailedInfo
		if err := d.Decode(b); err == nil {
			c.ack(d.AnswerMsgID)
		}
	case mt.MsgNewDetailedInfoTypeID:
		var d mt.MsgNewDetailedInfo
		if err := d.Decode(b); err == nil {
			c.ack(d.AnswerMsgID)
		}
	case mt.MsgsStateInfoTypeID:
		var s mt.MsgsStateInfo
		if err := s.Decode(b); err == nil {
			c.answered(s.ReqMsgID, bytes.Clone(body), nil)
		}
	case mt.MsgResendReqTypeID, mt.MsgsAllInfoTypeID, mt.DestroySessionOkTypeID, mt.DestroySessionNoneTypeID:
		c.log.Debug("mtproto: service message ignored", "type", c.typeName(body))
	default:
		if c.opts.Handler != nil {
			c.opts.Handler(bytes.Clone(body))
		}
	}
}

// container handles msg_container: each message is checked like a
// message of its own (msg_id odd, new and in the time window) and
// handled; one that fails is dropped alone.
func (c *Conn) container(b *bin.Buffer) {
	_ = b.ConsumeID(mt.MsgContainerTypeID)
	n, err := b.Int()
	if err != nil || n < 0 || n > b.Len()/16 {
		c.dropInner(0, "msg_container with a bad length")
		return
	}
	for i := 0; i < n; i++ {
		id, seq, body, err := containerMessage(b)
		if err != nil {
			c.dropInner(0, err.Error())
			return
		}
		if reason := c.checkMsgID(id, body); reason != "" {
			c.dropInner(id, reason)
			continue
		}
		c.handle(id, seq, body, true)
	}
}

// containerMessage reads one message of a container: msg_id, seqno,
// bytes, body.
func containerMessage(b *bin.Buffer) (id int64, seq int32, body []byte, err error) {
	bad := errors.New("msg_container with a truncated or misaligned message")
	if id, err = b.Long(); err != nil {
		return 0, 0, nil, bad
	}
	if seq, err = b.Int32(); err != nil {
		return 0, 0, nil, bad
	}
	n, err := b.Int()
	if err != nil || n < 0 || n%4 != 0 || n > b.Len() {
		return 0, 0, nil, bad
	}
	body = b.Buf[:n:n]
	b.Skip(n)
	return id, seq, body, nil
}
