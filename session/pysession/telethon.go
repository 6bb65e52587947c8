package pysession

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/session"
)

// readTelethon reads a Telethon .session file: the row of sessions (only
// the current DC's key is kept there), the entities, the account's ID
// from entity 0 (where Telethon saves it, as that row's hash), and
// update_state.
func readTelethon(ctx context.Context, db *sql.DB, t *tables) (*Imported, error) {
	var version int
	if err := db.QueryRowContext(ctx, `SELECT version FROM version`).Scan(&version); err != nil {
		return nil, &FormatError{Source: t.path, Reason: "Telethon's table version has no version: " + err.Error()}
	}
	imp := &Imported{Format: fmt.Sprintf("Telethon session file (version %d)", version)}

	type row struct {
		dc, port sql.NullInt64
		addr     sql.NullString
		key      []byte
	}
	r, err := oneSessionRow(ctx, db, t.path, "Telethon", `SELECT dc_id, server_address, port, auth_key FROM sessions`,
		func(rows *sql.Rows, r *row) error { return rows.Scan(&r.dc, &r.addr, &r.port, &r.key) })
	if err != nil {
		return nil, err
	}
	key, err := authKey(t.path, r.key)
	if err != nil {
		return nil, err
	}
	sess, err := telethonSession(t.path, int(r.dc.Int64), r.addr.String, int(r.port.Int64))
	if err != nil {
		return nil, err
	}
	sess.AuthKey = key
	imp.Session = sess

	if err := telethonEntities(ctx, db, t, imp); err != nil {
		return nil, err
	}
	if err := readUpdateState(ctx, db, t, imp, false); err != nil {
		return nil, err
	}
	return imp, nil
}

// telethonSession checks a DC and its address, and tells Telegram's test
// servers by their addresses (Telethon keeps no test flag).
func telethonSession(source string, dc int, ip string, port int) (*session.Session, error) {
	if dc <= 0 || dc > 1000 {
		return nil, &FormatError{Source: source, Reason: fmt.Sprintf("DC %d is not a data centre", dc)}
	}
	s := &session.Session{DC: dc}
	if ip == "" {
		return s, nil
	}
	if net.ParseIP(ip) == nil || port <= 0 || port > 65535 {
		return nil, &FormatError{Source: source, Reason: fmt.Sprintf("the server address %q port %d is not an IP address and port", ip, port)}
	}
	s.Addr = net.JoinHostPort(ip, strconv.Itoa(port))
	for _, o := range testDCs {
		if o == ip {
			s.Test = true
		}
	}
	return s, nil
}

// testDCs are the addresses of Telegram's test DCs.
var testDCs = []string{"149.154.175.10", "149.154.167.40", "149.154.175.117"}

// telethonEntities reads entities: marked IDs, access hashes, usernames,
// phones and display names.
func telethonEntities(ctx context.Context, db *sql.DB, t *tables, imp *Imported) error {
	cols := "id, hash, username, phone, name, NULL"
	if t.has("entities", "date") {
		cols = "id, hash, username, phone, name, date"
	}
	rows, err := db.QueryContext(ctx, `SELECT `+cols+` FROM entities ORDER BY id`)
	if err != nil {
		return dbError(t.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, hash    int64
			phone, date sql.NullInt64
			name, title sql.NullString
		)
		if err := rows.Scan(&id, &hash, &name, &phone, &title, &date); err != nil {
			imp.Skipped = append(imp.Skipped, "a row of entities does not read: "+err.Error())
			continue
		}
		if id == 0 {
			// Telethon's own row: the account's user ID as its hash.
			imp.Session.UserID = hash
			continue
		}
		key, err := peer.ParseMarked(id)
		if err != nil {
			imp.Skipped = append(imp.Skipped, fmt.Sprintf("entity %d: %v", id, err))
			continue
		}
		rec := peer.Record{Key: key, AccessHash: hash, HasHash: key.Kind != peer.KindChat, Title: title.String}
		if name.String != "" {
			rec.Usernames = []string{peer.NormalizeUsername(name.String)}
		}
		if phone.Valid && phone.Int64 > 0 {
			rec.Phone = strconv.FormatInt(phone.Int64, 10)
		}
		if date.Valid && date.Int64 > 0 {
			rec.UpdatedAt = time.Unix(date.Int64, 0)
		}
		imp.Peers = append(imp.Peers, rec)
	}
	if err := rows.Err(); err != nil {
		return dbError(t.path, err)
	}
	markSelf(imp.Peers, imp.Session.UserID)
	return nil
}
