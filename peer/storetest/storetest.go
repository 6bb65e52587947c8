// Package storetest checks that a peer.Store keeps the contract that the
// resolver relies on. A store runs it from its tests:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) peer.Store { return open(t) })
//	}
//
// and a storage engine that implements peer.Index runs it through a
// peer.IndexedStore:
//
//	func TestIndex(t *testing.T) {
//		storetest.RunIndex(t, func(t *testing.T) peer.Index { return open(t) })
//	}
//
// Besides the rules one by one, the suite puts random batches into the
// store and into a peer.MemoryStore and compares every answer
// (MatchMemoryStore), in small batches and in batches large enough to
// take several statements of an SQL engine.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tgraw/tgraw/peer"
)

// Run runs the conformance suite. open must return a new, empty store for
// each call; it may register cleanups on t.
func Run(t *testing.T, open func(t *testing.T) peer.Store) {
	t.Run("Empty", func(t *testing.T) { testEmpty(t, open(t)) })
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, open) })
	t.Run("KindsDistinct", func(t *testing.T) { testKindsDistinct(t, open(t)) })
	t.Run("InvalidKey", func(t *testing.T) { testInvalidKey(t, open) })
	t.Run("Stamp", func(t *testing.T) { testStamp(t, open(t)) })
	t.Run("Merge", func(t *testing.T) { testMerge(t, open) })
	t.Run("Usernames", func(t *testing.T) { testUsernames(t, open(t)) })
	t.Run("Reassign", func(t *testing.T) { testReassign(t, open(t)) })
	t.Run("ForgetUsername", func(t *testing.T) { testForget(t, open(t)) })
	t.Run("Phones", func(t *testing.T) { testPhones(t, open(t)) })
	t.Run("Invites", func(t *testing.T) { testInvites(t, open) })
	t.Run("Titles", func(t *testing.T) { testTitles(t, open(t)) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, open(t)) })
	t.Run("MatchMemoryStore", func(t *testing.T) {
		s := open(t)
		MatchMemoryStore(t, func(int) peer.Store { return s })
	})
	t.Run("LargeBatches", func(t *testing.T) { testLargeBatches(t, open(t)) })
}

// RunIndex runs the conformance suite over peer.IndexedStores of the
// indexes open returns: a new, empty one for each call.
func RunIndex(t *testing.T, open func(t *testing.T) peer.Index) {
	Run(t, func(t *testing.T) peer.Store { return peer.NewIndexedStore(open(t), nil) })
}

var (
	t0 = time.Unix(1_700_000_000, 0).UTC()
	t1 = t0.Add(time.Hour)
	t2 = t0.Add(2 * time.Hour)
)

// recordDiff compares records field by field, every field of Record
// included: Usernames as sets (a nil list and an empty one alike), times
// with Equal. It returns "" for equal records, and otherwise the
// differences (-want +got).
func recordDiff(want, got peer.Record) string {
	return cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty())
}

func mustPut(t *testing.T, s peer.Store, recs ...peer.Record) {
	t.Helper()
	if err := s.Put(context.Background(), recs...); err != nil {
		t.Fatalf("Put(%v): %v", recs, err)
	}
}

func mustPeer(t *testing.T, s peer.Store, key peer.Key) peer.Record {
	t.Helper()
	rec, found, err := s.Peer(context.Background(), key)
	if err != nil || !found {
		t.Fatalf("Peer(%v) = found %v, err %v; want found", key, found, err)
	}
	return rec
}

func wantPeer(t *testing.T, s peer.Store, want peer.Record) {
	t.Helper()
	if diff := recordDiff(want, mustPeer(t, s, want.Key)); diff != "" {
		t.Errorf("Peer(%v) (-want +got):\n%s", want.Key, diff)
	}
}

func wantUsername(t *testing.T, s peer.Store, username string, owner peer.Key, seen time.Time) {
	t.Helper()
	rec, gotSeen, found, err := s.Username(context.Background(), username)
	what := fmt.Sprintf("Username(%q)", username)
	if wantFound(t, what, rec.Key, gotSeen, found, err, owner, seen) && !slices.Contains(rec.Usernames, username) {
		t.Errorf("%s returned %v whose Usernames %q miss it", what, rec.Key, rec.Usernames)
	}
}

// wantFound checks the answer of a lookup by an index: found, of owner,
// seen at seen unless that is zero; or not found for a zero owner. It
// reports whether the answer was found as wanted.
func wantFound(t *testing.T, what string, key peer.Key, gotSeen time.Time, found bool, err error, owner peer.Key, seen time.Time) bool {
	t.Helper()
	switch {
	case err != nil:
		t.Errorf("%s: %v", what, err)
	case owner.IsZero() && found:
		t.Errorf("%s = %v; want not found", what, key)
	case owner.IsZero():
	case !found:
		t.Errorf("%s not found; want %v", what, owner)
	case key != owner:
		t.Errorf("%s = %v; want %v", what, key, owner)
	case !seen.IsZero() && !gotSeen.Equal(seen):
		t.Errorf("%s seen at %v; want %v", what, gotSeen, seen)
	default:
		return true
	}
	return false
}

func wantPhone(t *testing.T, s peer.Store, phone string, owner peer.Key) {
	t.Helper()
	rec, found, err := s.Phone(context.Background(), phone)
	switch {
	case err != nil:
		t.Errorf("Phone(%q): %v", phone, err)
	case owner.IsZero() && found:
		t.Errorf("Phone(%q) = %v; want not found", phone, rec.Key)
	case owner.IsZero():
	case !found:
		t.Errorf("Phone(%q) not found; want %v", phone, owner)
	case rec.Key != owner:
		t.Errorf("Phone(%q) = %v; want %v", phone, rec.Key, owner)
	}
}

func testEmpty(t *testing.T, s peer.Store) {
	ctx := context.Background()
	for _, key := range []peer.Key{peer.UserKey(1), peer.ChatKey(1), peer.ChannelKey(1)} {
		if _, found, err := s.Peer(ctx, key); found || err != nil {
			t.Errorf("Peer(%v) on an empty store = found %v, err %v", key, found, err)
		}
	}
	wantUsername(t, s, "durov", peer.Key{}, time.Time{})
	wantPhone(t, s, "15551234567", peer.Key{})
	if err := s.ForgetUsername(ctx, "durov"); err != nil {
		t.Errorf("ForgetUsername of an unknown username: %v", err)
	}
	if err := s.Put(ctx); err != nil {
		t.Errorf("Put of no records: %v", err)
	}
}

func testRoundTrip(t *testing.T, open func(t *testing.T) peer.Store) {
	for _, rec := range []peer.Record{
		{
			Key: peer.UserKey(777000), AccessHash: -42, HasHash: true,
			Usernames: []string{"telegram"}, Phone: "42777", Title: "Telegram", UpdatedAt: t0,
		},
		{Key: peer.UserKey(peer.MaxUserID), AccessHash: 1, HasHash: true, Self: true, Title: "Me", UpdatedAt: t0},
		{
			Key: peer.UserKey(93372553), AccessHash: 1 << 62, HasHash: true, Bot: true,
			Usernames: []string{"botfather", "bot_father_collectible"}, Title: "BotFather", UpdatedAt: t0,
		},
		{
			Key: peer.UserKey(5), AccessHash: 9, HasHash: true, Min: true,
			FromMessage: peer.MessageRef{Peer: peer.ChannelKey(10), MsgID: 77}, Title: "Min user", UpdatedAt: t0,
		},
		{
			Key: peer.UserKey(6), Min: true,
			FromMessage: peer.MessageRef{Peer: peer.ChannelKey(10), MsgID: 78}, Title: "Min user without a hash", UpdatedAt: t0,
		},
		{Key: peer.ChatKey(peer.MaxChatID), Title: "Basic group", UpdatedAt: t0},
		{Key: peer.ChatKey(321), Title: "Migrated group", MigratedTo: peer.MaxChannelID, UpdatedAt: t0},
		{
			Key: peer.ChannelKey(1234567890), AccessHash: -1 << 63, HasHash: true, Broadcast: true,
			Usernames: []string{"channel_name"}, Title: "A channel", UpdatedAt: t0,
		},
		{Key: peer.ChannelKey(peer.MaxMonoforumID), AccessHash: 3, HasHash: true, Title: "Monoforum", UpdatedAt: t0},
		{Key: peer.ChannelKey(peer.MaxChannelID), AccessHash: 0, HasHash: true, UpdatedAt: t0},
	} {
		t.Run(rec.Key.String(), func(t *testing.T) {
			s := open(t)
			mustPut(t, s, rec)
			wantPeer(t, s, rec)
			for _, u := range rec.Usernames {
				wantUsername(t, s, u, rec.Key, t0)
			}
			if rec.Phone != "" {
				wantPhone(t, s, rec.Phone, rec.Key)
			}
		})
	}
}

func testKindsDistinct(t *testing.T, s peer.Store) {
	recs := []peer.Record{
		{Key: peer.UserKey(5), AccessHash: 1, HasHash: true, Title: "user", UpdatedAt: t0},
		{Key: peer.ChatKey(5), Title: "chat", UpdatedAt: t0},
		{Key: peer.ChannelKey(5), AccessHash: 3, HasHash: true, Title: "channel", UpdatedAt: t0},
	}
	mustPut(t, s, recs...)
	for _, rec := range recs {
		wantPeer(t, s, rec)
	}
}

func testInvalidKey(t *testing.T, open func(t *testing.T) peer.Store) {
	for _, key := range []peer.Key{
		{},
		{Kind: 9, ID: 1},
		peer.UserKey(0),
		peer.UserKey(-1),
		peer.UserKey(peer.MaxUserID + 1),
		peer.ChatKey(0),
		peer.ChatKey(-5),
		peer.ChatKey(peer.MaxChatID + 1),
		peer.ChannelKey(0),
		peer.ChannelKey(peer.MaxChannelID + 1),
		peer.ChannelKey(peer.MinMonoforumID - 1),
		peer.ChannelKey(peer.MaxMonoforumID + 1),
	} {
		t.Run(fmt.Sprintf("%v", key), func(t *testing.T) {
			s := open(t)
			good := peer.Record{Key: peer.UserKey(1), AccessHash: 1, HasHash: true, Usernames: []string{"good"}}
			err := s.Put(context.Background(), good, peer.Record{Key: key, HasHash: true})
			var idErr *peer.IDError
			if !errors.As(err, &idErr) {
				t.Fatalf("Put(%v) = %v; want an *peer.IDError", key, err)
			}
			if _, found, _ := s.Peer(context.Background(), good.Key); found {
				t.Errorf("Put stored part of a batch it rejected")
			}
		})
	}
}

func testStamp(t *testing.T, s peer.Store) {
	before := time.Now().Add(-time.Minute)
	mustPut(t, s, peer.Record{Key: peer.UserKey(1), AccessHash: 1, HasHash: true, Usernames: []string{"stamped"}})
	rec := mustPeer(t, s, peer.UserKey(1))
	if rec.UpdatedAt.Before(before) {
		t.Errorf("UpdatedAt = %v; want it stamped by Put", rec.UpdatedAt)
	}
	_, seen, _, _ := s.Username(context.Background(), "stamped")
	if !seen.Equal(rec.UpdatedAt) {
		t.Errorf("username seen at %v; want %v, the record's UpdatedAt", seen, rec.UpdatedAt)
	}
}

func testMerge(t *testing.T, open func(t *testing.T) peer.Store) {
	u := peer.UserKey(100)
	c := peer.ChannelKey(200)
	ctxA := peer.MessageRef{Peer: peer.ChannelKey(300), MsgID: 10}
	ctxB := peer.MessageRef{Peer: peer.ChatKey(400), MsgID: 20}
	for _, tc := range []struct {
		name string
		puts []peer.Record
		want peer.Record
	}{
		{
			name: "MinNeverOverwritesFull",
			puts: []peer.Record{
				{Key: u, AccessHash: 1, HasHash: true, Title: "Old", UpdatedAt: t0},
				{Key: u, AccessHash: 2, HasHash: true, Min: true, Title: "New", FromMessage: ctxA, UpdatedAt: t1},
			},
			want: peer.Record{Key: u, AccessHash: 1, HasHash: true, Title: "New", FromMessage: ctxA, UpdatedAt: t1},
		},
		{
			name: "FullReplacesMin",
			puts: []peer.Record{
				{Key: u, AccessHash: 2, HasHash: true, Min: true, FromMessage: ctxA, UpdatedAt: t0},
				{Key: u, AccessHash: 1, HasHash: true, UpdatedAt: t1},
			},
			want: peer.Record{Key: u, AccessHash: 1, HasHash: true, FromMessage: ctxA, UpdatedAt: t1},
		},
		{
			name: "NewerFullReplacesFull",
			puts: []peer.Record{
				{Key: c, AccessHash: 1, HasHash: true, UpdatedAt: t0},
				{Key: c, AccessHash: 5, HasHash: true, UpdatedAt: t1},
			},
			want: peer.Record{Key: c, AccessHash: 5, HasHash: true, UpdatedAt: t1},
		},
		{
			name: "MinReplacesMin",
			puts: []peer.Record{
				{Key: c, AccessHash: 1, HasHash: true, Min: true, FromMessage: ctxA, UpdatedAt: t0},
				{Key: c, AccessHash: 2, HasHash: true, Min: true, FromMessage: ctxB, UpdatedAt: t1},
			},
			want: peer.Record{Key: c, AccessHash: 2, HasHash: true, Min: true, FromMessage: ctxB, UpdatedAt: t1},
		},
		{
			name: "MinContextKept",
			puts: []peer.Record{
				{Key: u, AccessHash: 2, HasHash: true, Min: true, FromMessage: ctxA, UpdatedAt: t0},
				{Key: u, AccessHash: 2, HasHash: true, Min: true, UpdatedAt: t1},
			},
			want: peer.Record{Key: u, AccessHash: 2, HasHash: true, Min: true, FromMessage: ctxA, UpdatedAt: t1},
		},
		{
			name: "MinWithoutHashKeepsContext",
			puts: []peer.Record{
				{Key: u, Min: true, FromMessage: ctxA, Title: "Seen", UpdatedAt: t0},
				{Key: u, Min: true, FromMessage: ctxB, UpdatedAt: t1},
			},
			want: peer.Record{Key: u, Min: true, FromMessage: ctxB, Title: "Seen", UpdatedAt: t1},
		},
		{
			name: "MinWithoutHashOverNoHash",
			puts: []peer.Record{
				{Key: c, Title: "No hash yet", UpdatedAt: t0},
				{Key: c, Min: true, FromMessage: ctxA, UpdatedAt: t1},
			},
			want: peer.Record{Key: c, Min: true, FromMessage: ctxA, Title: "No hash yet", UpdatedAt: t1},
		},
		{
			name: "MinWithoutHashKeepsFull",
			puts: []peer.Record{
				{Key: u, AccessHash: 1, HasHash: true, UpdatedAt: t0},
				{Key: u, Min: true, FromMessage: ctxA, UpdatedAt: t1},
			},
			want: peer.Record{Key: u, AccessHash: 1, HasHash: true, FromMessage: ctxA, UpdatedAt: t1},
		},
		{
			name: "MinWithoutHashKeepsMinHash",
			puts: []peer.Record{
				{Key: c, AccessHash: 3, HasHash: true, Min: true, FromMessage: ctxA, UpdatedAt: t0},
				{Key: c, Min: true, FromMessage: ctxB, UpdatedAt: t1},
			},
			want: peer.Record{Key: c, AccessHash: 3, HasHash: true, Min: true, FromMessage: ctxB, UpdatedAt: t1},
		},
		{
			name: "FullAfterMinWithoutHash",
			puts: []peer.Record{
				{Key: u, Min: true, FromMessage: ctxA, UpdatedAt: t0},
				{Key: u, AccessHash: 9, HasHash: true, UpdatedAt: t1},
			},
			want: peer.Record{Key: u, AccessHash: 9, HasHash: true, FromMessage: ctxA, UpdatedAt: t1},
		},
		{
			name: "MigratedToSticky",
			puts: []peer.Record{
				{Key: peer.ChatKey(9), Title: "Group", MigratedTo: 200, UpdatedAt: t0},
				{Key: peer.ChatKey(9), Title: "Group, later", UpdatedAt: t1},
			},
			want: peer.Record{Key: peer.ChatKey(9), Title: "Group, later", MigratedTo: 200, UpdatedAt: t1},
		},
		{
			name: "MigratedToReplaced",
			puts: []peer.Record{
				{Key: peer.ChatKey(9), MigratedTo: 200, UpdatedAt: t0},
				{Key: peer.ChatKey(9), MigratedTo: 201, UpdatedAt: t1},
			},
			want: peer.Record{Key: peer.ChatKey(9), MigratedTo: 201, UpdatedAt: t1},
		},
		{
			name: "HasHashSticky",
			puts: []peer.Record{
				{Key: c, AccessHash: 7, HasHash: true, UpdatedAt: t0},
				{Key: c, Title: "No hash here", UpdatedAt: t1},
			},
			want: peer.Record{Key: c, AccessHash: 7, HasHash: true, Title: "No hash here", UpdatedAt: t1},
		},
		{
			name: "MinDisplayOnly",
			puts: []peer.Record{
				{Key: c, AccessHash: 7, HasHash: true, Usernames: []string{"old"}, Title: "Old", UpdatedAt: t0},
				{Key: c, AccessHash: 8, HasHash: true, Min: true, Usernames: []string{"new"}, Title: "New", Broadcast: true, UpdatedAt: t1},
			},
			want: peer.Record{Key: c, AccessHash: 7, HasHash: true, Usernames: []string{"new"}, Title: "New", Broadcast: true, UpdatedAt: t1},
		},
		{
			name: "UnknownUsernamesKept",
			puts: []peer.Record{
				{Key: u, AccessHash: 1, HasHash: true, Usernames: []string{"a", "b"}, UpdatedAt: t0},
				{Key: u, AccessHash: 1, HasHash: true, UpdatedAt: t1},
			},
			want: peer.Record{Key: u, AccessHash: 1, HasHash: true, Usernames: []string{"a", "b"}, UpdatedAt: t1},
		},
		{
			name: "EmptyUsernamesClear",
			puts: []peer.Record{
				{Key: u, AccessHash: 1, HasHash: true, Usernames: []string{"a", "b"}, UpdatedAt: t0},
				{Key: u, AccessHash: 1, HasHash: true, Usernames: []string{}, UpdatedAt: t1},
			},
			want: peer.Record{Key: u, AccessHash: 1, HasHash: true, UpdatedAt: t1},
		},
		{
			name: "UsernamesNormalized",
			puts: []peer.Record{
				{Key: u, AccessHash: 1, HasHash: true, Usernames: []string{"@Durov", "DUROV", "Pavel"}, UpdatedAt: t0},
			},
			want: peer.Record{Key: u, AccessHash: 1, HasHash: true, Usernames: []string{"durov", "pavel"}, UpdatedAt: t0},
		},
		{
			name: "PhoneAndTitle",
			puts: []peer.Record{
				{Key: u, AccessHash: 1, HasHash: true, Phone: "+1 555 123", Title: "A", UpdatedAt: t0},
				{Key: u, AccessHash: 1, HasHash: true, UpdatedAt: t1},
				{Key: u, AccessHash: 1, HasHash: true, Phone: "34600", Title: "B", UpdatedAt: t2},
			},
			want: peer.Record{Key: u, AccessHash: 1, HasHash: true, Phone: "34600", Title: "B", UpdatedAt: t2},
		},
		{
			name: "FlagsSticky",
			puts: []peer.Record{
				{Key: u, AccessHash: 1, HasHash: true, Self: true, Bot: true, UpdatedAt: t0},
				{Key: u, AccessHash: 1, HasHash: true, UpdatedAt: t1},
			},
			want: peer.Record{Key: u, AccessHash: 1, HasHash: true, Self: true, Bot: true, UpdatedAt: t1},
		},
		{
			name: "OlderWriteKeepsUpdatedAt",
			puts: []peer.Record{
				{Key: u, AccessHash: 1, HasHash: true, UpdatedAt: t1},
				{Key: u, AccessHash: 2, HasHash: true, UpdatedAt: t0},
			},
			want: peer.Record{Key: u, AccessHash: 2, HasHash: true, UpdatedAt: t1},
		},
		{
			name: "BasicChatTitle",
			puts: []peer.Record{
				{Key: peer.ChatKey(9), Title: "Old", UpdatedAt: t0},
				{Key: peer.ChatKey(9), Title: "New", UpdatedAt: t1},
			},
			want: peer.Record{Key: peer.ChatKey(9), Title: "New", UpdatedAt: t1},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The rules hold for Merge itself, one Put at a time and one batch.
			var got peer.Record
			found := false
			for _, r := range tc.puts {
				got, found = peer.Merge(got, found, r), true
			}
			if diff := recordDiff(tc.want, got); diff != "" {
				t.Errorf("Merge (-want +got):\n%s", diff)
			}
			s := open(t)
			for _, r := range tc.puts {
				mustPut(t, s, r)
			}
			wantPeer(t, s, tc.want)
			s = open(t)
			mustPut(t, s, tc.puts...)
			wantPeer(t, s, tc.want)
		})
	}
}

func testUsernames(t *testing.T, s peer.Store) {
	a := peer.ChannelKey(1)
	mustPut(t, s, peer.Record{Key: a, AccessHash: 1, HasHash: true, Usernames: []string{"Alpha", "beta", "gamma"}, UpdatedAt: t0})
	for _, u := range []string{"alpha", "beta", "gamma"} {
		wantUsername(t, s, u, a, t0)
	}
	// Seen again with two of them: those are seen later, gamma is gone.
	mustPut(t, s, peer.Record{Key: a, AccessHash: 1, HasHash: true, Usernames: []string{"alpha", "beta"}, UpdatedAt: t1})
	wantUsername(t, s, "alpha", a, t1)
	wantUsername(t, s, "beta", a, t1)
	wantUsername(t, s, "gamma", peer.Key{}, time.Time{})
	// A record that does not list usernames keeps them, and their seen time.
	mustPut(t, s, peer.Record{Key: a, Title: "Renamed", UpdatedAt: t2})
	wantUsername(t, s, "alpha", a, t1)
	if rec := mustPeer(t, s, a); rec.Title != "Renamed" || len(rec.Usernames) != 2 {
		t.Errorf("Peer(%v) = %+v; want title Renamed and two usernames", a, rec)
	}
	// An empty list clears them.
	mustPut(t, s, peer.Record{Key: a, Usernames: []string{}, UpdatedAt: t2})
	wantUsername(t, s, "alpha", peer.Key{}, time.Time{})
	wantUsername(t, s, "beta", peer.Key{}, time.Time{})
}

func testReassign(t *testing.T, s peer.Store) {
	a, b := peer.UserKey(1), peer.ChannelKey(2)
	mustPut(t, s, peer.Record{Key: a, AccessHash: 1, HasHash: true, Usernames: []string{"alpha", "shared"}, UpdatedAt: t0})
	mustPut(t, s, peer.Record{Key: b, AccessHash: 2, HasHash: true, Usernames: []string{"shared"}, UpdatedAt: t1})
	wantUsername(t, s, "shared", b, t1)
	wantUsername(t, s, "alpha", a, t0)
	if rec := mustPeer(t, s, a); !slices.Equal(rec.Usernames, []string{"alpha"}) {
		t.Errorf("previous owner still lists %q; want [alpha]", rec.Usernames)
	}
	// And back, in one batch with an unrelated record.
	mustPut(t, s,
		peer.Record{Key: peer.UserKey(3), AccessHash: 3, HasHash: true, UpdatedAt: t2},
		peer.Record{Key: a, AccessHash: 1, HasHash: true, Usernames: []string{"alpha", "shared"}, UpdatedAt: t2},
	)
	wantUsername(t, s, "shared", a, t2)
	if rec := mustPeer(t, s, b); len(rec.Usernames) != 0 {
		t.Errorf("previous owner still lists %q; want none", rec.Usernames)
	}
}

func testForget(t *testing.T, s peer.Store) {
	ctx := context.Background()
	a := peer.UserKey(1)
	mustPut(t, s, peer.Record{Key: a, AccessHash: 1, HasHash: true, Usernames: []string{"alpha", "beta"}, UpdatedAt: t0})
	if err := s.ForgetUsername(ctx, "alpha"); err != nil {
		t.Fatalf("ForgetUsername: %v", err)
	}
	wantUsername(t, s, "alpha", peer.Key{}, time.Time{})
	wantUsername(t, s, "beta", a, t0)
	rec := mustPeer(t, s, a)
	if !slices.Equal(rec.Usernames, []string{"beta"}) || rec.AccessHash != 1 {
		t.Errorf("after ForgetUsername, Peer = %+v; want usernames [beta] and the hash kept", rec)
	}
	if err := s.ForgetUsername(ctx, "alpha"); err != nil {
		t.Errorf("ForgetUsername twice: %v", err)
	}
	// Seen again, it comes back.
	mustPut(t, s, peer.Record{Key: a, Usernames: []string{"alpha", "beta"}, UpdatedAt: t1})
	wantUsername(t, s, "alpha", a, t1)
}

func testPhones(t *testing.T, s peer.Store) {
	a, b := peer.UserKey(1), peer.UserKey(2)
	mustPut(t, s, peer.Record{Key: a, AccessHash: 1, HasHash: true, Phone: "+34 600 000 000", UpdatedAt: t0})
	wantPhone(t, s, "34600000000", a)
	wantPhone(t, s, "34600000001", peer.Key{})
	// The number moves to another account.
	mustPut(t, s, peer.Record{Key: b, AccessHash: 2, HasHash: true, Phone: "34600000000", UpdatedAt: t1})
	wantPhone(t, s, "34600000000", b)
	// The first user gets a new number.
	mustPut(t, s, peer.Record{Key: a, Phone: "15551234567", UpdatedAt: t2})
	wantPhone(t, s, "15551234567", a)
	wantPhone(t, s, "34600000000", b)
}

func testConcurrent(t *testing.T, s peer.Store) {
	const (
		workers = 8
		ops     = 400
		ids     = 20
	)
	names := []string{"n0", "n1", "n2", "n3", "n4", "n5"}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for i := range ops {
				key := peer.UserKey(int64(1 + r.IntN(ids)))
				if r.IntN(2) == 0 {
					key = peer.ChannelKey(key.ID)
				}
				var err error
				switch r.IntN(5) {
				case 0, 1:
					rec := peer.Record{
						Key: key, AccessHash: int64(i), HasHash: true, Min: r.IntN(3) == 0,
						Usernames: []string{names[r.IntN(len(names))]},
						Title:     fmt.Sprintf("w%d op%d", w, i),
					}
					if key.Kind == peer.KindUser {
						rec.Phone = fmt.Sprintf("1555%d", r.IntN(ids))
					}
					err = s.Put(ctx, rec)
				case 2:
					_, _, err = s.Peer(ctx, key)
				case 3:
					_, _, _, err = s.Username(ctx, names[r.IntN(len(names))])
				case 4:
					if r.IntN(4) == 0 {
						err = s.ForgetUsername(ctx, names[r.IntN(len(names))])
					} else {
						_, _, err = s.Phone(ctx, fmt.Sprintf("1555%d", r.IntN(ids)))
					}
				}
				if err != nil {
					errs <- fmt.Errorf("worker %d op %d: %w", w, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// The username index agrees with the records.
	for _, n := range names {
		rec, _, found, err := s.Username(ctx, n)
		if err != nil {
			t.Fatalf("Username(%q): %v", n, err)
		}
		if !found {
			continue
		}
		if !slices.Contains(rec.Usernames, n) {
			t.Errorf("Username(%q) = %v listing %q", n, rec.Key, rec.Usernames)
		}
		if again := mustPeer(t, s, rec.Key); !slices.Contains(again.Usernames, n) {
			t.Errorf("Peer(%v) lists %q; want it to include %q", rec.Key, again.Usernames, n)
		}
	}
}

func wantInvite(t *testing.T, s peer.Store, hash string, owner peer.Key, seen time.Time) peer.Record {
	t.Helper()
	rec, gotSeen, found, err := s.Invite(context.Background(), hash)
	wantFound(t, fmt.Sprintf("Invite(%q)", hash), rec.Key, gotSeen, found, err, owner, seen)
	return rec
}

func testInvites(t *testing.T, open func(t *testing.T) peer.Store) {
	ctx := context.Background()
	ch, chat := peer.ChannelKey(1500000000), peer.ChatKey(4242)
	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t)
		wantInvite(t, s, "AbCd", peer.Key{}, time.Time{})
		mustPut(t, s, peer.Record{Key: ch, AccessHash: 15, HasHash: true, Title: "Private", UpdatedAt: t0})
		if err := s.PutInvite(ctx, "AbCd", ch, t1); err != nil {
			t.Fatalf("PutInvite: %v", err)
		}
		rec := wantInvite(t, s, "AbCd", ch, t1)
		if diff := recordDiff(peer.Record{Key: ch, AccessHash: 15, HasHash: true, Title: "Private", UpdatedAt: t0}, rec); diff != "" {
			t.Errorf("Invite did not return the stored record (-want +got):\n%s", diff)
		}
		// Hashes compare exactly: case matters.
		wantInvite(t, s, "abcd", peer.Key{}, time.Time{})
		wantInvite(t, s, "AbC", peer.Key{}, time.Time{})
		// The record returned is the current one.
		mustPut(t, s, peer.Record{Key: ch, Title: "Renamed", UpdatedAt: t2})
		if rec := wantInvite(t, s, "AbCd", ch, t1); rec.Title != "Renamed" || rec.AccessHash != 15 {
			t.Errorf("Invite after a Put returned %+v; want the merged record", rec)
		}
	})
	t.Run("Replace", func(t *testing.T) {
		s := open(t)
		mustPut(t, s, peer.Record{Key: ch, AccessHash: 15, HasHash: true, UpdatedAt: t0}, peer.Record{Key: chat, UpdatedAt: t0})
		for _, step := range []struct {
			key  peer.Key
			seen time.Time
		}{{ch, t0}, {chat, t1}, {chat, t2}} {
			if err := s.PutInvite(ctx, "Link_-1", step.key, step.seen); err != nil {
				t.Fatalf("PutInvite: %v", err)
			}
			wantInvite(t, s, "Link_-1", step.key, step.seen)
		}
	})
	t.Run("PeerNotStored", func(t *testing.T) {
		s := open(t)
		if err := s.PutInvite(ctx, "Early", ch, t0); err != nil {
			t.Fatalf("PutInvite: %v", err)
		}
		wantInvite(t, s, "Early", peer.Key{}, time.Time{})
		mustPut(t, s, peer.Record{Key: ch, AccessHash: 15, HasHash: true, UpdatedAt: t1})
		wantInvite(t, s, "Early", ch, t0)
	})
	t.Run("Stamp", func(t *testing.T) {
		s := open(t)
		before := time.Now().Add(-time.Minute)
		mustPut(t, s, peer.Record{Key: chat, UpdatedAt: t0})
		if err := s.PutInvite(ctx, "Stamped", chat, time.Time{}); err != nil {
			t.Fatalf("PutInvite: %v", err)
		}
		if _, seen, _, _ := s.Invite(ctx, "Stamped"); seen.Before(before) {
			t.Errorf("an invite put with no seen time is seen at %v; want it stamped by PutInvite", seen)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		s := open(t)
		mustPut(t, s, peer.Record{Key: chat, UpdatedAt: t0})
		for _, key := range []peer.Key{{}, peer.ChatKey(0), peer.ChannelKey(peer.MaxChannelID + 1)} {
			var idErr *peer.IDError
			if err := s.PutInvite(ctx, "Good", key, t0); !errors.As(err, &idErr) {
				t.Errorf("PutInvite with key %v = %v; want a *peer.IDError", key, err)
			}
		}
		wantInvite(t, s, "Good", peer.Key{}, time.Time{})
		for _, hash := range []string{"", "a b", "a/b", "ab+", strings.Repeat("a", 257)} {
			var refErr *peer.RefError
			if err := s.PutInvite(ctx, hash, chat, t0); !errors.As(err, &refErr) {
				t.Errorf("PutInvite(%q) = %v; want a *peer.RefError", hash, err)
			}
			wantInvite(t, s, hash, peer.Key{}, time.Time{})
		}
	})
}

// A title is kept as valid UTF-8: a byte that is not becomes U+FFFD.
func testTitles(t *testing.T, s peer.Store) {
	for i, c := range []struct{ put, want string }{
		{"Plain", "Plain"},
		{"日本 é \u2028 \x00", "日本 é \u2028 \x00"},
		{"bad \xff byte", "bad \ufffd byte"},
		{"\xe6\x97", "\ufffd"},
	} {
		key := peer.ChatKey(int64(1 + i))
		mustPut(t, s, peer.Record{Key: key, Title: c.put, UpdatedAt: t0})
		wantPeer(t, s, peer.Record{Key: key, Title: c.want, UpdatedAt: t0})
	}
}

// MatchMemoryStore puts random batches, which reuse keys, usernames and
// phone numbers, into the stores that pick returns (pick is called with a
// random number before each step, so a test can take turns between
// stores sharing one storage) and into a peer.MemoryStore, and compares
// every lookup after each batch.
func MatchMemoryStore(t *testing.T, pick func(i int) peer.Store) {
	ctx := context.Background()
	m := peer.NewMemoryStore(peer.MemoryOptions{})
	names := []string{"a", "b", "c", "d"}
	r := rand.New(rand.NewPCG(1, 2))
	next := r.IntN
	base := time.Unix(1_700_000_000, 0)
	var keys []peer.Key
	for i := int64(1); i <= 6; i++ {
		keys = append(keys, peer.UserKey(i), peer.ChannelKey(i))
	}
	keys = append(keys, peer.ChatKey(1), peer.ChatKey(2))
	for round := range 300 {
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
		s := pick(next(1000))
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
		phones := []string{"15550", "15551", "15552"}
		if !sameAnswers(t, fmt.Sprintf("round %d", round), pick(next(1000)), m, keys, names, phones) {
			return
		}
	}
}

// sameAnswers compares the answers of s and of the reference store m for
// keys, usernames and phone numbers, and reports whether they agree.
func sameAnswers(t *testing.T, step string, s, m peer.Store, keys []peer.Key, names, phones []string) bool {
	t.Helper()
	ctx := context.Background()
	for _, k := range keys {
		got, gotFound, err := s.Peer(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		want, wantFound, _ := m.Peer(ctx, k)
		if diff := recordDiff(want, got); gotFound != wantFound || diff != "" {
			t.Errorf("%s: Peer(%v) found %v; want %v; (-want +got):\n%s", step, k, gotFound, wantFound, diff)
			return false
		}
	}
	for _, n := range names {
		got, gotSeen, gotFound, err := s.Username(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		want, wantSeen, wantFound, _ := m.Username(ctx, n)
		if gotFound != wantFound || got.Key != want.Key || !gotSeen.Equal(wantSeen) {
			t.Errorf("%s: Username(%q) = %v %v %v; want %v %v %v", step, n, got.Key, gotSeen, gotFound, want.Key, wantSeen, wantFound)
			return false
		}
	}
	for _, p := range phones {
		got, gotFound, err := s.Phone(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		want, wantFound, _ := m.Phone(ctx, p)
		if gotFound != wantFound || got.Key != want.Key {
			t.Errorf("%s: Phone(%q) = %v %v; want %v %v", step, p, got.Key, gotFound, want.Key, wantFound)
			return false
		}
	}
	return true
}

// Large batches, whose records of each kind (new peers, changed phone
// numbers, usernames that appear, move and leave) take several
// statements of an SQL engine, agree with MemoryStore.
func testLargeBatches(t *testing.T, s peer.Store) {
	ctx := context.Background()
	m := peer.NewMemoryStore(peer.MemoryOptions{})
	r := rand.New(rand.NewPCG(7, 8))
	next := r.IntN
	const nkeys, nnames, nphones = 600, 400, 200
	keys := make([]peer.Key, nkeys)
	for i := range keys {
		keys[i] = peer.UserKey(int64(1 + i))
		if i%3 == 2 {
			keys[i] = peer.ChannelKey(int64(1 + i))
		}
	}
	names := make([]string, nnames)
	for i := range names {
		names[i] = fmt.Sprint("n", i)
	}
	phones := make([]string, nphones)
	for i := range phones {
		phones[i] = fmt.Sprint("1555", i)
	}
	base := time.Unix(1_700_000_000, 0)
	for round := range 8 {
		batch := make([]peer.Record, 150+next(250))
		for i := range batch {
			r := peer.Record{
				Key:        keys[next(nkeys)],
				AccessHash: int64(1 + next(3)),
				HasHash:    true,
				Title:      fmt.Sprint("t", next(3)),
				UpdatedAt:  base.Add(time.Duration(round*1000+i) * time.Second),
			}
			switch next(3) {
			case 0:
				r.Usernames = []string{names[next(nnames)]}
			case 1:
				r.Usernames = []string{}
			}
			if next(2) == 0 {
				r.Phone = phones[next(nphones)]
			}
			batch[i] = r
		}
		if err := s.Put(ctx, batch...); err != nil {
			t.Fatal(err)
		}
		if err := m.Put(ctx, batch...); err != nil {
			t.Fatal(err)
		}
		if !sameAnswers(t, fmt.Sprintf("round %d", round), s, m, keys, names, phones) {
			return
		}
	}
}
