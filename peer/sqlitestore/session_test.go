package sqlitestore

import (
	"context"
	"encoding/hex"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/session/sessiontest"
)

// TestSessionConformance runs session.Storage's conformance suite.
func TestSessionConformance(t *testing.T) {
	sessiontest.Run(t, func(t *testing.T) session.Storage {
		return openAt(t, filepath.Join(t.TempDir(), "conf.session"))
	})
}

// TestSessionAcrossOpens checks that the session and the peers share the
// file and survive a reopen, and that the file's channel rows follow the
// saved map.
func TestSessionAcrossOpens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "account.session")
	s := openAt(t, path)
	want := sessiontest.Sample(t)
	if err := s.Save(ctx, want); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, peer.Record{Key: peer.UserKey(5), AccessHash: 9, HasHash: true}); err != nil {
		t.Fatal(err)
	}
	// A later save with one channel fewer and one changed.
	delete(want.Updates.Channels, 2)
	want.Updates.Channels[1000000001] = 8
	if err := s.Save(ctx, want); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openAt(t, path)
	got, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sessiontest.Compare(t, got, want)
	if _, found, err := s.Peer(ctx, peer.UserKey(5)); err != nil || !found {
		t.Errorf("the peer is gone: %v %v", found, err)
	}
	var n int
	if err := rawDB(t, path).QueryRow(`SELECT count(*) FROM channel_pts`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d channel rows (%v), want 1", n, err)
	}
}

// TestSessionDamagedKey changes a byte of the stored key: Load refuses it
// with a *session.KeyError and does not show the key.
func TestSessionDamagedKey(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "damaged.session")
	s := openAt(t, path)
	sess := sessiontest.Sample(t)
	if err := s.Save(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if _, err := rawDB(t, path).Exec(`UPDATE session SET auth_key = zeroblob(256)`); err != nil {
		t.Fatal(err)
	}
	_, err := s.Load(ctx)
	var ke *session.KeyError
	if !errors.As(err, &ke) {
		t.Fatalf("Load: %v, want a *session.KeyError", err)
	}
	if _, err := rawDB(t, path).Exec(`UPDATE session SET auth_key = x'0102'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx); err == nil {
		t.Error("a 2-byte key loaded")
	}
}

// A file of the version before the session's, with peers, migrates to
// the current version, keeps its peers and keeps a session.
func TestMigrateToSession(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.session")
	db := rawDB(t, path)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := migrate(ctx, conn, path, migrations[:3]); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO peers (kind, id, phone, data) VALUES (3, 77, NULL,
		'{"hash":5,"has_hash":true,"title":"News","updated":1700000000000000000}')`); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	db.Close()

	s := openAt(t, path)
	if got := pragma(t, rawDB(t, path), "user_version"); got != strconv.Itoa(SchemaVersion) {
		t.Errorf("user_version after Open = %s; want %d", got, SchemaVersion)
	}
	if _, err := s.Load(ctx); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Load of a migrated file: %v, want ErrNotFound", err)
	}
	want := sessiontest.Sample(t)
	if err := s.Save(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sessiontest.Compare(t, got, want)
	if rec, found, err := s.Peer(ctx, peer.ChannelKey(77)); err != nil || !found || rec.AccessHash != 5 {
		t.Errorf("the channel after migration: %+v %v %v", rec, found, err)
	}
}

func TestSessionClosed(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "closed.session"))
	s.Close()
	if _, err := s.Load(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Load after Close: %v", err)
	}
	if err := s.Save(context.Background(), &session.Session{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Save after Close: %v", err)
	}
}

// A file of schema version 4, with a session and a channel's pts,
// migrates to the current version: the session loads as it was, with no
// keys of other DCs, and keys saved after the migration come back.
func TestMigrateToDCKeys(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v4.session")
	sample := sessiontest.Sample(t)
	oldFile(t, path, 4,
		`INSERT INTO session (id, dc, addr, test, auth_key, auth_key_id, salt, time_offset, user_id, bot, pts, qts, date, seq)
		VALUES (1, 4, '10.0.0.4:443', 0, x'`+hex.EncodeToString(sample.AuthKey.Bytes())+`', `+strconv.FormatInt(sample.AuthKey.ID(), 10)+`,
		77, 5000000000, 42, 1, 100, 5, 1700000000, 9)`,
		`INSERT INTO channel_pts VALUES (1000000001, 7)`)

	s := openAt(t, path)
	if got := pragma(t, rawDB(t, path), "user_version"); got != strconv.Itoa(SchemaVersion) {
		t.Errorf("user_version after Open = %s; want %d", got, SchemaVersion)
	}
	got, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := &session.Session{DC: 4, Addr: "10.0.0.4:443", AuthKey: sample.AuthKey, Salt: 77, TimeOffset: 5 * time.Second,
		UserID: 42, Bot: true, Updates: session.UpdateState{Pts: 100, Qts: 5, Date: 1700000000, Seq: 9,
			Channels: map[int64]int{1000000001: 7}}}
	sessiontest.Compare(t, got, want)

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
// naming the DC.
func TestSessionDamagedDCKey(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "damaged-dc.session")
	s := openAt(t, path)
	if err := s.Save(ctx, sessiontest.Sample(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := rawDB(t, path).Exec(`UPDATE dc_keys SET auth_key = zeroblob(256) WHERE dc = 203`); err != nil {
		t.Fatal(err)
	}
	_, err := s.Load(ctx)
	var ke *session.KeyError
	if !errors.As(err, &ke) || !strings.Contains(err.Error(), "DC 203") {
		t.Fatalf("Load: %v, want a *session.KeyError naming DC 203", err)
	}
}
