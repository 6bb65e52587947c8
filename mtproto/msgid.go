package mtproto

import (
	"time"
)

// MsgIDs makes a client's message IDs: the time of the clock corrected by
// the server's offset, times 2^32 (seconds in the upper 32 bits, the
// fraction of the second in the lower ones), divisible by 4 and strictly
// increasing. It is not safe for concurrent use: Conn keeps it under the
// lock that also assigns seqnos.
type MsgIDs struct {
	now    func() time.Time
	offset time.Duration
	last   int64
}

// NewMsgIDs returns a generator on the clock now, corrected by offset
// (server time minus local time).
func NewMsgIDs(now func() time.Time, offset time.Duration) *MsgIDs {
	return &MsgIDs{now: now, offset: offset}
}

// New returns the next message ID.
func (g *MsgIDs) New() int64 {
	id := MsgIDAt(g.Now())
	if id <= g.last {
		id = g.last + 4
	}
	g.last = id
	return id
}

// Now returns the corrected time: the server's time, as far as the
// client knows it.
func (g *MsgIDs) Now() time.Time { return g.now().Add(g.offset) }

// Offset returns the correction: server time minus local time.
func (g *MsgIDs) Offset() time.Duration { return g.offset }

// SetOffset sets the correction. It reports whether IDs made from now on
// would fall at or below the last one made, in which case they keep
// increasing from it, ahead of the corrected clock, until the clock
// catches up: the caller should start a new session, whose IDs need not
// exceed the old session's.
func (g *MsgIDs) SetOffset(offset time.Duration) (behind bool) {
	g.offset = offset
	return MsgIDAt(g.Now()) <= g.last
}

// Reset forgets the last ID, for a new session.
func (g *MsgIDs) Reset() { g.last = 0 }

// MsgIDAt returns the message ID of time t: seconds in the upper 32 bits,
// the nanoseconds times 4 (a fraction of the second, divisible by 4) in
// the lower ones.
func MsgIDAt(t time.Time) int64 {
	return t.Unix()<<32 | int64(t.Nanosecond())<<2
}

// MsgIDTime returns the time a message ID was made at, to the second.
func MsgIDTime(id int64) time.Time {
	return time.Unix(id>>32, 0)
}
