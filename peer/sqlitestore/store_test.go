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
		{Key: peer.ChatKey(peer.MaxChatID), Title: "Basic group \"quoted\" \\ \n\t\x01 é 日本 \xff", UpdatedAt: t0},
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
		if !sameRecord(got, want) {
			t.Errorf("Peer(%v) after reopening:\n got %#v\nwant %#v", want.Key, got, want)
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

// sameRecord compares records exactly, telling a nil Usernames from an
// empty one.
func sameRecord(a, b peer.Record) bool {
	if (a.Usernames == nil) != (b.Usernames == nil) || !slices.Equal(a.Usernames, b.Usernames) || !a.UpdatedAt.Equal(b.UpdatedAt) {
		return false
	}
	return a.Key == b.Key && a.AccessHash == b.AccessHash && a.HasHash == b.HasHash && a.Min == b.Min &&
		a.FromMessage == b.FromMessage && a.Phone == b.Phone && a.Self == b.Self && a.Bot == b.Bot &&
		a.Broadcast == b.Broadcast && a.Title == b.Title && a.MigratedTo == b.MigratedTo
}

// Put and its result agree with MemoryStore, over random batches that
// reuse keys, usernames and phone numbers: with and without the write
// cache, and with two stores on one file taking turns (each write through
// one must drop the other's cache).
func TestPutMatchesMemoryStore(t *testing.T) {
	t.Run("WriteCache", func(t *testing.T) {
		s := openTemp(t)
		matchMemoryStore(t, func(int) *Store { return s })
	})
	t.Run("NoWriteCache", func(t *testing.T) {
		s := openTemp(t, WriteCache(0))
		matchMemoryStore(t, func(int) *Store { return s })
	})
	t.Run("TwoStores", func(t *testing.T) {
		a := openTemp(t)
		b := openAt(t, a.Path())
		matchMemoryStore(t, func(i int) *Store {
			if i%3 == 0 {
				return b
			}
			return a
		})
	})
}

func matchMemoryStore(t *testing.T, store func(i int) *Store) {
	ctx := context.Background()
	m := peer.NewMemoryStore(peer.MemoryOptions{})
	names := []string{"a", "b", "c", "d"}
	seed := uint64(1)
	next := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int(seed>>33) % n
	}
	base := time.Unix(1_700_000_000, 0)
	var keys []peer.Key
	for i := int64(1); i <= 6; i++ {
		keys = append(keys, peer.UserKey(i), peer.ChannelKey(i))
	}
	keys = append(keys, peer.ChatKey(1), peer.ChatKey(2))
	for round := 0; round < 300; round++ {
		batch := make([]peer.Record, 1+next(4))
		for i := range batch {
			r := peer.Record{
				Key:        keys[next(len(keys))],
				AccessHash: int64(next(5)),
				HasHash:    next(4) != 0,
				Min:        next(3) == 0,
				UpdatedAt:  base.Add(time.Duration(next(100)) * time.Second),
			}
			switch next(3) {
			case 0:
				r.Usernames = []string{names[next(len(names))], strings.ToUpper(names[next(len(names))])}
			case 1:
				r.Usernames = []string{}
			}
			if next(3) == 0 {
				r.Phone = fmt.Sprintf("+1 555 %d", next(3))
			}
			if next(2) == 0 {
				r.Title = fmt.Sprint("title ", round)
			}
			if next(4) == 0 {
				r.FromMessage = peer.MessageRef{Peer: peer.ChatKey(int64(1 + next(3))), MsgID: next(100)}
			}
			r.Bot, r.Self, r.Broadcast = next(8) == 0, next(8) == 0, next(8) == 0
			if r.Key.Kind == peer.KindChat && next(2) == 0 {
				r.MigratedTo = int64(1 + next(6))
			}
			batch[i] = r
		}
		s := store(next(1000))
		if next(10) == 0 {
			n := names[next(len(names))]
			if err := s.ForgetUsername(ctx, n); err != nil {
				t.Fatal(err)
			}
			if err := m.ForgetUsername(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Put(ctx, batch...); err != nil {
			t.Fatal(err)
		}
		if err := m.Put(ctx, batch...); err != nil {
			t.Fatal(err)
		}
		s = store(next(1000))
		for _, k := range keys {
			got, gotFound, err := s.Peer(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			want, wantFound, _ := m.Peer(ctx, k)
			if gotFound != wantFound || !sameRecord(got, want) {
				t.Fatalf("round %d: Peer(%v):\n got %v %#v\nwant %v %#v", round, k, gotFound, got, wantFound, want)
			}
		}
		for _, n := range names {
			got, gotSeen, gotFound, err := s.Username(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			want, wantSeen, wantFound, _ := m.Username(ctx, n)
			if gotFound != wantFound || got.Key != want.Key || !gotSeen.Equal(wantSeen) {
				t.Fatalf("round %d: Username(%q) = %v %v %v; want %v %v %v", round, n, got.Key, gotSeen, gotFound, want.Key, wantSeen, wantFound)
			}
		}
		for p := range 3 {
			phone := fmt.Sprintf("1555%d", p)
			got, gotFound, err := s.Phone(ctx, phone)
			if err != nil {
				t.Fatal(err)
			}
			want, wantFound, _ := m.Phone(ctx, phone)
			if gotFound != wantFound || got.Key != want.Key {
				t.Fatalf("round %d: Phone(%q) = %v %v; want %v %v", round, phone, got.Key, gotFound, want.Key, wantFound)
			}
		}
	}
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

func TestNames(t *testing.T) {
	for _, names := range [][]string{
		{},
		{"a"},
		{"a", "b", "c"},
		{"", "x"},
		{`q"uote`, `back\slash`, "new\nline", "sp ace", "\x00nul", "é", "\xff\xfe"},
		{"\xff\\"},
	} {
		enc := string(appendNames(nil, names))
		got, err := decodeNames(enc)
		if err != nil || got == nil || !slices.Equal(got, names) {
			t.Errorf("decodeNames(encodeNames(%q)) = %q, %v", names, got, err)
		}
	}
	for in, want := range map[string][]string{
		` [ "a" , "b" ] `:          {"a", "b"},
		`["\u00e9\ud83d\ude00\/"]`: {"é😀/"},
		`["\ud83d"]`:               {"\ufffd"},
	} {
		if got, err := decodeNames(in); err != nil || !slices.Equal(got, want) {
			t.Errorf("decodeNames(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "[", "]", `["a"`, `["a",]`, `["a" "b"]`, `[1]`, `{"a":1}`, `["a\"]`, `["\x"]`, `["\u12"]`, "[\"\n\"]", `["a"] x`} {
		if got, err := decodeNames(bad); err == nil {
			t.Errorf("decodeNames(%q) = %q; want an error", bad, got)
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
	var rec peer.Record
	seen, err := decodeData(`{ "future": {"a":[1,{"b":null}],"c":"\"}"}, "hash" : 5, "x":-1.5e3, "title":"T", "y":[], "z":{}, "has_hash":true, "names_seen":7 }`, &rec)
	if err != nil || rec.AccessHash != 5 || rec.Title != "T" || !rec.HasHash || seen.UnixNano() != 7 {
		t.Errorf("decodeData = %+v, %v, %v", rec, seen, err)
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
	err := s.r.QueryRowContext(ctx, `SELECT access_hash, has_hash, min, msg_peer_kind, msg_peer_id, msg_id, usernames,
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
	if err := s.r.QueryRowContext(ctx, `SELECT migrated_to FROM peers_view WHERE kind = 2 AND id = 3`).Scan(&migratedTo); err != nil || migratedTo.Int64 != 5 {
		t.Errorf("peers_view.migrated_to of chat 3 = %v, %v; want 5", migratedTo, err)
	}
}

// Large batches, whose rows of each kind (new peers, changed phone
// numbers, usernames that appear, move and leave) take several statements,
// agree with MemoryStore.
func TestPutLargeBatchesMatchMemoryStore(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	m := peer.NewMemoryStore(peer.MemoryOptions{})
	seed := uint64(7)
	next := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int(seed>>33) % n
	}
	const nkeys, nnames, nphones = 600, 400, 200
	key := func(i int) peer.Key {
		if i%3 == 2 {
			return peer.ChannelKey(int64(1 + i))
		}
		return peer.UserKey(int64(1 + i))
	}
	base := time.Unix(1_700_000_000, 0)
	for round := range 12 {
		batch := make([]peer.Record, 150+next(250))
		for i := range batch {
			r := peer.Record{
				Key:        key(next(nkeys)),
				AccessHash: int64(1 + next(3)),
				HasHash:    true,
				Title:      fmt.Sprint("t", next(3)),
				UpdatedAt:  base.Add(time.Duration(round*1000+i) * time.Second),
			}
			switch next(3) {
			case 0:
				r.Usernames = []string{fmt.Sprint("n", next(nnames))}
			case 1:
				r.Usernames = []string{}
			}
			if next(2) == 0 {
				r.Phone = fmt.Sprint("1555", next(nphones))
			}
			batch[i] = r
		}
		if err := s.Put(ctx, batch...); err != nil {
			t.Fatal(err)
		}
		if err := m.Put(ctx, batch...); err != nil {
			t.Fatal(err)
		}
		for i := range nkeys {
			got, gotFound, err := s.Peer(ctx, key(i))
			if err != nil {
				t.Fatal(err)
			}
			want, wantFound, _ := m.Peer(ctx, key(i))
			if gotFound != wantFound || !sameRecord(got, want) {
				t.Fatalf("round %d: Peer(%v):\n got %v %#v\nwant %v %#v", round, key(i), gotFound, got, wantFound, want)
			}
		}
		for i := range nnames {
			n := fmt.Sprint("n", i)
			got, gotSeen, gotFound, err := s.Username(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			want, wantSeen, wantFound, _ := m.Username(ctx, n)
			if gotFound != wantFound || got.Key != want.Key || !gotSeen.Equal(wantSeen) {
				t.Fatalf("round %d: Username(%q) = %v %v %v; want %v %v %v", round, n, got.Key, gotSeen, gotFound, want.Key, wantSeen, wantFound)
			}
		}
		for i := range nphones {
			p := fmt.Sprint("1555", i)
			got, gotFound, err := s.Phone(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			want, wantFound, _ := m.Phone(ctx, p)
			if gotFound != wantFound || got.Key != want.Key {
				t.Fatalf("round %d: Phone(%q) = %v %v; want %v %v", round, p, got.Key, gotFound, want.Key, wantFound)
			}
		}
	}
}
