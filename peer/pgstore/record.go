package pgstore

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/tgraw/tgraw/peer"
)

// row is a peers row as scanned from recordColumns.
type row struct {
	kind, msgKind        int16
	id, hash, msgPeer    int64
	msgID                int32
	hasHash, min         bool
	usernames            []string
	seen, updated        pgtype.Int8
	phone                string
	title                []byte
	self, bot, broadcast bool
	migratedTo           int64
}

// dest returns the scan destinations of recordColumns, in order.
func (r *row) dest() []any {
	return []any{&r.kind, &r.id, &r.hash, &r.hasHash, &r.min, &r.msgKind, &r.msgPeer, &r.msgID,
		&r.usernames, &r.seen, &r.phone, &r.title, &r.self, &r.bot, &r.broadcast,
		&r.migratedTo, &r.updated}
}

// errDamaged marks a row this package cannot read.
var errDamaged = errors.New("damaged row")

// stored converts the row to the record it holds.
func (r *row) stored() (peer.Stored, error) {
	if r.kind < 0 || r.kind > math.MaxUint8 || r.msgKind < 0 || r.msgKind > math.MaxUint8 {
		return peer.Stored{}, fmt.Errorf("%w of peers (kind %d, id %d): kind out of range; delete the row", errDamaged, r.kind, r.id)
	}
	s := peer.Stored{Record: peer.Record{
		Key:        peer.Key{Kind: peer.Kind(r.kind), ID: r.id},
		AccessHash: r.hash,
		HasHash:    r.hasHash,
		Min:        r.min,
		Usernames:  r.usernames,
		Phone:      r.phone,
		Title:      string(r.title),
		Self:       r.self,
		Bot:        r.bot,
		Broadcast:  r.broadcast,
		MigratedTo: r.migratedTo,
		UpdatedAt:  fromNanos(r.updated),
	}, UsernamesSeen: fromNanos(r.seen)}
	if r.msgKind != 0 || r.msgPeer != 0 || r.msgID != 0 {
		s.FromMessage = peer.MessageRef{Peer: peer.Key{Kind: peer.Kind(r.msgKind), ID: r.msgPeer}, MsgID: int(r.msgID)}
	}
	return s, nil
}

// fromNanos is the time of a column of Unix nanoseconds; NULL is the zero
// time.
func fromNanos(n pgtype.Int8) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64)
}

// nanos is the column value of a time.
func nanos(t time.Time) pgtype.Int8 {
	if t.IsZero() {
		return pgtype.Int8{}
	}
	return pgtype.Int8{Int64: t.UnixNano(), Valid: true}
}

// The times a bigint of nanoseconds holds: years 1678 to 2262.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// storableTime reports whether t fits in a column.
func storableTime(t time.Time) bool {
	return t.IsZero() || !t.Before(minTime) && !t.After(maxTime)
}

// hasNUL reports whether s has a NUL byte, which PostgreSQL's text cannot
// hold.
func hasNUL(s string) bool { return strings.IndexByte(s, 0) >= 0 }

// checkRecord returns why the store cannot keep rec, or nil.
func checkRecord(rec *peer.Record) error {
	if !storableTime(rec.UpdatedAt) {
		return fmt.Errorf("UpdatedAt %v is outside the years 1678 to 2262 that the store holds", rec.UpdatedAt)
	}
	for _, u := range rec.Usernames {
		if hasNUL(u) {
			return fmt.Errorf("username %q has a NUL byte", u)
		}
	}
	if rec.FromMessage.MsgID < math.MinInt32 || rec.FromMessage.MsgID > math.MaxInt32 {
		return fmt.Errorf("FromMessage.MsgID %d is not a 32-bit message ID", rec.FromMessage.MsgID)
	}
	return nil
}
