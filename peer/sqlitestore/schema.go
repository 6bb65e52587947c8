package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
)

// applicationID marks an SQLite file as a tgraw session file
// (PRAGMA application_id): "tgrw" in ASCII.
const applicationID = 0x74677277

// migrations is the schema's history, oldest first. Migration i (counting
// from zero) brings a file from PRAGMA user_version i to i+1. Entries are
// never edited once released: a change to the schema is a new entry at the
// end.
var migrations = []string{
	// 1: peers, the username index, and a view for people.
	//
	// A peer's record is one JSON object in peers.data (see record.go):
	// with modernc.org/sqlite a row's cost grows with its number of
	// columns, and a batch of 250 peers is written several times faster as
	// (kind, id, phone, data) than as one column per field. peers_view
	// shows the fields as columns, for the sqlite3 shell.
	`
CREATE TABLE peers (
	kind  INTEGER NOT NULL,
	id    INTEGER NOT NULL,
	phone TEXT,          -- digits only; NULL if unknown
	data  TEXT NOT NULL, -- the record, a JSON object
	PRIMARY KEY (kind, id)
) WITHOUT ROWID;

-- Every username listed by a record, and that record. When it was seen is
-- the record's: peers.data's "names_seen".
CREATE TABLE usernames (
	username TEXT    NOT NULL PRIMARY KEY, -- lowercased, no '@'
	kind     INTEGER NOT NULL,
	id       INTEGER NOT NULL
) WITHOUT ROWID;

CREATE VIEW peers_view AS SELECT
	kind,
	id,
	coalesce(data->>'hash', 0)        AS access_hash,
	coalesce(data->>'has_hash', 0)    AS has_hash,
	coalesce(data->>'min', 0)         AS min,
	data->>'$.msg[0]'                 AS msg_peer_kind,
	data->>'$.msg[1]'                 AS msg_peer_id,
	data->>'$.msg[2]'                 AS msg_id,
	data->'usernames'                 AS usernames,
	datetime(data->>'names_seen' / 1000000000, 'unixepoch') AS usernames_seen_at,
	phone,
	data->>'title'                    AS title,
	coalesce(data->>'self', 0)        AS self,
	coalesce(data->>'bot', 0)         AS bot,
	coalesce(data->>'broadcast', 0)   AS broadcast,
	datetime(data->>'updated' / 1000000000, 'unixepoch') AS updated_at
FROM peers;
`,
	// 2: users by phone number.
	`
CREATE INDEX peers_phone ON peers (phone) WHERE phone IS NOT NULL;
`,
	// 3: invite links, and the supergroup a basic group became (the
	// record's "migrated_to", shown by the view).
	`
CREATE TABLE invites (
	hash TEXT    NOT NULL PRIMARY KEY, -- as in the link: case matters
	kind INTEGER NOT NULL,             -- the peer the link led to
	id   INTEGER NOT NULL,
	seen INTEGER NOT NULL              -- when, in Unix nanoseconds
) WITHOUT ROWID;

DROP VIEW peers_view;
` + peersViewV3,
	// 4: the MTProto session (session.Storage): one row with the DC, the
	// auth key and what the client learnt, and the pts of each channel.
	`
CREATE TABLE session (
	id          INTEGER PRIMARY KEY CHECK (id = 1), -- one row
	dc          INTEGER NOT NULL,
	addr        TEXT    NOT NULL,                   -- host:port last used
	test        INTEGER NOT NULL,                   -- 1: Telegram's test servers
	auth_key    BLOB,                               -- 256 bytes; NULL: none yet
	auth_key_id INTEGER,                            -- checked against auth_key on load
	salt        INTEGER NOT NULL,
	time_offset INTEGER NOT NULL,                   -- server time minus local time, in ns
	user_id     INTEGER NOT NULL,                   -- 0 before sign-in
	bot         INTEGER NOT NULL,
	pts         INTEGER NOT NULL,                   -- the update state
	qts         INTEGER NOT NULL,
	date        INTEGER NOT NULL,
	seq         INTEGER NOT NULL
);

CREATE TABLE channel_pts (
	channel_id INTEGER NOT NULL PRIMARY KEY,
	pts        INTEGER NOT NULL
) WITHOUT ROWID;
`,
	// 5: the auth keys of data centres other than the session's (files,
	// media, CDN, and DCs the account moved from), so that a restart
	// makes no new key exchange with them.
	`
CREATE TABLE dc_keys (
	dc          INTEGER NOT NULL PRIMARY KEY,
	auth_key    BLOB    NOT NULL,                   -- 256 bytes
	auth_key_id INTEGER NOT NULL,                   -- checked against auth_key on load
	salt        INTEGER NOT NULL,
	user_id     INTEGER NOT NULL                    -- the account the key is signed in to; 0: none
) WITHOUT ROWID;
`,
	// 6: peers becomes a table with rowids, and (kind, id) its unique
	// index. New rows go at the table's end whatever their IDs, into pages
	// of their own, and only the small index entries land among the old
	// ones: kept in (kind, id) order, a batch of peers of scattered IDs
	// rewrote a page of whole records per peer. Every row is carried over.
	`
CREATE TABLE peers_v6 (
	kind  INTEGER NOT NULL,
	id    INTEGER NOT NULL,
	phone TEXT,          -- digits only; NULL if unknown
	data  TEXT NOT NULL, -- the record, a JSON object
	PRIMARY KEY (kind, id)
);
INSERT INTO peers_v6 (kind, id, phone, data) SELECT kind, id, phone, data FROM peers ORDER BY kind, id;
DROP VIEW peers_view;
DROP TABLE peers;
ALTER TABLE peers_v6 RENAME TO peers;
CREATE INDEX peers_phone ON peers (phone) WHERE phone IS NOT NULL;
` + peersViewV3,
}

// peersViewV3 creates peers_view as schema version 3 made it, and as
// version 6 makes it again over the new peers table.
const peersViewV3 = `CREATE VIEW peers_view AS SELECT
	kind,
	id,
	coalesce(data->>'hash', 0)        AS access_hash,
	coalesce(data->>'has_hash', 0)    AS has_hash,
	coalesce(data->>'min', 0)         AS min,
	data->>'$.msg[0]'                 AS msg_peer_kind,
	data->>'$.msg[1]'                 AS msg_peer_id,
	data->>'$.msg[2]'                 AS msg_id,
	data->'usernames'                 AS usernames,
	datetime(data->>'names_seen' / 1000000000, 'unixepoch') AS usernames_seen_at,
	phone,
	data->>'title'                    AS title,
	coalesce(data->>'self', 0)        AS self,
	coalesce(data->>'bot', 0)         AS bot,
	coalesce(data->>'broadcast', 0)   AS broadcast,
	data->>'migrated_to'              AS migrated_to,
	datetime(data->>'updated' / 1000000000, 'unixepoch') AS updated_at
FROM peers;
`

// SchemaVersion is the schema version this package writes and reads
// (PRAGMA user_version of a session file). Older files are migrated on
// Open; newer ones are refused with a *VersionError.
const SchemaVersion = 6

// execer is what migrate needs of a connection.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// fileVersion reads the application ID and schema version of the file,
// and counts its schema objects, in one statement: one consistent view even
// while another process migrates the file.
func fileVersion(ctx context.Context, c execer) (appID, version int64, objects int, err error) {
	err = c.QueryRowContext(ctx, `SELECT
	(SELECT application_id FROM pragma_application_id),
	(SELECT user_version FROM pragma_user_version),
	(SELECT count(*) FROM sqlite_schema)`).Scan(&appID, &version, &objects)
	return appID, version, objects, err
}

// checkFile returns a *NotSessionError if the file on c is not a session
// file (or a new, empty SQLite file), and a *VersionError if its schema is
// newer than SchemaVersion. It changes nothing.
func checkFile(ctx context.Context, c execer, path string) error {
	_, err := checkVersion(ctx, c, path, SchemaVersion)
	return err
}

// checkVersion returns the schema version of the file on c, or an error
// if it is not a session file or its version is newer than known.
func checkVersion(ctx context.Context, c execer, path string, known int) (int, error) {
	appID, version, objects, err := fileVersion(ctx, c)
	if err != nil {
		return 0, err
	}
	switch {
	case appID == applicationID:
	case appID == 0 && version == 0:
		// A new file, or an SQLite database of another application.
		if objects > 0 {
			return 0, &NotSessionError{Path: path, Reason: "an SQLite database of another application (it has tables and no tgraw application ID)"}
		}
	default:
		return 0, &NotSessionError{Path: path, Reason: fmt.Sprintf("an SQLite database of another application (application_id %#x, user_version %d)", appID, version)}
	}
	if version < 0 || version > int64(known) {
		return 0, &VersionError{Path: path, Version: int(version), Supported: known}
	}
	return int(version), nil
}

// migrate brings the file on c up to len(list), in one write transaction:
// either every pending step is applied or none is. It returns the version
// found and the version left. c must be a single connection (not a pool),
// outside any transaction.
func migrate(ctx context.Context, c execer, path string, list []string) (from, to int, err error) {
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return 0, 0, err
	}
	done := false
	defer func() {
		if !done {
			// The transaction must not stay open on the connection, even
			// when ctx is done.
			_, _ = c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()

	// Check the version inside the transaction: another process may have
	// migrated the file since it was opened.
	version, err := checkVersion(ctx, c, path, len(list))
	if err != nil {
		return 0, 0, err
	}
	from = version
	if from == len(list) {
		if _, err := c.ExecContext(ctx, "COMMIT"); err != nil {
			return from, 0, err
		}
		done = true
		return from, from, nil
	}
	for i := from; i < len(list); i++ {
		if _, err := c.ExecContext(ctx, list[i]); err != nil {
			return from, 0, fmt.Errorf("migrating schema from version %d to %d: %w", i, i+1, err)
		}
	}
	// PRAGMA takes no bound parameters; both values are integers formatted
	// here.
	if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", applicationID)); err != nil {
		return from, 0, err
	}
	if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(list))); err != nil {
		return from, 0, err
	}
	if _, err := c.ExecContext(ctx, "COMMIT"); err != nil {
		return from, 0, err
	}
	done = true
	return from, len(list), nil
}
