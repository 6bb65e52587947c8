package pgstore

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/storetest"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/session/sessiontest"
)

// Every open of the suite is a new account of one database: the suite's
// accounts share the tables, and each sees only its own rows.
func TestConformance(t *testing.T) {
	db := sharedDB(t)
	storetest.Run(t, func(t *testing.T) peer.Store { return newAccount(t, db) })
}

func TestConformanceNoCache(t *testing.T) {
	db := openDB(t, sharedDB(t).Schema(), CacheSize(0))
	storetest.Run(t, func(t *testing.T) peer.Store { return newAccount(t, db) })
}

// A cache of one entry a shard drops entries at nearly every batch.
func TestConformanceTinyCache(t *testing.T) {
	db := openDB(t, sharedDB(t).Schema(), CacheSize(1))
	storetest.Run(t, func(t *testing.T) peer.Store { return newAccount(t, db) })
}

func TestSessionConformance(t *testing.T) {
	db := sharedDB(t)
	sessiontest.Run(t, func(t *testing.T) session.Storage { return newAccount(t, db) })
}

// synced is a Store of one DB whose lookups first wait for the writes of
// other DBs (Sync).
type synced struct {
	*Store
	t testing.TB
}

func (s synced) sync() {
	if err := s.DB().Sync(context.Background()); err != nil {
		s.t.Fatalf("Sync: %v", err)
	}
}

func (s synced) Peer(ctx context.Context, key peer.Key) (peer.Record, bool, error) {
	s.sync()
	return s.Store.Peer(ctx, key)
}

func (s synced) Username(ctx context.Context, u string) (peer.Record, time.Time, bool, error) {
	s.sync()
	return s.Store.Username(ctx, u)
}

func (s synced) Phone(ctx context.Context, p string) (peer.Record, bool, error) {
	s.sync()
	return s.Store.Phone(ctx, p)
}

// Two DBs, as two processes, with caches of their own, take turns on one
// account; after Sync each one's lookups agree with a MemoryStore that
// took every batch.
func TestTwoProcessesMatchMemoryStore(t *testing.T) {
	a := sharedDB(t)
	b := openDB(t, a.Schema())
	sa := newAccount(t, a)
	sb, err := b.Account(context.Background(), sa.Account())
	if err != nil {
		t.Fatal(err)
	}
	stores := []peer.Store{synced{sa, t}, synced{sb, t}}
	storetest.MatchMemoryStore(t, func(i int) peer.Store { return stores[i%2] })
	if st := b.CacheStats(); st.Hits == 0 || st.Invalidations == 0 {
		t.Errorf("the second DB's cache: %+v; want hits and invalidations", st)
	}
}

// Every field survives the trip through the server: extreme values,
// nanoseconds, titles with NUL and quotes.
func TestRoundTripExact(t *testing.T) {
	ctx := context.Background()
	db := sharedDB(t)
	t0 := time.Unix(1_700_000_000, 123456789)
	recs := []peer.Record{
		{Key: peer.UserKey(peer.MaxUserID), AccessHash: math.MaxInt64, HasHash: true, Self: true, Usernames: []string{"me", "with space", `odd"name\`}, Phone: "42777", Title: "Me \x00 \"q\" \\ é 日本", UpdatedAt: t0},
		{Key: peer.UserKey(5), AccessHash: 9, HasHash: true, Min: true, FromMessage: peer.MessageRef{Peer: peer.ChannelKey(10), MsgID: math.MaxInt32}, UpdatedAt: t0},
		{Key: peer.ChannelKey(peer.MaxChannelID), AccessHash: math.MinInt64, HasHash: true, Broadcast: true, Usernames: []string{}, UpdatedAt: time.Unix(0, math.MaxInt64)},
		{Key: peer.ChatKey(peer.MaxChatID), MigratedTo: peer.MaxChannelID, Title: "Group", UpdatedAt: time.Unix(0, math.MinInt64)},
		{Key: peer.UserKey(6), Min: true, FromMessage: peer.MessageRef{Peer: peer.ChatKey(1), MsgID: math.MinInt32}, UpdatedAt: time.Unix(0, 0)},
	}
	s := newAccount(t, db)
	if err := s.Put(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	// Read through a DB without a cache: from the server.
	other, err := openDB(t, db.Schema(), CacheSize(0)).Account(ctx, s.Account())
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []*Store{s, other} {
		for _, want := range recs {
			got, found, err := st.Peer(ctx, want.Key)
			if err != nil || !found {
				t.Fatalf("Peer(%v): %v, %v", want.Key, found, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Peer(%v) (-want +got):\n%s", want.Key, diff)
			}
		}
		if rec, seen, found, err := st.Username(ctx, `odd"name\`); err != nil || !found || rec.Key != recs[0].Key || !seen.Equal(t0) {
			t.Errorf("Username of an odd name = %v %v %v %v", rec.Key, seen, found, err)
		}
	}
}

func TestPutRejectsBadRecords(t *testing.T) {
	ctx := context.Background()
	s := newAccount(t, sharedDB(t))
	good := peer.Record{Key: peer.UserKey(1), AccessHash: 1, HasHash: true}
	for _, tc := range []struct {
		bad  peer.Record
		want string
	}{
		{peer.Record{Key: peer.ChannelKey(-5)}, "record 2 of 2"},
		{peer.Record{Key: peer.UserKey(2), UpdatedAt: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}, "outside the years"},
		{peer.Record{Key: peer.UserKey(2), Usernames: []string{"a\x00b"}}, "NUL"},
		{peer.Record{Key: peer.UserKey(2), FromMessage: peer.MessageRef{Peer: peer.ChatKey(1), MsgID: math.MaxInt32 + 1}}, "32-bit"},
	} {
		err := s.Put(ctx, good, tc.bad)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "record 2 of 2") {
			t.Errorf("Put(%+v) = %v; want an error naming record 2 of 2 and %q", tc.bad, err, tc.want)
		}
	}
	if _, found, _ := s.Peer(ctx, good.Key); found {
		t.Errorf("a rejected batch stored a record")
	}
	if err := s.PutInvite(ctx, "Hash", peer.ChatKey(1), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("PutInvite with a seen time in the year 3000 passed")
	}
	// Lookups of what cannot be stored find nothing, and fail nothing.
	if _, _, found, err := s.Username(ctx, "a\x00b"); found || err != nil {
		t.Errorf("Username with NUL = %v, %v", found, err)
	}
	if _, _, found, err := s.Invite(ctx, "a\x00b"); found || err != nil {
		t.Errorf("Invite with NUL = %v, %v", found, err)
	}
	if err := s.ForgetUsername(ctx, "a\x00b"); err != nil {
		t.Errorf("ForgetUsername with NUL: %v", err)
	}
}

// A lookup the cache holds makes no round trip and no allocation.
func TestCachedLookups(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, sharedDB(t).Schema())
	s := newAccount(t, db)
	rec := peer.Record{Key: peer.ChannelKey(77), AccessHash: 5, HasHash: true, Usernames: []string{"news"}, Phone: "", Title: "News"}
	user := peer.Record{Key: peer.UserKey(78), AccessHash: 6, HasHash: true, Phone: "15551234"}
	if err := s.Put(ctx, rec, user); err != nil {
		t.Fatal(err)
	}
	before := db.CacheStats()
	if !before.Live {
		t.Fatalf("the cache is not live: %+v", before)
	}
	lookups := map[string]func() bool{
		"Peer": func() bool { _, found, err := s.Peer(ctx, rec.Key); return found && err == nil },
		"Username": func() bool {
			_, _, found, err := s.Username(ctx, "news")
			return found && err == nil
		},
		"Phone": func() bool { _, found, err := s.Phone(ctx, "15551234"); return found && err == nil },
	}
	for name, f := range lookups {
		if !f() { // fills the cache from the server, or finds what Put left
			t.Fatalf("%s: not found", name)
		}
		allocs := testing.AllocsPerRun(100, func() {
			if !f() {
				t.Fatalf("%s: not found", name)
			}
		})
		if allocs != 0 {
			t.Errorf("a cached %s lookup allocates %v times; want 0", name, allocs)
		}
	}
	after := db.CacheStats()
	if after.Hits-before.Hits < 300 {
		t.Errorf("cache hits went from %d to %d; want every lookup after the first of each a hit", before.Hits, after.Hits)
	}
}

func TestDeleteAccount(t *testing.T) {
	ctx := context.Background()
	db := sharedDB(t)
	other := openDB(t, db.Schema())
	s := newAccount(t, db)
	keep := newAccount(t, db)
	rec := peer.Record{Key: peer.UserKey(1), AccessHash: 1, HasHash: true, Usernames: []string{"gone"}}
	for _, st := range []*Store{s, keep} {
		if err := st.Put(ctx, rec); err != nil {
			t.Fatal(err)
		}
		if err := st.Save(ctx, sessiontest.Sample(t)); err != nil {
			t.Fatal(err)
		}
	}
	os, err := other.Account(ctx, s.Account())
	if err != nil {
		t.Fatal(err)
	}
	if _, found, err := os.Peer(ctx, rec.Key); !found || err != nil { // cached in the other DB
		t.Fatalf("Peer before the delete: %v %v", found, err)
	}
	if err := db.DeleteAccount(ctx, s.Account()); err != nil {
		t.Fatal(err)
	}
	if err := other.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for _, st := range []*Store{s, os} {
		if _, found, err := st.Peer(ctx, rec.Key); found || err != nil {
			t.Errorf("Peer after the delete: %v %v", found, err)
		}
		if _, err := st.Load(ctx); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("Load after the delete: %v", err)
		}
		err := st.Put(ctx, rec)
		if err == nil || !strings.Contains(err.Error(), "DeleteAccount") {
			t.Errorf("Put after the delete = %v; want an error that says the account was deleted", err)
		}
	}
	if _, found, err := keep.Peer(ctx, rec.Key); !found || err != nil {
		t.Errorf("another account lost its peer: %v %v", found, err)
	}
	names, err := db.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if n == s.Account() {
			t.Errorf("Accounts lists the deleted account")
		}
	}
	// The name makes a new, empty account.
	again, err := other.Account(ctx, s.Account())
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Put(ctx, rec); err != nil {
		t.Errorf("Put into the account made again: %v", err)
	}
	if err := db.DeleteAccount(ctx, "never there"); err != nil {
		t.Errorf("DeleteAccount of an unknown account: %v", err)
	}
}

func TestBadNames(t *testing.T) {
	ctx := context.Background()
	db := sharedDB(t)
	for _, name := range []string{"", strings.Repeat("a", 256), "a\x00b", "\xff"} {
		if _, err := db.Account(ctx, name); err == nil {
			t.Errorf("Account(%q) passed", name)
		}
	}
	for _, schema := range []string{"", strings.Repeat("s", 64), "a\x00b"} {
		if _, err := Open(ctx, serverURL(t), Schema(schema)); err == nil {
			t.Errorf("Open with schema %q passed", schema)
		}
	}
	if _, err := Open(ctx, "postgres://%zz"); err == nil {
		t.Error("Open of a bad URL passed")
	}
}

func TestClosed(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, sharedDB(t).Schema())
	s := newAccount(t, db)
	db.Close()
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, _, err := s.Peer(ctx, peer.UserKey(1)); !errors.Is(err, ErrClosed) {
		t.Errorf("Peer after Close: %v", err)
	}
	if err := s.Put(ctx, peer.Record{Key: peer.UserKey(1)}); !errors.Is(err, ErrClosed) {
		t.Errorf("Put after Close: %v", err)
	}
	if _, err := s.Load(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Load after Close: %v", err)
	}
	if _, err := db.Account(ctx, "x"); !errors.Is(err, ErrClosed) {
		t.Errorf("Account after Close: %v", err)
	}
}
