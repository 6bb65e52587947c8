package pysession

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tgraw/tgraw/mtcrypto"
	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/session"
)

// readPyrogram reads a Pyrogram (or Kurigram) .session file: the one row
// of sessions, the peers with their usernames, and Kurigram's update
// state. Columns that only some versions have are read when present.
func readPyrogram(ctx context.Context, db *sql.DB, t *tables) (*Imported, error) {
	var version int
	if err := db.QueryRowContext(ctx, `SELECT number FROM version`).Scan(&version); err != nil {
		return nil, &FormatError{Source: t.path, Reason: "Pyrogram's table version has no number: " + err.Error()}
	}
	imp := &Imported{Format: fmt.Sprintf("Pyrogram session file (schema version %d)", version)}

	apiID := "NULL"
	if t.has("sessions", "api_id") {
		apiID = "api_id"
	}
	type row struct {
		dc        sql.NullInt64
		test, bot sql.NullBool
		key       []byte
		user, api sql.NullInt64
	}
	r, err := oneSessionRow(ctx, db, t.path, "Pyrogram", `SELECT dc_id, test_mode, auth_key, user_id, is_bot, `+apiID+` FROM sessions`,
		func(rows *sql.Rows, r *row) error { return rows.Scan(&r.dc, &r.test, &r.key, &r.user, &r.bot, &r.api) })
	if err != nil {
		return nil, err
	}
	key, err := authKey(t.path, r.key)
	if err != nil {
		return nil, err
	}
	if r.dc.Int64 <= 0 || r.dc.Int64 > 1000 {
		return nil, &FormatError{Source: t.path, Reason: fmt.Sprintf("DC %d is not a data centre", r.dc.Int64)}
	}
	imp.Session = &session.Session{
		DC: int(r.dc.Int64), Test: r.test.Bool, AuthKey: key,
		UserID: r.user.Int64, Bot: r.bot.Bool,
	}
	imp.APIID = int(r.api.Int64)

	if err := pyrogramPeers(ctx, db, t, imp); err != nil {
		return nil, err
	}
	if err := readUpdateState(ctx, db, t, imp, true); err != nil {
		return nil, err
	}
	return imp, nil
}

// authKey checks a stored auth key.
func authKey(path string, b []byte) (mtcrypto.AuthKey, error) {
	if len(b) == 0 {
		return mtcrypto.AuthKey{}, &FormatError{Source: path, Reason: "the session has no auth key (it never connected); sign in with tgraw instead"}
	}
	k, err := mtcrypto.NewAuthKey(b)
	if err != nil {
		return mtcrypto.AuthKey{}, &FormatError{Source: path, Reason: fmt.Sprintf("the auth key has %d bytes, not %d", len(b), mtcrypto.AuthKeySize)}
	}
	return k, nil
}

// pyrogramPeers reads peers (and Kurigram's usernames): marked IDs,
// access hashes, and the type, which says bot and broadcast channel.
func pyrogramPeers(ctx context.Context, db *sql.DB, t *tables, imp *Imported) error {
	cols := []string{"id", "access_hash", "type"}
	for _, c := range []string{"username", "phone_number", "last_update_on"} {
		if t.has("peers", c) {
			cols = append(cols, c)
		} else {
			cols = append(cols, "NULL")
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM peers ORDER BY id`)
	if err != nil {
		return dbError(t.path, err)
	}
	defer rows.Close()
	index := map[int64]int{}
	for rows.Next() {
		var (
			id                int64
			hash, updated     sql.NullInt64
			kind, name, phone sql.NullString
		)
		if err := rows.Scan(&id, &hash, &kind, &name, &phone, &updated); err != nil {
			imp.Skipped = append(imp.Skipped, "a row of peers does not read: "+err.Error())
			continue
		}
		key, err := peer.ParseMarked(id)
		if err != nil {
			imp.Skipped = append(imp.Skipped, fmt.Sprintf("peer %d: %v", id, err))
			continue
		}
		rec := peer.Record{Key: key, AccessHash: hash.Int64, HasHash: hash.Valid && key.Kind != peer.KindChat}
		if want, known := pyrogramKind(kind.String); known && want != key.Kind {
			imp.Skipped = append(imp.Skipped, fmt.Sprintf("peer %d: type %q, but the ID is a %s's", id, kind.String, key.Kind))
			continue
		}
		rec.Bot = kind.String == "bot"
		rec.Broadcast = kind.String == "channel"
		if name.String != "" {
			rec.Usernames = []string{peer.NormalizeUsername(name.String)}
		}
		rec.Phone = peer.NormalizePhone(phone.String)
		if updated.Valid && updated.Int64 > 0 {
			rec.UpdatedAt = time.Unix(updated.Int64, 0)
		}
		index[id] = len(imp.Peers)
		imp.Peers = append(imp.Peers, rec)
	}
	if err := rows.Err(); err != nil {
		return dbError(t.path, err)
	}
	if t.has("usernames", "id", "username") {
		if err := kurigramUsernames(ctx, db, t.path, imp, index); err != nil {
			return err
		}
	}
	markSelf(imp.Peers, imp.Session.UserID)
	return nil
}

// pyrogramKind is the kind of peer a type of Pyrogram's peers names
// ("user", "bot", "group", "channel", "supergroup"); false for another.
func pyrogramKind(typ string) (peer.Kind, bool) {
	switch typ {
	case "user", "bot":
		return peer.KindUser, true
	case "group":
		return peer.KindChat, true
	case "channel", "supergroup":
		return peer.KindChannel, true
	}
	return 0, false
}

// kurigramUsernames adds the rows of Kurigram's usernames table (a peer's
// every username) to the peers read.
func kurigramUsernames(ctx context.Context, db *sql.DB, path string, imp *Imported, index map[int64]int) error {
	rows, err := db.QueryContext(ctx, `SELECT id, username FROM usernames`)
	if err != nil {
		return dbError(path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id sql.NullInt64
		var name sql.NullString
		if err := rows.Scan(&id, &name); err != nil || !id.Valid || name.String == "" {
			continue
		}
		i, ok := index[id.Int64]
		if !ok {
			continue
		}
		u := peer.NormalizeUsername(name.String)
		rec := &imp.Peers[i]
		if !contains(rec.Usernames, u) {
			rec.Usernames = append(rec.Usernames, u)
		}
	}
	return rows.Err()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// readUpdateState reads update_state, when the file has it: row 0 is the
// account's pts, qts, date and seq, the others a channel's pts, under its
// marked ID (Kurigram) or its raw ID (Telethon).
func readUpdateState(ctx context.Context, db *sql.DB, t *tables, imp *Imported, marked bool) error {
	if !t.has("update_state", "id", "pts", "qts", "date", "seq") {
		return nil
	}
	rows, err := db.QueryContext(ctx, `SELECT id, pts, qts, date, seq FROM update_state`)
	if err != nil {
		return dbError(t.path, err)
	}
	defer rows.Close()
	st := &imp.Session.Updates
	for rows.Next() {
		var (
			id            int64
			pts, qts, seq sql.NullInt64
			date          sql.NullFloat64
		)
		if err := rows.Scan(&id, &pts, &qts, &date, &seq); err != nil {
			imp.Skipped = append(imp.Skipped, "a row of update_state does not read: "+err.Error())
			continue
		}
		if id == 0 {
			st.Pts, st.Qts, st.Date, st.Seq = int(pts.Int64), int(qts.Int64), int(date.Float64), int(seq.Int64)
			continue
		}
		channel := id
		if marked {
			key, err := peer.ParseMarked(id)
			if err != nil || key.Kind != peer.KindChannel {
				imp.Skipped = append(imp.Skipped, "update state of "+strconv.FormatInt(id, 10)+": not a channel's marked ID")
				continue
			}
			channel = key.ID
		} else if err := peer.ChannelKey(id).Validate(); err != nil {
			imp.Skipped = append(imp.Skipped, "update state of "+strconv.FormatInt(id, 10)+": not a channel ID")
			continue
		}
		if st.Channels == nil {
			st.Channels = map[int64]int{}
		}
		st.Channels[channel] = int(pts.Int64)
	}
	return rows.Err()
}
