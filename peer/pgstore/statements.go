package pgstore

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// statements are the SQL texts of a DB, with its schema's name in them.
// Each text is the same for any number of rows (arrays carry the rows), so
// pgx prepares it once per connection.
type statements struct {
	quotedSchema string

	account, accounts, deleteAccount, notify string

	// Lookups: $1 the account, $2 the key.
	peer, username, phone, invite string
	putInvite                     string

	// A batch's Load: $1 the account.
	lock, loadKeys, loadPhones, loadOwners, loadOwnerRecords string
	// A batch's Save.
	upsertPeers, deleteNames, upsertNames string

	// The session.
	loadSession, lockSession, upsertSession, deleteChannels, upsertChannels string
	deleteDCKeys, upsertDCKeys                                              string
}

// recordColumns are the columns of a peers row p that scanRecord reads.
const recordColumns = `p.kind, p.id, p.access_hash, p.has_hash, p.min, p.msg_kind, p.msg_peer, p.msg_id,
	p.usernames, p.usernames_seen, coalesce(p.phone, ''), p.title, p.self, p.bot, p.broadcast,
	p.migrated_to, p.updated`

func newStatements(schema string) *statements {
	q := pgx.Identifier{schema}.Sanitize()
	r := strings.NewReplacer("{{s}}", q, "{{cols}}", recordColumns)
	s := func(text string) string { return r.Replace(text) }
	return &statements{
		quotedSchema: q,

		account: s(`WITH made AS (
	INSERT INTO {{s}}.accounts (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id
)
SELECT id FROM made UNION ALL SELECT id FROM {{s}}.accounts WHERE name = $1 LIMIT 1`),
		accounts:      s(`SELECT name FROM {{s}}.accounts ORDER BY name`),
		deleteAccount: s(`DELETE FROM {{s}}.accounts WHERE name = $1`),
		notify:        `SELECT pg_notify($1, $2)`,

		peer: s(`SELECT {{cols}} FROM {{s}}.peers AS p WHERE p.account = $1 AND p.kind = $2 AND p.id = $3`),
		// The username's row, then its peer's, each by its key (see
		// loadKeys below).
		username: s(`SELECT p.* FROM (SELECT u.kind, u.id FROM {{s}}.usernames AS u
	WHERE u.account = $1 AND u.username = $2 OFFSET 0) AS u
CROSS JOIN LATERAL (SELECT {{cols}} FROM {{s}}.peers AS p
	WHERE p.account = $1 AND p.kind = u.kind AND p.id = u.id OFFSET 0) AS p`),
		// At most one user holds a number (Put takes it from the previous
		// holder); the order only makes the answer certain if the rows
		// say otherwise.
		phone: s(`SELECT {{cols}} FROM {{s}}.peers AS p
WHERE p.account = $1 AND p.kind = 1 AND p.phone = $2
ORDER BY p.updated DESC NULLS LAST, p.id LIMIT 1`),
		invite: s(`SELECT p.*, i.seen FROM (SELECT i.kind, i.id, i.seen FROM {{s}}.invites AS i
	WHERE i.account = $1 AND i.hash = $2 OFFSET 0) AS i
CROSS JOIN LATERAL (SELECT {{cols}} FROM {{s}}.peers AS p
	WHERE p.account = $1 AND p.kind = i.kind AND p.id = i.id OFFSET 0) AS p`),
		// The write and its notification ($6 the channel, $7 the
		// payload), in one statement.
		putInvite: s(`WITH w AS (
	INSERT INTO {{s}}.invites (account, hash, kind, id, seen) VALUES ($1, $2, $3, $4, $5)
	ON CONFLICT (account, hash) DO UPDATE SET kind = excluded.kind, id = excluded.id, seen = excluded.seen
	RETURNING 1
)
SELECT pg_notify($6, $7) FROM w`),

		lock: fmt.Sprintf(`SELECT pg_advisory_xact_lock(%d, $1)`, lockPeers),
		// Each lookup of a batch's Load takes the elements of its array
		// one by one, each an index scan (a LATERAL subquery that OFFSET 0
		// keeps from being flattened into a join). Whatever the
		// statistics, or the lack of them in a new table, the plan stays
		// the same: a join the planner chose while the table was empty
		// reads every row of the account for each batch.
		// $2 kinds, $3 IDs.
		loadKeys: s(`SELECT p.* FROM unnest($2::smallint[], $3::bigint[]) AS q (kind, id)
CROSS JOIN LATERAL (SELECT {{cols}} FROM {{s}}.peers AS p
	WHERE p.account = $1 AND p.kind = q.kind AND p.id = q.id OFFSET 0) AS p`),
		// $2 phone numbers.
		loadPhones: s(`SELECT p.* FROM unnest($2::text[]) AS q (phone)
CROSS JOIN LATERAL (SELECT {{cols}} FROM {{s}}.peers AS p
	WHERE p.account = $1 AND p.kind = 1 AND p.phone = q.phone OFFSET 0) AS p`),
		// $2 usernames.
		loadOwners: s(`SELECT u.* FROM unnest($2::text[]) AS q (username)
CROSS JOIN LATERAL (SELECT u.username, u.kind, u.id FROM {{s}}.usernames AS u
	WHERE u.account = $1 AND u.username = q.username OFFSET 0) AS u`),
		loadOwnerRecords: s(`SELECT p.* FROM unnest($2::text[]) AS q (username)
CROSS JOIN LATERAL (SELECT u.kind, u.id FROM {{s}}.usernames AS u
	WHERE u.account = $1 AND u.username = q.username OFFSET 0) AS u
CROSS JOIN LATERAL (SELECT {{cols}} FROM {{s}}.peers AS p
	WHERE p.account = $1 AND p.kind = u.kind AND p.id = u.id OFFSET 0) AS p`),

		// One row per element of the arrays $2..$19; a row's usernames are
		// names[first : first+count-1] of $20, NULL for a count of -1.
		upsertPeers: s(`INSERT INTO {{s}}.peers AS p (account, kind, id, access_hash, has_hash, min,
	msg_kind, msg_peer, msg_id, usernames, usernames_seen, phone, title, self, bot, broadcast,
	migrated_to, updated)
SELECT $1, r.kind, r.id, r.hash, r.has_hash, r.min, r.msg_kind, r.msg_peer, r.msg_id,
	CASE WHEN r.count < 0 THEN NULL ELSE ($20::text[])[r.first : r.first + r.count - 1] END,
	r.seen, nullif(r.phone, ''), r.title, r.self, r.bot, r.broadcast, r.migrated_to, r.updated
FROM unnest($2::smallint[], $3::bigint[], $4::bigint[], $5::boolean[], $6::boolean[],
	$7::smallint[], $8::bigint[], $9::integer[], $10::integer[], $11::integer[], $12::bigint[],
	$13::text[], $14::bytea[], $15::boolean[], $16::boolean[], $17::boolean[], $18::bigint[],
	$19::bigint[])
	AS r (kind, id, hash, has_hash, min, msg_kind, msg_peer, msg_id, first, count, seen,
	phone, title, self, bot, broadcast, migrated_to, updated)
ON CONFLICT (account, kind, id) DO UPDATE SET access_hash = excluded.access_hash,
	has_hash = excluded.has_hash, min = excluded.min, msg_kind = excluded.msg_kind,
	msg_peer = excluded.msg_peer, msg_id = excluded.msg_id, usernames = excluded.usernames,
	usernames_seen = excluded.usernames_seen, phone = excluded.phone, title = excluded.title,
	self = excluded.self, bot = excluded.bot, broadcast = excluded.broadcast,
	migrated_to = excluded.migrated_to, updated = excluded.updated`),
		// Each username leaves the index if it still names that peer:
		// $2 usernames, $3 kinds, $4 IDs.
		deleteNames: s(`DELETE FROM {{s}}.usernames AS u
USING unnest($2::text[], $3::smallint[], $4::bigint[]) AS d (username, kind, id)
WHERE u.account = $1 AND u.username = d.username AND u.kind = d.kind AND u.id = d.id`),
		upsertNames: s(`INSERT INTO {{s}}.usernames (account, username, kind, id)
SELECT $1, * FROM unnest($2::text[], $3::smallint[], $4::bigint[])
ON CONFLICT (account, username) DO UPDATE SET kind = excluded.kind, id = excluded.id`),

		// One statement, one snapshot: the row and its channels.
		loadSession: s(`SELECT s.dc, s.addr, s.test, s.auth_key, s.auth_key_id, s.salt, s.time_offset,
	s.user_id, s.bot, s.pts, s.qts, s.date, s.seq,
	ARRAY (SELECT c.channel_id FROM {{s}}.channel_pts AS c WHERE c.account = s.account ORDER BY c.channel_id),
	ARRAY (SELECT c.pts FROM {{s}}.channel_pts AS c WHERE c.account = s.account ORDER BY c.channel_id),
	ARRAY (SELECT k.dc FROM {{s}}.dc_keys AS k WHERE k.account = s.account ORDER BY k.dc),
	ARRAY (SELECT k.auth_key FROM {{s}}.dc_keys AS k WHERE k.account = s.account ORDER BY k.dc),
	ARRAY (SELECT k.auth_key_id FROM {{s}}.dc_keys AS k WHERE k.account = s.account ORDER BY k.dc),
	ARRAY (SELECT k.salt FROM {{s}}.dc_keys AS k WHERE k.account = s.account ORDER BY k.dc),
	ARRAY (SELECT k.user_id FROM {{s}}.dc_keys AS k WHERE k.account = s.account ORDER BY k.dc)
FROM {{s}}.sessions AS s WHERE s.account = $1`),
		lockSession: fmt.Sprintf(`SELECT pg_advisory_xact_lock(%d, $1)`, lockSession),
		upsertSession: s(`INSERT INTO {{s}}.sessions AS s (account, dc, addr, test, auth_key, auth_key_id,
	salt, time_offset, user_id, bot, pts, qts, date, seq)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (account) DO UPDATE SET dc = excluded.dc, addr = excluded.addr, test = excluded.test,
	auth_key = excluded.auth_key, auth_key_id = excluded.auth_key_id, salt = excluded.salt,
	time_offset = excluded.time_offset, user_id = excluded.user_id, bot = excluded.bot,
	pts = excluded.pts, qts = excluded.qts, date = excluded.date, seq = excluded.seq`),
		// The channels of the arrays $2 (IDs) and $3 (pts): rows that
		// changed are written, the others left alone, and those not in
		// them deleted.
		deleteChannels: s(`DELETE FROM {{s}}.channel_pts WHERE account = $1 AND channel_id <> ALL ($2::bigint[])`),
		upsertChannels: s(`INSERT INTO {{s}}.channel_pts AS c (account, channel_id, pts)
SELECT $1, * FROM unnest($2::bigint[], $3::integer[])
ON CONFLICT (account, channel_id) DO UPDATE SET pts = excluded.pts WHERE c.pts <> excluded.pts`),
		// The auth keys of other DCs, likewise: $2 DCs, $3 keys, $4 their
		// IDs, $5 salts, $6 users.
		deleteDCKeys: s(`DELETE FROM {{s}}.dc_keys WHERE account = $1 AND dc <> ALL ($2::integer[])`),
		upsertDCKeys: s(`INSERT INTO {{s}}.dc_keys AS k (account, dc, auth_key, auth_key_id, salt, user_id)
SELECT $1, * FROM unnest($2::integer[], $3::bytea[], $4::bigint[], $5::bigint[], $6::bigint[])
ON CONFLICT (account, dc) DO UPDATE SET auth_key = excluded.auth_key, auth_key_id = excluded.auth_key_id,
	salt = excluded.salt, user_id = excluded.user_id
WHERE (k.auth_key, k.salt, k.user_id) <> (excluded.auth_key, excluded.salt, excluded.user_id)`),
	}
}
