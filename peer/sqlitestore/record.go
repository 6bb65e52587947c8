package sqlitestore

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/tgraw/tgraw/peer"
)

// peers.data holds a record but for its key and phone as a JSON object,
// with fields at their zero value left out:
//
//	{"hash":-42,"has_hash":true,"min":true,"msg":[3,10,77],
//	 "usernames":["a","b"],"names_seen":1700000000000000000,
//	 "title":"Name","self":true,"bot":true,"broadcast":true,
//	 "migrated_to":1234567890,"updated":1700000000000000000}
//
// "msg" is FromMessage as [kind, id, message ID]; "usernames" is left out
// when the list is unknown (nil) and is [] when it is known to be empty;
// "names_seen" is when the usernames were last seen (every username of a
// record is seen by the same Put, the last one that listed them);
// "migrated_to" is MigratedTo (schema version 3 on);
// "updated" is UpdatedAt. Times are in Unix nanoseconds. Keys this version
// does not know are skipped when reading.

// appendData appends the peers.data object of r, whose usernames were
// last seen at namesSeen.
func appendData(b []byte, r *peer.Record, namesSeen time.Time) []byte {
	b = append(b, '{')
	n := 0
	key := func(k string) {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, '"', ':')
	}
	if r.AccessHash != 0 {
		key("hash")
		b = appendInt(b, r.AccessHash)
	}
	if r.HasHash {
		key("has_hash")
		b = append(b, "true"...)
	}
	if r.Min {
		key("min")
		b = append(b, "true"...)
	}
	if m := r.FromMessage; m != (peer.MessageRef{}) {
		key("msg")
		b = append(b, '[')
		b = appendInt(b, int64(m.Peer.Kind))
		b = append(b, ',')
		b = appendInt(b, m.Peer.ID)
		b = append(b, ',')
		b = appendInt(b, int64(m.MsgID))
		b = append(b, ']')
	}
	if r.Usernames != nil {
		key("usernames")
		b = appendNames(b, r.Usernames)
	}
	if len(r.Usernames) > 0 && !namesSeen.IsZero() {
		key("names_seen")
		b = appendInt(b, namesSeen.UnixNano())
	}
	if r.Title != "" {
		key("title")
		b = appendString(b, r.Title)
	}
	if r.Self {
		key("self")
		b = append(b, "true"...)
	}
	if r.Bot {
		key("bot")
		b = append(b, "true"...)
	}
	if r.Broadcast {
		key("broadcast")
		b = append(b, "true"...)
	}
	if r.MigratedTo != 0 {
		key("migrated_to")
		b = appendInt(b, r.MigratedTo)
	}
	if !r.UpdatedAt.IsZero() {
		key("updated")
		b = appendInt(b, r.UpdatedAt.UnixNano())
	}
	return append(b, '}')
}

var errData = errors.New("not a record object")

// decodeData parses a peers.data object into r, whose Key and Phone the
// caller sets, and returns when its usernames were last seen.
func decodeData(s string, r *peer.Record) (namesSeen time.Time, err error) {
	p := jsonParser{s: s}
	p.space()
	if !p.next('{') {
		return time.Time{}, errData
	}
	p.space()
	if p.next('}') {
		return time.Time{}, p.end()
	}
	for {
		p.space()
		k, ok := p.string()
		if !ok {
			return time.Time{}, errData
		}
		p.space()
		if !p.next(':') {
			return time.Time{}, errData
		}
		p.space()
		switch k {
		case "hash":
			r.AccessHash, ok = p.int()
		case "has_hash":
			r.HasHash, ok = p.bool()
		case "min":
			r.Min, ok = p.bool()
		case "self":
			r.Self, ok = p.bool()
		case "bot":
			r.Bot, ok = p.bool()
		case "broadcast":
			r.Broadcast, ok = p.bool()
		case "title":
			r.Title, ok = p.string()
		case "migrated_to":
			r.MigratedTo, ok = p.int()
		case "usernames":
			r.Usernames, ok = p.names()
		case "updated":
			var n int64
			n, ok = p.int()
			r.UpdatedAt = time.Unix(0, n)
		case "names_seen":
			var n int64
			n, ok = p.int()
			namesSeen = time.Unix(0, n)
		case "msg":
			var m [3]int64
			ok = p.next('[')
			for i := 0; ok && i < 3; i++ {
				if i > 0 {
					p.space()
					ok = p.next(',')
				}
				p.space()
				if ok {
					m[i], ok = p.int()
				}
			}
			p.space()
			if !ok || !p.next(']') || m[0] < 0 || m[0] > math.MaxUint8 || m[2] < math.MinInt32 || m[2] > math.MaxInt32 {
				return time.Time{}, fmt.Errorf("%w: bad \"msg\"", errData)
			}
			r.FromMessage = peer.MessageRef{Peer: peer.Key{Kind: peer.Kind(m[0]), ID: m[1]}, MsgID: int(m[2])}
		default:
			ok = p.skip(0)
		}
		if !ok {
			return time.Time{}, fmt.Errorf("%w: bad %q", errData, k)
		}
		p.space()
		if p.next('}') {
			return namesSeen, p.end()
		}
		if !p.next(',') {
			return time.Time{}, errData
		}
	}
}
