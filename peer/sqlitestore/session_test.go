package sqlitestore

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"testing"

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
	if _, _, err := migrate(ctx, conn, path, migrations[:SchemaVersion-1]); err != nil {
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
