// Package pysessiontest writes session files and string sessions the
// way Pyrogram and Telethon do, with their published schemas, for tests
// of importers.
package pysessiontest

import (
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net"
	"strings"

	_ "modernc.org/sqlite" // the database/sql driver

	"github.com/tgraw/tgraw/mtcrypto"
)

// Pyrogram schemas, by version (pyrogram/storage/sqlite_storage.py, and
// Kurigram's for 4 to 6): 1 and 2 have no sessions.api_id; a fresh
// Kurigram 6 file has no peers.username, its usernames in a table of
// their own, and update_state.
var pyrogramSchema = map[int]string{
	1: `
CREATE TABLE sessions (dc_id INTEGER PRIMARY KEY, test_mode INTEGER, auth_key BLOB, date INTEGER NOT NULL, user_id INTEGER, is_bot INTEGER);
CREATE TABLE peers (id INTEGER PRIMARY KEY, access_hash INTEGER, type INTEGER NOT NULL, username TEXT, phone_number TEXT,
	last_update_on INTEGER NOT NULL DEFAULT (CAST(STRFTIME('%s', 'now') AS INTEGER)));
CREATE TABLE version (number INTEGER PRIMARY KEY);
CREATE INDEX idx_peers_id ON peers (id);
CREATE INDEX idx_peers_username ON peers (username);
CREATE INDEX idx_peers_phone_number ON peers (phone_number);
CREATE TRIGGER trg_peers_last_update_on AFTER UPDATE ON peers BEGIN
	UPDATE peers SET last_update_on = CAST(STRFTIME('%s', 'now') AS INTEGER) WHERE id = NEW.id;
END;`,
	3: `
CREATE TABLE sessions (dc_id INTEGER PRIMARY KEY, api_id INTEGER, test_mode INTEGER, auth_key BLOB, date INTEGER NOT NULL, user_id INTEGER, is_bot INTEGER);
CREATE TABLE peers (id INTEGER PRIMARY KEY, access_hash INTEGER, type INTEGER NOT NULL, username TEXT, phone_number TEXT,
	last_update_on INTEGER NOT NULL DEFAULT (CAST(STRFTIME('%s', 'now') AS INTEGER)));
CREATE TABLE version (number INTEGER PRIMARY KEY);
CREATE INDEX idx_peers_id ON peers (id);
CREATE INDEX idx_peers_username ON peers (username);
CREATE INDEX idx_peers_phone_number ON peers (phone_number);
CREATE TRIGGER trg_peers_last_update_on AFTER UPDATE ON peers BEGIN
	UPDATE peers SET last_update_on = CAST(STRFTIME('%s', 'now') AS INTEGER) WHERE id = NEW.id;
END;`,
	6: `
CREATE TABLE sessions (dc_id INTEGER PRIMARY KEY, api_id INTEGER, test_mode INTEGER, auth_key BLOB, date INTEGER NOT NULL, user_id INTEGER, is_bot INTEGER);
CREATE TABLE peers (id INTEGER PRIMARY KEY, access_hash INTEGER, type INTEGER NOT NULL, phone_number TEXT,
	last_update_on INTEGER NOT NULL DEFAULT (CAST(STRFTIME('%s', 'now') AS INTEGER)));
CREATE TABLE usernames (id INTEGER, username TEXT, FOREIGN KEY (id) REFERENCES peers(id));
CREATE TABLE update_state (id INTEGER PRIMARY KEY, pts INTEGER, qts INTEGER, date INTEGER, seq INTEGER);
CREATE TABLE version (number INTEGER PRIMARY KEY);
CREATE INDEX idx_peers_id ON peers (id);
CREATE INDEX idx_peers_phone_number ON peers (phone_number);
CREATE INDEX idx_usernames_username ON usernames (username);
CREATE INDEX idx_usernames_id ON usernames (id);`,
}

// Telethon schemas, by version (telethon/sessions/sqlite.py): 3 without
// sessions.takeout_id, entities.date and update_state; 7 with them.
var telethonSchema = map[int]string{
	3: `
CREATE TABLE version (version integer primary key) without rowid;
CREATE TABLE sessions (dc_id integer primary key, server_address text, port integer, auth_key blob) without rowid;
CREATE TABLE entities (id integer primary key, hash integer not null, username text, phone integer, name text) without rowid;
CREATE TABLE sent_files (md5_digest blob, file_size integer, type integer, id integer, hash integer, primary key(md5_digest, file_size, type)) without rowid;`,
	7: `
CREATE TABLE version (version integer primary key);
CREATE TABLE sessions (dc_id integer primary key, server_address text, port integer, auth_key blob, takeout_id integer);
CREATE TABLE entities (id integer primary key, hash integer not null, username text, phone integer, name text, date integer);
CREATE TABLE sent_files (md5_digest blob, file_size integer, type integer, id integer, hash integer, primary key(md5_digest, file_size, type));
CREATE TABLE update_state (id integer primary key, pts integer, qts integer, date integer, seq integer);`,
}

// PyrogramSession is the row of a Pyrogram file's sessions.
type PyrogramSession struct {
	DC     int
	APIID  int
	Test   bool
	Key    []byte // nil: NULL
	UserID int64  // 0: NULL
	Bot    bool
}

// PyrogramPeer is a row of a Pyrogram file's peers.
type PyrogramPeer struct {
	ID         int64  // marked
	AccessHash *int64 // nil: NULL
	Type       string // user, bot, group, channel, supergroup
	Usernames  []string
	Phone      string
}

// UpdateState is a row of update_state.
type UpdateState struct {
	ID                  int64
	Pts, Qts, Date, Seq int
}

// PyrogramFile writes a Pyrogram session file of the schema version
// (1, 2, 3, or Kurigram's 6) at path.
func PyrogramFile(path string, version int, s PyrogramSession, peers []PyrogramPeer, state []UpdateState) error {
	schema, ok := pyrogramSchema[version]
	if version == 2 {
		schema, ok = pyrogramSchema[1], true
	}
	if !ok {
		return fmt.Errorf("pysessiontest: no Pyrogram schema %d", version)
	}
	return write(path, schema, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO version VALUES (?)`, version); err != nil {
			return err
		}
		var user any
		if s.UserID != 0 {
			user = s.UserID
		}
		var key any
		if s.Key != nil {
			key = s.Key
		}
		if version >= 3 {
			if _, err := tx.Exec(`INSERT INTO sessions VALUES (?, ?, ?, ?, 1700000000, ?, ?)`, s.DC, s.APIID, s.Test, key, user, s.Bot); err != nil {
				return err
			}
		} else if _, err := tx.Exec(`INSERT INTO sessions VALUES (?, ?, ?, 1700000000, ?, ?)`, s.DC, s.Test, key, user, s.Bot); err != nil {
			return err
		}
		for _, p := range peers {
			var hash any
			if p.AccessHash != nil {
				hash = *p.AccessHash
			}
			var phone any
			if p.Phone != "" {
				phone = p.Phone
			}
			if version >= 6 {
				if _, err := tx.Exec(`INSERT INTO peers (id, access_hash, type, phone_number) VALUES (?, ?, ?, ?)`, p.ID, hash, p.Type, phone); err != nil {
					return err
				}
				for _, u := range p.Usernames {
					if _, err := tx.Exec(`INSERT INTO usernames VALUES (?, ?)`, p.ID, strings.ToLower(u)); err != nil {
						return err
					}
				}
				continue
			}
			var username any
			if len(p.Usernames) > 0 {
				username = strings.ToLower(p.Usernames[0])
			}
			if _, err := tx.Exec(`INSERT INTO peers (id, access_hash, type, username, phone_number) VALUES (?, ?, ?, ?, ?)`,
				p.ID, hash, p.Type, username, phone); err != nil {
				return err
			}
		}
		if version >= 5 {
			return insertState(tx, state)
		}
		return nil
	})
}

// TelethonSession is the row of a Telethon file's sessions.
type TelethonSession struct {
	DC   int
	IP   string
	Port int
	Key  []byte
}

// TelethonEntity is a row of a Telethon file's entities.
type TelethonEntity struct {
	ID       int64 // marked; 0 is the account's own row, Hash its ID
	Hash     int64
	Username string
	Phone    int64
	Name     string
}

// TelethonFile writes a Telethon session file of the version (3 or 7) at
// path.
func TelethonFile(path string, version int, s TelethonSession, entities []TelethonEntity, state []UpdateState) error {
	schema, ok := telethonSchema[version]
	if !ok {
		return fmt.Errorf("pysessiontest: no Telethon schema %d", version)
	}
	return write(path, schema, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO version VALUES (?)`, version); err != nil {
			return err
		}
		if version >= 5 {
			if _, err := tx.Exec(`INSERT INTO sessions VALUES (?, ?, ?, ?, NULL)`, s.DC, s.IP, s.Port, s.Key); err != nil {
				return err
			}
		} else if _, err := tx.Exec(`INSERT INTO sessions VALUES (?, ?, ?, ?)`, s.DC, s.IP, s.Port, s.Key); err != nil {
			return err
		}
		for _, e := range entities {
			var username, phone, name any
			if e.Username != "" {
				username = strings.ToLower(e.Username)
			}
			if e.Phone != 0 {
				phone = e.Phone
			}
			if e.Name != "" {
				name = e.Name
			}
			if version >= 7 {
				if _, err := tx.Exec(`INSERT INTO entities VALUES (?, ?, ?, ?, ?, 1700000000)`, e.ID, e.Hash, username, phone, name); err != nil {
					return err
				}
			} else if _, err := tx.Exec(`INSERT INTO entities VALUES (?, ?, ?, ?, ?)`, e.ID, e.Hash, username, phone, name); err != nil {
				return err
			}
		}
		if version >= 4 {
			return insertState(tx, state)
		}
		return nil
	})
}

func insertState(tx *sql.Tx, state []UpdateState) error {
	for _, u := range state {
		if _, err := tx.Exec(`INSERT INTO update_state VALUES (?, ?, ?, ?, ?)`, u.ID, u.Pts, u.Qts, u.Date, u.Seq); err != nil {
			return err
		}
	}
	return nil
}

// write makes a new SQLite file at path with the schema, and fills it in
// one transaction, in the rollback-journal mode both libraries use.
func write(path, schema string, fill func(*sql.Tx) error) error {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Exec(schema); err != nil {
		return fmt.Errorf("pysessiontest: schema: %w", err)
	}
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	if err := fill(tx); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("pysessiontest: rows: %w", err)
	}
	return tx.Commit()
}

// PyrogramString encodes a Pyrogram string session of the current
// layout (271 bytes, 362 characters).
func PyrogramString(dc, apiID int, test bool, key []byte, userID int64, bot bool) string {
	b := []byte{byte(dc)}
	b = binary.BigEndian.AppendUint32(b, uint32(apiID))
	b = append(b, boolByte(test))
	b = append(b, key...)
	b = binary.BigEndian.AppendUint64(b, uint64(userID))
	b = append(b, boolByte(bot))
	return base64.RawURLEncoding.EncodeToString(b)
}

// PyrogramOldString encodes an old Pyrogram string session: the 32-bit
// user ID layout (263 bytes) or, with wide, the 64-bit one (267 bytes).
func PyrogramOldString(dc int, test bool, key []byte, userID int64, bot, wide bool) string {
	b := []byte{byte(dc), boolByte(test)}
	b = append(b, key...)
	if wide {
		b = binary.BigEndian.AppendUint64(b, uint64(userID))
	} else {
		b = binary.BigEndian.AppendUint32(b, uint32(userID))
	}
	b = append(b, boolByte(bot))
	return base64.RawURLEncoding.EncodeToString(b)
}

// TelethonString encodes a Telethon string session.
func TelethonString(dc int, ip string, port int, key []byte) string {
	addr := net.ParseIP(ip)
	if v4 := addr.To4(); v4 != nil {
		addr = v4
	}
	b := append([]byte{byte(dc)}, addr...)
	b = binary.BigEndian.AppendUint16(b, uint16(port))
	b = append(b, key...)
	return "1" + base64.URLEncoding.EncodeToString(b)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// Key returns 256 bytes made from a seed, as an auth key for files.
func Key(seed byte) []byte {
	b := make([]byte, mtcrypto.AuthKeySize)
	for i := range b {
		b[i] = byte(i)*seed + 1
	}
	return b
}
