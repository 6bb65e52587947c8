package mtproto

import (
	"fmt"
	"time"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/mt"
)

// BadMsgError is a bad_msg_notification that re-sending cannot fix: the
// server refused the message of a call for a reason that is the client's
// bug (codes 18, 19, 20, 34, 35, 64).
type BadMsgError struct {
	Code int
	Call string // the TL name of the call
}

// badMsgReasons are the documented codes of bad_msg_notification
// (https://core.telegram.org/mtproto/service_messages_about_messages).
var badMsgReasons = map[int]string{
	16: "msg_id too low",
	17: "msg_id too high",
	18: "incorrect two lower bits of msg_id",
	19: "container msg_id is the same as the msg_id of a previous message",
	20: "message too old, its fate unknown to the server",
	32: "msg_seqno too low",
	33: "msg_seqno too high",
	34: "an even msg_seqno expected, an odd one received",
	35: "an odd msg_seqno expected, an even one received",
	48: "incorrect server salt",
	64: "invalid container",
}

func (e *BadMsgError) Error() string {
	reason := badMsgReasons[e.Code]
	if reason == "" {
		reason = "an undocumented reason"
	}
	return fmt.Sprintf("mtproto: the server refused the message of %s: %s (bad_msg_notification %d)", e.Call, reason, e.Code)
}

// badMsg handles bad_msg_notification and bad_server_salt about a message
// sent recently: a new salt (48), a corrected clock (16, 17) or a new
// session (32, 33, or a clock that moved back) and the calls re-sent;
// other codes fail the calls.
func (c *Conn) badMsg(msgID int64, b *bin.Buffer) {
	v, err := mt.DecodeBadMsgNotification(b)
	if err != nil {
		c.dropInner(msgID, "undecodable bad_msg_notification")
		return
	}
	var badID int64
	var code int
	var salt int64
	switch v := v.(type) {
	case *mt.BadMsgNotification:
		badID, code = v.BadMsgID, v.ErrorCode
	case *mt.BadServerSalt:
		badID, code, salt = v.BadMsgID, v.ErrorCode, v.NewServerSalt
	}

	c.mu.Lock()
	ids, ok := c.sent.messages(badID)
	if !ok {
		c.mu.Unlock()
		c.dropInner(msgID, "bad_msg_notification about a message not sent recently")
		return
	}
	var calls []*request
	for _, id := range ids {
		if r := c.pending[id]; r != nil {
			delete(c.pending, id)
			calls = append(calls, r)
		}
	}
	fix := true
	switch code {
	case 48:
		if _, salted := v.(*mt.BadServerSalt); !salted {
			fix = false
			break
		}
		c.salt, c.salts = salt, nil
	case 16, 17:
		// The notification's own msg_id tells the server's time.
		server := time.Unix(msgID>>32, int64(uint32(msgID))*int64(time.Second)>>32)
		if behind := c.ids.SetOffset(server.Sub(c.opts.Clock.Now())); behind {
			// Correct IDs would be lower than those already sent: they
			// are only increasing in a new session.
			c.newSessionLocked()
			c.ids.Reset()
		}
	case 32, 33:
		c.newSessionLocked()
	default:
		fix = false
	}
	if fix {
		// Re-send with new msg_ids, ahead of what is queued.
		front := make([]*outgoing, len(calls))
		for i, r := range calls {
			front[i] = &outgoing{req: r, body: r.body, content: true}
		}
		c.queue = append(front, c.queue...)
	}
	st := c.stateLocked()
	c.mu.Unlock()

	c.log.Debug("mtproto: bad_msg_notification", "code", code, "bad_msg_id", badID, "calls", len(calls))
	if !fix {
		for _, r := range calls {
			r.deliver(nil, &BadMsgError{Code: code, Call: r.name})
		}
		return
	}
	c.notifyState(st)
	c.signal(c.wake)
}

// newSessionLocked starts a new session: a new random session_id and
// seqnos from zero. Answers that come in the previous session are still
// taken. c.mu is held.
func (c *Conn) newSessionLocked() {
	id, err := c.random64()
	if err != nil {
		// The random source is broken; keep the session (the server will
		// refuse its messages again, and the calls time out).
		c.log.Warn("mtproto: no new session", "error", err)
		return
	}
	c.oldSession, c.session, c.seq = c.session, id, 0
}
