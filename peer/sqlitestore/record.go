package sqlitestore

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
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
// does not know are skipped when reading. Strings are valid UTF-8: peer.Merge
// makes titles so, and usernames are lowercased.
//
// Reading is encoding/json's. Writing appends the object by hand: a batch
// writes a few hundred of them, and json.Marshal takes several times the
// time and allocations (BenchmarkData in this package).
type data struct {
	Hash       int64     `json:"hash"`
	HasHash    bool      `json:"has_hash"`
	Min        bool      `json:"min"`
	Msg        []int64   `json:"msg"`
	Usernames  *[]string `json:"usernames"`
	NamesSeen  *int64    `json:"names_seen"`
	Title      string    `json:"title"`
	Self       bool      `json:"self"`
	Bot        bool      `json:"bot"`
	Broadcast  bool      `json:"broadcast"`
	MigratedTo int64     `json:"migrated_to"`
	Updated    *int64    `json:"updated"`
}

// appendData appends the peers.data object of s.
func appendData(b []byte, s *peer.Stored) []byte {
	r := &s.Record
	b = append(b, '{')
	n := len(b)
	key := func(k string) {
		if len(b) > n {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, '"', ':')
	}
	if r.AccessHash != 0 {
		key("hash")
		b = strconv.AppendInt(b, r.AccessHash, 10)
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
		b = strconv.AppendInt(b, int64(m.Peer.Kind), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, m.Peer.ID, 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(m.MsgID), 10)
		b = append(b, ']')
	}
	if r.Usernames != nil {
		key("usernames")
		b = append(b, '[')
		for i, u := range r.Usernames {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, u)
		}
		b = append(b, ']')
	}
	if len(r.Usernames) > 0 && !s.UsernamesSeen.IsZero() {
		key("names_seen")
		b = strconv.AppendInt(b, s.UsernamesSeen.UnixNano(), 10)
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
		b = strconv.AppendInt(b, r.MigratedTo, 10)
	}
	if !r.UpdatedAt.IsZero() {
		key("updated")
		b = strconv.AppendInt(b, r.UpdatedAt.UnixNano(), 10)
	}
	return append(b, '}')
}

// appendString appends s, valid UTF-8, as a JSON string.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

var errData = errors.New("not a record object")

// decodeData parses a peers.data object into s, whose Key and Phone the
// caller sets.
func decodeData(text string, s *peer.Stored) error {
	var d data
	if err := json.Unmarshal([]byte(text), &d); err != nil {
		return errors.Join(errData, err)
	}
	if d.Msg != nil {
		m := d.Msg
		if len(m) != 3 || m[0] < 0 || m[0] > math.MaxUint8 || m[2] < math.MinInt32 || m[2] > math.MaxInt32 {
			return errors.New(`not a record object: bad "msg": want [kind, chat ID, message ID]`)
		}
		s.FromMessage = peer.MessageRef{Peer: peer.Key{Kind: peer.Kind(m[0]), ID: m[1]}, MsgID: int(m[2])}
	}
	r := &s.Record
	r.AccessHash, r.HasHash, r.Min, r.Title = d.Hash, d.HasHash, d.Min, d.Title
	r.Self, r.Bot, r.Broadcast, r.MigratedTo = d.Self, d.Bot, d.Broadcast, d.MigratedTo
	if d.Usernames != nil {
		r.Usernames = *d.Usernames
		if r.Usernames == nil {
			r.Usernames = []string{}
		}
	}
	if d.NamesSeen != nil {
		s.UsernamesSeen = time.Unix(0, *d.NamesSeen)
	}
	if d.Updated != nil {
		r.UpdatedAt = time.Unix(0, *d.Updated)
	}
	return nil
}
