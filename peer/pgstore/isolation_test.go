package pgstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/session/sessiontest"
)

// No lookup of account A ever answers with a hash that only account B
// has seen: not by key, username, phone number or invite link, not from
// the server or from a cache that B's process or A's own filled, not
// through the merge of a min peer with what B holds, and not after B's
// writes reach A's process.
func TestAccountIsolation(t *testing.T) {
	ctx := context.Background()
	dbA := sharedDB(t)
	dbB := openDB(t, dbA.Schema()) // B's process
	a := newAccount(t, dbA)
	b := newAccount(t, dbB)
	// A's reads from the server, with no cache between.
	aServer, err := openDB(t, dbA.Schema(), CacheSize(0)).Account(ctx, a.Account())
	if err != nil {
		t.Fatal(err)
	}
	// And A's Store in B's process, whose cache holds B's peers.
	aInB, err := dbB.Account(ctx, a.Account())
	if err != nil {
		t.Fatal(err)
	}
	const bHash = 0x0b0b0b0b
	user, channel := peer.UserKey(1001), peer.ChannelKey(2002)
	seen := time.Unix(1_700_000_000, 0)

	// A looks first: its misses must not be answered later from B's rows.
	lookUpNothing := func(step string) {
		t.Helper()
		for _, s := range []*Store{a, aServer, aInB} {
			if err := s.DB().Sync(ctx); err != nil {
				t.Fatal(err)
			}
			for _, k := range []peer.Key{user, channel} {
				if rec, found, err := s.Peer(ctx, k); err != nil || found {
					t.Errorf("%s: A's Peer(%v) = hash %#x, %v, %v; want nothing", step, k, rec.AccessHash, found, err)
				}
			}
			if rec, _, found, err := s.Username(ctx, "only_b"); err != nil || found {
				t.Errorf("%s: A's Username(only_b) = %v hash %#x, %v, %v; want nothing", step, rec.Key, rec.AccessHash, found, err)
			}
			if rec, found, err := s.Phone(ctx, "15550100"); err != nil || found {
				t.Errorf("%s: A's Phone = %v hash %#x, %v, %v; want nothing", step, rec.Key, rec.AccessHash, found, err)
			}
			if rec, _, found, err := s.Invite(ctx, "OnlyB"); err != nil || found {
				t.Errorf("%s: A's Invite = %v hash %#x, %v, %v; want nothing", step, rec.Key, rec.AccessHash, found, err)
			}
		}
	}
	lookUpNothing("before B's writes")

	if err := b.Put(ctx,
		peer.Record{Key: user, AccessHash: bHash, HasHash: true, Usernames: []string{"only_b"}, Phone: "15550100", Title: "B's"},
		peer.Record{Key: channel, AccessHash: bHash + 1, HasHash: true, Usernames: []string{"b_channel"}},
	); err != nil {
		t.Fatal(err)
	}
	if err := b.PutInvite(ctx, "OnlyB", channel, seen); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(ctx, sessiontest.Sample(t)); err != nil {
		t.Fatal(err)
	}
	// B's process caches B's answers.
	if rec, found, err := b.Peer(ctx, user); err != nil || !found || rec.AccessHash != bHash {
		t.Fatalf("B's Peer = %#x %v %v", rec.AccessHash, found, err)
	}
	if _, _, found, err := b.Invite(ctx, "OnlyB"); err != nil || !found {
		t.Fatalf("B's Invite = %v %v", found, err)
	}
	lookUpNothing("after B's writes")
	for _, s := range []*Store{a, aServer, aInB} {
		if _, err := s.Load(ctx); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("A's Load after B's Save: %v; want session.ErrNotFound", err)
		}
	}

	// A meets the same user as a min peer, with no hash: merged with what
	// A holds (nothing), not with B's full record.
	from := peer.MessageRef{Peer: peer.ChatKey(5), MsgID: 9}
	if err := a.Put(ctx, peer.Record{Key: user, Min: true, FromMessage: from, Usernames: []string{"only_b"}}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Store{a, aServer, aInB} {
		if err := s.DB().Sync(ctx); err != nil {
			t.Fatal(err)
		}
		rec, found, err := s.Peer(ctx, user)
		if err != nil || !found || rec.HasHash || rec.AccessHash != 0 || rec.FromMessage != from {
			t.Errorf("A's Peer after its min put = %+v, %v, %v; want the min peer without B's hash", rec, found, err)
		}
		if rec, _, found, err := s.Username(ctx, "only_b"); err != nil || !found || rec.HasHash {
			t.Errorf("A's Username(only_b) = %+v, %v, %v; want A's min peer", rec, found, err)
		}
	}
	// A's write changed nothing of B's.
	if err := dbB.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if rec, found, err := b.Peer(ctx, user); err != nil || !found || rec.AccessHash != bHash || rec.Min {
		t.Errorf("B's Peer after A's write = %+v, %v, %v", rec, found, err)
	}
	if rec, _, found, err := b.Username(ctx, "only_b"); err != nil || !found || rec.AccessHash != bHash {
		t.Errorf("B's Username after A's write = %+v, %v, %v", rec, found, err)
	}
	if rec, found, err := b.Phone(ctx, "15550100"); err != nil || !found || rec.Key != user {
		t.Errorf("B's Phone after A's write = %+v, %v, %v", rec, found, err)
	}
}
