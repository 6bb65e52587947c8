package pgstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/session/sessiontest"
)

// A schema of version 1, with an account's session, a channel's pts and a
// peer, migrates to the current version when a newer worker opens it:
// everything loads as it was, the session with no keys of other DCs, and
// keys saved after the migration come back.
func TestMigrateToDCKeys(t *testing.T) {
	ctx := context.Background()
	schema := freshSchema(t)
	pool, err := pgxpool.New(ctx, serverURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := migrateTo(ctx, pool, schema, 1); err != nil {
		t.Fatal(err)
	}
	sample := sessiontest.Sample(t)
	q := pgx.Identifier{schema}.Sanitize()
	var id int32
	if err := pool.QueryRow(ctx, "INSERT INTO "+q+".accounts (name) VALUES ('old') RETURNING id").Scan(&id); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO ` + q + `.sessions (account, dc, addr, test, auth_key, auth_key_id, salt, time_offset, user_id, bot, pts, qts, date, seq)
VALUES ($1, 4, '10.0.0.4:443', false, $2, $3, 77, 5000000000, 42, true, 100, 5, 1700000000, 9)`, []any{id, sample.AuthKey.Bytes(), sample.AuthKey.ID()}},
		{`INSERT INTO ` + q + `.channel_pts VALUES ($1, 1000000001, 7)`, []any{id}},
		{`INSERT INTO ` + q + `.peers VALUES ($1, 1, 5, 55, true, false, 0, 0, 0, '{old_name}', 1700000000000000000, NULL, 'Old', false, false, false, 0, 1700000000000000000)`, []any{id}},
		{`INSERT INTO ` + q + `.usernames VALUES ($1, 'old_name', 1, 5)`, []any{id}},
	} {
		if _, err := pool.Exec(ctx, stmt.sql, stmt.args...); err != nil {
			t.Fatal(err)
		}
	}

	db := openDB(t, schema)
	var v int
	if err := pool.QueryRow(ctx, "SELECT version FROM "+q+".schema_version").Scan(&v); err != nil || v != SchemaVersion {
		t.Fatalf("version after Open: %d (%v); want %d", v, err, SchemaVersion)
	}
	s, err := db.Account(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := &session.Session{DC: 4, Addr: "10.0.0.4:443", AuthKey: sample.AuthKey, Salt: 77, TimeOffset: 5 * time.Second,
		UserID: 42, Bot: true, Updates: session.UpdateState{Pts: 100, Qts: 5, Date: 1700000000, Seq: 9,
			Channels: map[int64]int{1000000001: 7}}}
	sessiontest.Compare(t, got, want)
	if rec, _, found, err := s.Username(ctx, "old_name"); err != nil || !found || rec.AccessHash != 55 || rec.Title != "Old" {
		t.Errorf("the peer of version 1: %+v %v %v", rec, found, err)
	}

	got.Keys = sample.Keys
	if err := s.Save(ctx, got); err != nil {
		t.Fatal(err)
	}
	again, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sessiontest.Compare(t, again, got)
}

// A damaged key of another DC is refused like a damaged session key,
// naming the DC and never the key's bytes.
func TestSessionDamagedDCKey(t *testing.T) {
	ctx := context.Background()
	db := sharedDB(t)
	s := newAccount(t, db)
	sample := sessiontest.Sample(t)
	if err := s.Save(ctx, sample); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(ctx, "UPDATE "+schemaTable(db, "dc_keys")+" SET auth_key = $3 WHERE account = $1 AND dc = $2",
		s.ix.account, 203, make([]byte, 256)); err != nil {
		t.Fatal(err)
	}
	_, err := s.Load(ctx)
	var ke *session.KeyError
	if !errors.As(err, &ke) || !strings.Contains(err.Error(), "DC 203") || !strings.Contains(err.Error(), s.Account()) {
		t.Fatalf("Load of a damaged key of DC 203: %v; want a *session.KeyError naming the DC and the account", err)
	}
	// Saving a good session again repairs it.
	if err := s.Save(ctx, sample); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load(ctx); err != nil {
		t.Fatal(err)
	} else {
		sessiontest.Compare(t, got, sample)
	}
}

// Keys of other DCs are the account's own: saving fewer drops the rest,
// a zero key is no key, and another account's keys are untouched.
func TestSessionDCKeysPerAccount(t *testing.T) {
	ctx := context.Background()
	db := sharedDB(t)
	a, b := newAccount(t, db), newAccount(t, db)
	sample := sessiontest.Sample(t)
	for _, s := range []*Store{a, b} {
		if err := s.Save(ctx, sample); err != nil {
			t.Fatal(err)
		}
	}
	fewer := sample.Clone()
	fewer.Keys = map[int]session.DCKey{4: sample.Keys[4], 5: {Salt: 9}} // DC 5: no key
	if err := a.Save(ctx, fewer); err != nil {
		t.Fatal(err)
	}
	got, err := a.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fewer.Keys = map[int]session.DCKey{4: sample.Keys[4]}
	sessiontest.Compare(t, got, fewer)
	if got, err := b.Load(ctx); err != nil {
		t.Fatal(err)
	} else {
		sessiontest.Compare(t, got, sample)
	}
	dc := int(^uint(0) >> 1) // no DC: beyond 32 bits on 64-bit platforms
	bad := sample.Clone()
	bad.Keys = map[int]session.DCKey{dc: sample.Keys[4]}
	if err := a.Save(ctx, bad); int(int32(dc)) != dc && (err == nil || !strings.Contains(err.Error(), "32 bits")) {
		t.Errorf("Save of a key of DC %d: %v; want an error naming the DC", dc, err)
	}
}
