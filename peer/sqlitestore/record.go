package sqlitestore

import (
	"encoding/json"
	"errors"
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
// does not know are skipped when reading. Strings are valid UTF-8: peer.Merge
// makes titles so, and usernames are lowercased.
type data struct {
	Hash       int64     `json:"hash,omitempty"`
	HasHash    bool      `json:"has_hash,omitempty"`
	Min        bool      `json:"min,omitempty"`
	Msg        []int64   `json:"msg,omitempty"`
	Usernames  *[]string `json:"usernames,omitempty"`
	NamesSeen  *int64    `json:"names_seen,omitempty"`
	Title      string    `json:"title,omitempty"`
	Self       bool      `json:"self,omitempty"`
	Bot        bool      `json:"bot,omitempty"`
	Broadcast  bool      `json:"broadcast,omitempty"`
	MigratedTo int64     `json:"migrated_to,omitempty"`
	Updated    *int64    `json:"updated,omitempty"`
}

// encodeData returns the peers.data object of s.
func encodeData(s *peer.Stored) string {
	r := &s.Record
	d := data{
		Hash: r.AccessHash, HasHash: r.HasHash, Min: r.Min, Title: r.Title,
		Self: r.Self, Bot: r.Bot, Broadcast: r.Broadcast, MigratedTo: r.MigratedTo,
	}
	if m := r.FromMessage; m != (peer.MessageRef{}) {
		d.Msg = []int64{int64(m.Peer.Kind), m.Peer.ID, int64(m.MsgID)}
	}
	if r.Usernames != nil {
		d.Usernames = &r.Usernames
	}
	if len(r.Usernames) > 0 && !s.UsernamesSeen.IsZero() {
		d.NamesSeen = unixNano(s.UsernamesSeen)
	}
	if !r.UpdatedAt.IsZero() {
		d.Updated = unixNano(r.UpdatedAt)
	}
	// Nothing in data can fail to encode.
	b, _ := json.Marshal(&d)
	return string(b)
}

func unixNano(t time.Time) *int64 {
	n := t.UnixNano()
	return &n
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
