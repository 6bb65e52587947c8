package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/storetest"
)

// openTemp opens a new session file in a temporary directory, closed when
// the test ends.
func openTemp(t testing.TB, opts ...Option) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "test.session"), opts...)
}

// openAt opens the session file at path, closed when the test ends.
func openAt(t testing.TB, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) peer.Store { return openTemp(t) })
}

func TestConformanceNoWriteCache(t *testing.T) {
	storetest.Run(t, func(t *testing.T) peer.Store { return openTemp(t, WriteCache(0)) })
}

// Without the known set every batch reads what it touches from the file.
func TestConformanceNoKnownSet(t *testing.T) {
	storetest.Run(t, func(t *testing.T) peer.Store { return openTemp(t, WriteCache(0), withoutKnown()) })
}

// withoutKnown turns the writer's known set off.
func withoutKnown() Option { return func(o *options) { o.noKnown = true } }

// A write cache bound of one record is exceeded by nearly every batch.
func TestConformanceTinyWriteCache(t *testing.T) {
	storetest.Run(t, func(t *testing.T) peer.Store { return openTemp(t, WriteCache(1)) })
}

// Every record of the conformance suite survives closing and reopening
// the file, and so do the username and phone indexes.
func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "account.session")
	t0 := time.Unix(1_700_000_000, 123456789)
	recs := []peer.Record{
		{Key: peer.UserKey(777000), AccessHash: -42, HasHash: true, Usernames: []string{"telegram"}, Phone: "42777", Title: "Telegram", UpdatedAt: t0},
		{Key: peer.UserKey(peer.MaxUserID), AccessHash: math.MaxInt64, HasHash: true, Self: true, Title: "Me", UpdatedAt: t0},
		{Key: peer.UserKey(93372553), AccessHash: 1 << 62, HasHash: true, Bot: true, Usernames: []string{"botfather", "bot_father_collectible"}, Title: "BotFather", UpdatedAt: t0},
		{Key: peer.UserKey(5), AccessHash: 9, HasHash: true, Min: true, FromMessage: peer.MessageRef{Peer: peer.ChannelKey(10), MsgID: math.MaxInt32}, Title: "Min user", UpdatedAt: t0},
		{Key: peer.ChatKey(peer.MaxChatID), Title: "Basic group \"quoted\" \\ \n\t\x01 é 日本 \ufffd", UpdatedAt: t0},
		{Key: peer.ChatKey(321), Title: "Migrated", MigratedTo: peer.MaxChannelID, UpdatedAt: t0},
		{Key: peer.UserKey(6), Min: true, FromMessage: peer.MessageRef{Peer: peer.ChannelKey(10), MsgID: 78}, Title: "Min user, no hash", UpdatedAt: t0},
		{Key: peer.ChannelKey(1234567890), AccessHash: math.MinInt64, HasHash: true, Broadcast: true, Usernames: []string{"channel_name", `odd"name\`, "with space"}, Title: "A channel", UpdatedAt: t0},
		{Key: peer.ChannelKey(peer.MaxMonoforumID), AccessHash: 3, HasHash: true, Usernames: []string{}, Title: "Monoforum", UpdatedAt: t0},
		{Key: peer.ChannelKey(peer.MaxChannelID), HasHash: true, UpdatedAt: time.Unix(0, math.MaxInt64)},
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	if err := s.PutInvite(ctx, "AAAAAEkk2WdoDrB4-Q8-gg", peer.ChannelKey(1234567890), t0); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openAt(t, path)
	if rec, seen, found, err := s.Invite(ctx, "AAAAAEkk2WdoDrB4-Q8-gg"); err != nil || !found || rec.Key != peer.ChannelKey(1234567890) || !seen.Equal(t0) {
		t.Errorf("Invite after reopening = %v, %v, %v, %v", rec.Key, seen, found, err)
	}
	for _, want := range recs {
		got, found, err := s.Peer(ctx, want.Key)
		if err != nil || !found {
			t.Fatalf("Peer(%v) after reopening: found %v, err %v", want.Key, found, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Peer(%v) after reopening (-want +got):\n%s", want.Key, diff)
		}
		for _, u := range want.Usernames {
			rec, seen, found, err := s.Username(ctx, u)
			if err != nil || !found || rec.Key != want.Key || !seen.Equal(t0) {
				t.Errorf("Username(%q) after reopening = %v, %v, %v, %v; want %v seen %v", u, rec.Key, seen, found, err, want.Key, t0)
			}
		}
		if want.Phone != "" {
			rec, found, err := s.Phone(ctx, want.Phone)
			if err != nil || !found || rec.Key != want.Key {
				t.Errorf("Phone(%q) after reopening = %v, %v, %v; want %v", want.Phone, rec.Key, found, err, want.Key)
			}
		}
	}
}

// Two Stores on one file take turns, and random batches agree with
// MemoryStore: each write through one drops the other's write cache.
func TestTwoStoresMatchMemoryStore(t *testing.T) {
	a := openTemp(t)
	b := openAt(t, a.Path())
	storetest.MatchMemoryStore(t, func(i int) peer.Store {
		if i%3 == 0 {
			return b
		}
		return a
	})
}

func TestPutRejectsBadRecords(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	good := peer.Record{Key: peer.UserKey(1), AccessHash: 1, HasHash: true}
	err := s.Put(ctx, good, peer.Record{Key: peer.ChannelKey(-5)})
	var idErr *peer.IDError
	if !errors.As(err, &idErr) || !strings.Contains(err.Error(), "record 2 of 2") {
		t.Errorf("Put with an invalid key = %v; want an *peer.IDError naming record 2 of 2", err)
	}
	err = s.Put(ctx, good, peer.Record{Key: peer.UserKey(2), UpdatedAt: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err == nil || !strings.Contains(err.Error(), "outside the years") {
		t.Errorf("Put with UpdatedAt in the year 3000 = %v; want an error about its range", err)
	}
	if _, found, _ := s.Peer(ctx, good.Key); found {
		t.Errorf("a rejected batch stored a record")
	}
}

// Put keeps its own copy of a record's usernames: a caller that reuses
// its slice afterwards changes nothing stored, in the write cache or the
// file.
func TestPutCopiesUsernames(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	key := peer.UserKey(1)
	names := []string{"first"}
	if err := s.Put(ctx, peer.Record{Key: key, Usernames: names}); err != nil {
		t.Fatal(err)
	}
	names[0] = "changed"
	if err := s.Put(ctx, peer.Record{Key: key, Title: "One"}); err != nil {
		t.Fatal(err)
	}
	if rec, found, err := s.Peer(ctx, key); err != nil || !found || !slices.Equal(rec.Usernames, []string{"first"}) {
		t.Errorf("Peer = %q, %v, %v; want usernames [first]", rec.Usernames, found, err)
	}
	if rec, _, found, err := s.Username(ctx, "first"); err != nil || !found || rec.Key != key {
		t.Errorf("Username(first) = %v, %v, %v; want %v", rec.Key, found, err, key)
	}
}

func TestClock(t *testing.T) {
	ctx := context.Background()
	at := time.Unix(1_800_000_000, 42)
	s := openTemp(t, Clock(func() time.Time { return at }))
	if err := s.Put(ctx, peer.Record{Key: peer.UserKey(1), Usernames: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	rec, seen, _, err := s.Username(ctx, "@X")
	if err != nil || !rec.UpdatedAt.Equal(at) || !seen.Equal(at) {
		t.Errorf("Username = %v, seen %v, %v; want stamped %v", rec.UpdatedAt, seen, err, at)
	}
}

func TestClosed(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "x.session"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v; want nil", err)
	}
	if _, _, err := s.Peer(ctx, peer.UserKey(1)); !errors.Is(err, ErrClosed) {
		t.Errorf("Peer after Close = %v; want ErrClosed", err)
	}
	if _, _, _, err := s.Username(ctx, "x"); !errors.Is(err, ErrClosed) {
		t.Errorf("Username after Close = %v; want ErrClosed", err)
	}
	if _, _, err := s.Phone(ctx, "1"); !errors.Is(err, ErrClosed) {
		t.Errorf("Phone after Close = %v; want ErrClosed", err)
	}
	if err := s.Put(ctx, peer.Record{Key: peer.UserKey(1)}); !errors.Is(err, ErrClosed) {
		t.Errorf("Put after Close = %v; want ErrClosed", err)
	}
	if err := s.Put(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Put of nothing after Close = %v; want ErrClosed", err)
	}
	if err := s.ForgetUsername(ctx, "x"); !errors.Is(err, ErrClosed) {
		t.Errorf("ForgetUsername after Close = %v; want ErrClosed", err)
	}
	if err := s.PutInvite(ctx, "x", peer.ChatKey(1), time.Time{}); !errors.Is(err, ErrClosed) {
		t.Errorf("PutInvite after Close = %v; want ErrClosed", err)
	}
	if _, _, _, err := s.Invite(ctx, "x"); !errors.Is(err, ErrClosed) {
		t.Errorf("Invite after Close = %v; want ErrClosed", err)
	}
}

// A cancelled context stops a Put before it stores anything.
func TestPutCancelled(t *testing.T) {
	s := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Put(ctx, peer.Record{Key: peer.UserKey(1)})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context = %v; want context.Canceled", err)
	}
	if _, found, _ := s.Peer(context.Background(), peer.UserKey(1)); found {
		t.Errorf("a cancelled Put stored a record")
	}
}

// Every field of a record, and strings that need escaping, survive the
// peers.data object.
func TestDataRoundTrip(t *testing.T) {
	at := time.Unix(1_700_000_000, 123456789)
	for _, want := range []peer.Stored{
		{},
		{Record: peer.Record{Usernames: []string{}}},
		{Record: peer.Record{Usernames: []string{"a"}, UpdatedAt: time.Unix(0, 0)}, UsernamesSeen: time.Unix(0, 0)},
		{
			Record: peer.Record{
				AccessHash: math.MinInt64, HasHash: true, Min: true,
				FromMessage: peer.MessageRef{Peer: peer.ChannelKey(peer.MaxChannelID), MsgID: math.MaxInt32},
				Usernames:   []string{`q"uote`, `back\slash`, "new\nline", "sp ace", "\x00nul", "é", "<&>"},
				Title:       "Title \"quoted\" \\ \n\t\x01 é 日本 \u2028", Self: true, Bot: true, Broadcast: true,
				MigratedTo: peer.MaxChannelID, UpdatedAt: at,
			},
			UsernamesSeen: at.Add(time.Second),
		},
	} {
		var got peer.Stored
		if err := decodeData(string(appendData(nil, &want)), &got); err != nil {
			t.Fatalf("decodeData(appendData(%+v)): %v", want, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("peers.data round trip (-want +got):\n%s", diff)
		}
	}
}

// A damaged row gives an error that names it, never a panic or a wrong
// record.
func TestDamagedRow(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	if err := s.Put(ctx, peer.Record{Key: peer.UserKey(1), Usernames: []string{"one"}}); err != nil {
		t.Fatal(err)
	}
	// Damaged from outside, as another program would.
	db := rawDB(t, s.Path())
	for _, data := range []string{`garbage`, `{"hash":"x"}`, `{"msg":[1,2]}`, `{"usernames":["a",]}`, `{"title":"x"} tail`, `{"msg":[300,1,1]}`} {
		if _, err := db.ExecContext(ctx, `UPDATE peers SET data = ?1 WHERE kind = 1 AND id = 1`, data); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Peer(ctx, peer.UserKey(1)); err == nil || !strings.Contains(err.Error(), "damaged peers row (kind 1, id 1)") || !strings.Contains(err.Error(), damagedRow) {
			t.Errorf("Peer with data %s = %v; want an error naming the damaged row and saying what to do", data, err)
		}
		if _, _, _, err := s.Username(ctx, "one"); err == nil {
			t.Errorf("Username with data %s: no error", data)
		}
		if err := s.Put(ctx, peer.Record{Key: peer.UserKey(1)}); err == nil {
			t.Errorf("Put over data %s: no error", data)
		}
	}
}

// Keys a later version may add are skipped; the fields that are known
// still read.
func TestDecodeDataUnknownKeys(t *testing.T) {
	var got peer.Stored
	err := decodeData(`{ "future": {"a":[1,{"b":null}],"c":"\"}"}, "hash" : 5, "x":-1.5e3, "title":"T", "y":[], "z":{}, "has_hash":true, "names_seen":7 }`, &got)
	want := peer.Stored{Record: peer.Record{AccessHash: 5, HasHash: true, Title: "T"}, UsernamesSeen: time.Unix(0, 7)}
	if diff := cmp.Diff(want, got); err != nil || diff != "" {
		t.Errorf("decodeData: %v; (-want +got):\n%s", err, diff)
	}
}

// The view shows records as columns, for people with the sqlite3 shell.
func TestPeersView(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	at := time.Unix(1_700_000_000, 0)
	if err := s.Put(ctx, peer.Record{
		Key: peer.ChannelKey(5), AccessHash: -9, HasHash: true, Min: true, FromMessage: peer.MessageRef{Peer: peer.ChatKey(3), MsgID: 4},
		Usernames: []string{"a", "b"}, Title: "Five", Broadcast: true, UpdatedAt: at,
	}, peer.Record{Key: peer.ChatKey(3), MigratedTo: 5, UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
	var (
		hash, hasHash, min, mk, mp, mid, self, bot, broadcast int64
		usernames, title, seen, updated                       string
		phone                                                 sql.NullString
		migratedTo                                            sql.NullInt64
	)
	err := s.ix.r.QueryRowContext(ctx, `SELECT access_hash, has_hash, min, msg_peer_kind, msg_peer_id, msg_id, usernames,
		usernames_seen_at, phone, title, self, bot, broadcast, migrated_to, updated_at FROM peers_view WHERE kind = 3 AND id = 5`).
		Scan(&hash, &hasHash, &min, &mk, &mp, &mid, &usernames, &seen, &phone, &title, &self, &bot, &broadcast, &migratedTo, &updated)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintln(hash, hasHash, min, mk, mp, mid, usernames, seen, phone.Valid, title, self, bot, broadcast, migratedTo.Valid, updated)
	want := `-9 1 1 2 3 4 ["a","b"] 2023-11-14 22:13:20 false Five 0 0 1 false 2023-11-14 22:13:20` + "\n"
	if got != want {
		t.Errorf("peers_view row:\n got %s\nwant %s", got, want)
	}
	if err := s.ix.r.QueryRowContext(ctx, `SELECT migrated_to FROM peers_view WHERE kind = 2 AND id = 3`).Scan(&migratedTo); err != nil || migratedTo.Int64 != 5 {
		t.Errorf("peers_view.migrated_to of chat 3 = %v, %v; want 5", migratedTo, err)
	}
}
