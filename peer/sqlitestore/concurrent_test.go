package sqlitestore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/tgraw/tgraw/peer"
)

// checkConsistent checks the file's integrity and that its indexes agree
// with its records: every username row names a peer that lists it, every
// listed username points back, and no two users share a phone number.
func checkConsistent(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	var ok string
	if err := s.ix.r.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity_check = %q, %v", ok, err)
	}
	index := map[string]peer.Key{}
	rows, err := s.ix.r.QueryContext(ctx, "SELECT username, kind, id FROM usernames")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var k peer.Key
		if err := rows.Scan(&name, &k.Kind, &k.ID); err != nil {
			t.Fatal(err)
		}
		index[name] = k
	}
	rows.Close()

	rows, err = s.ix.r.QueryContext(ctx, "SELECT kind, id, phone, data FROM peers")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	listed := map[string]peer.Key{}
	phones := map[string]peer.Key{}
	for rows.Next() {
		var r row
		if err := rows.Scan(r.dest()...); err != nil {
			t.Fatal(err)
		}
		s, err := r.stored()
		rec := s.Record
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range rec.Usernames {
			if prev, dup := listed[u]; dup {
				t.Errorf("username %q listed by %v and %v", u, prev, rec.Key)
			}
			listed[u] = rec.Key
			if index[u] != rec.Key {
				t.Errorf("%v lists %q, but the index points to %v", rec.Key, u, index[u])
			}
		}
		if rec.Key.Kind == peer.KindUser && rec.Phone != "" {
			if prev, dup := phones[rec.Phone]; dup {
				t.Errorf("phone %s held by %v and %v", rec.Phone, prev, rec.Key)
			}
			phones[rec.Phone] = rec.Key
		}
	}
	for u, k := range index {
		if listed[u] != k {
			t.Errorf("index points %q to %v, which does not list it", u, k)
		}
	}
}

// 8 goroutines x 10,000 mixed operations on one store, none failing.
func TestConcurrentMixed(t *testing.T) {
	const workers = 8
	ops := 10_000
	if testing.Short() {
		ops = 1_000
	}
	s := openTemp(t)
	ctx := context.Background()
	names := []string{"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 42))
			key := func() peer.Key {
				id := int64(1 + r.IntN(200))
				switch r.IntN(3) {
				case 0:
					return peer.UserKey(id)
				case 1:
					return peer.ChatKey(id)
				}
				return peer.ChannelKey(id)
			}
			rec := func(i int) peer.Record {
				k := key()
				rec := peer.Record{
					Key: k, AccessHash: r.Int64(), HasHash: k.Kind != peer.KindChat, Min: r.IntN(4) == 0,
					Title: fmt.Sprintf("worker %d op %d", w, i),
				}
				switch r.IntN(3) {
				case 0:
					rec.Usernames = []string{names[r.IntN(len(names))], fmt.Sprintf("own_%d_%d", w, r.IntN(50))}
				case 1:
					rec.Usernames = []string{}
				}
				if rec.Min {
					rec.FromMessage = peer.MessageRef{Peer: peer.ChannelKey(int64(1 + r.IntN(9))), MsgID: i}
				}
				if k.Kind == peer.KindUser && r.IntN(2) == 0 {
					rec.Phone = fmt.Sprintf("+1 555 %03d", r.IntN(100))
				}
				return rec
			}
			for i := range ops {
				var err error
				switch op := r.IntN(20); {
				case op < 5:
					err = s.Put(ctx, rec(i))
				case op < 7:
					batch := make([]peer.Record, 2+r.IntN(30))
					for j := range batch {
						batch[j] = rec(i)
					}
					err = s.Put(ctx, batch...)
				case op < 12:
					_, _, err = s.Peer(ctx, key())
				case op < 16:
					_, _, _, err = s.Username(ctx, names[r.IntN(len(names))])
				case op < 19:
					_, _, err = s.Phone(ctx, fmt.Sprintf("1555%03d", r.IntN(100)))
				default:
					err = s.ForgetUsername(ctx, names[r.IntN(len(names))])
				}
				if err != nil {
					errs <- fmt.Errorf("worker %d, op %d: %w", w, i, err)
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
	checkConsistent(t, s)
}

// Two stores on one file in one process: writes through both interleave
// without errors, and each sees the other's.
func TestTwoStoresOneFile(t *testing.T) {
	ctx := context.Background()
	a := openTemp(t)
	b := openAt(t, a.Path())
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for i, s := range []*Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				id := int64(i*1000 + j + 1)
				err := s.Put(ctx, peer.Record{Key: peer.UserKey(id), AccessHash: id, HasHash: true, Usernames: []string{"both", fmt.Sprint("n", id)}})
				if err != nil {
					errs <- err
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
	for _, id := range []int64{1, 200, 1001, 1200} {
		for _, s := range []*Store{a, b} {
			if rec, found, err := s.Peer(ctx, peer.UserKey(id)); err != nil || !found || rec.AccessHash != id {
				t.Errorf("Peer(%d) = %+v, %v, %v", id, rec, found, err)
			}
		}
	}
	checkConsistent(t, a)
	if rec, _, found, _ := a.Username(ctx, "both"); !found || !slices.Contains(rec.Usernames, "both") {
		t.Errorf("Username(both) = %+v, %v", rec, found)
	}
}
