package updates

import (
	"reflect"
	"strings"

	"github.com/tgraw/tgraw/tg"
)

// box is the sequence an update belongs to.
type box int

const (
	noBox      box = iota // no sequence: applied as it comes
	commonBox             // pts of the account (private chats, basic groups)
	qtsBox                // qts (secret chats, some bot updates)
	channelBox            // the pts of one channel
	channelTooLong
)

// position is where an update stands in its sequence.
type position struct {
	box     box
	pts     int // pts or qts after the update
	count   int // pts_count (1 for qts)
	channel int64
}

// classify finds an update's sequence from its fields, as the schema
// names them, so that a new layer needs no change here: pts and
// pts_count put an update in the common box, or in a channel's when it
// has channel_id or carries a message of a channel (one of a channel whose
// channel cannot be told moves nothing); qts puts it in the qts
// box. An update with pts but no pts_count (updateReadChannelInbox) moves
// no sequence.
func classify(u tg.UpdateClass) position {
	if tl, ok := u.(*tg.UpdateChannelTooLong); ok {
		return position{box: channelTooLong, channel: tl.ChannelID}
	}
	v := reflect.ValueOf(u)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return position{}
	}
	s := v.Elem()
	pts, hasPts := intField(s, "Pts")
	count, hasCount := intField(s, "PtsCount")
	if hasPts && hasCount {
		if ch, ok := channelOf(s); ok {
			return position{box: channelBox, pts: pts, count: count, channel: ch}
		}
		if strings.Contains(u.TypeName(), "Channel") {
			// A channel's update whose channel cannot be told (a
			// messageEmpty): it moves no sequence the client knows.
			return position{}
		}
		return position{box: commonBox, pts: pts, count: count}
	}
	if qts, ok := intField(s, "Qts"); ok {
		return position{box: qtsBox, pts: qts, count: 1}
	}
	return position{}
}

func intField(s reflect.Value, name string) (int, bool) {
	f := s.FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.Int {
		return 0, false
	}
	return int(f.Int()), true
}

// channelOf returns the channel of an update: its channel_id, or the
// channel its message was sent in.
func channelOf(s reflect.Value) (int64, bool) {
	if f := s.FieldByName("ChannelID"); f.IsValid() && f.Kind() == reflect.Int64 {
		return f.Int(), true
	}
	f := s.FieldByName("Message")
	if !f.IsValid() || f.Kind() != reflect.Interface || f.IsNil() {
		return 0, false
	}
	m := f.Elem()
	if m.Kind() != reflect.Pointer || m.IsNil() || m.Elem().Kind() != reflect.Struct {
		return 0, false
	}
	p := m.Elem().FieldByName("PeerID")
	if !p.IsValid() || p.Kind() != reflect.Interface || p.IsNil() {
		return 0, false
	}
	if ch, ok := p.Interface().(*tg.PeerChannel); ok {
		return ch.ChannelID, true
	}
	return 0, false
}

// order compares an update with the local state of its sequence:
// applied next (apply), already applied (old), or a gap before it.
type order int

const (
	apply order = iota
	old
	gap
)

func compare(local, count, remote int) order {
	switch {
	case local+count == remote:
		return apply
	case local+count > remote:
		return old
	}
	return gap
}
