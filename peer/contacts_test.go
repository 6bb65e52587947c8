package peer_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/tg"
)

// contactList is a contacts.contacts of the users.
func contactList(users ...*tg.User) *tg.ContactsContacts {
	list := &tg.ContactsContacts{SavedCount: len(users), Contacts: []tg.Contact{}, Users: []tg.UserClass{}}
	for _, u := range users {
		list.Contacts = append(list.Contacts, tg.Contact{UserID: u.ID})
		list.Users = append(list.Users, u)
	}
	return list
}

// After contacts.resolvePhone finds no one, the contact list is read, at
// most once per ContactsInterval and with the hash of the list read last,
// and every contact is stored with its phone number.
func TestPhoneFromContacts(t *testing.T) {
	ctx := context.Background()
	hidden := &tg.User{ID: 3001, AccessHash: 31, FirstName: "Hidden", Phone: "393281234567", Contact: true}
	other := &tg.User{ID: 3002, AccessHash: 32, FirstName: "Other", Phone: "34611111111", Contact: true}
	inv := newScripted().
		on("contacts.resolvePhone", func(tg.Object) (any, error) { return nil, rpcErr(400, "PHONE_NOT_OCCUPIED") }).
		on("contacts.getContacts", inTurn(contactList(hidden, other), &tg.ContactsContactsNotModified{}))
	r, store, clk := newResolverWith(t, inv, peer.ResolverOptions{})

	p, err := r.ResolvePeer(ctx, "+39 328 123 4567")
	if want := (&tg.InputPeerUser{UserID: hidden.ID, AccessHash: 31}); err != nil || !reflect.DeepEqual(p, want) {
		t.Fatalf("ResolvePeer = %v, %v; want %v", p, err, want)
	}
	if calls := inv.names(); !slices.Equal(calls, []string{"contacts.resolvePhone", "contacts.getContacts"}) {
		t.Errorf("calls %q", calls)
	}
	// Every contact is stored and phone-indexed: the other one needs no
	// call at all.
	if rec, found, _ := store.Phone(ctx, "34611111111"); !found || rec.Key != peer.UserKey(other.ID) {
		t.Errorf("the other contact is not phone-indexed: %v %v", rec.Key, found)
	}
	before := len(inv.names())
	if _, err := r.ResolvePeer(ctx, "+34 611 111 111"); err != nil || len(inv.names()) != before {
		t.Errorf("a stored contact: %v, %d more calls", err, len(inv.names())-before)
	}

	// A number in no list, within the interval: no second read.
	_, err = r.ResolvePeer(ctx, "+1 555 000 0000")
	var pe *peer.PhoneError
	if !errors.As(err, &pe) || inv.count("contacts.getContacts") != 1 {
		t.Errorf("within the interval: %v, %d reads; want a *PhoneError after 1 read", err, inv.count("contacts.getContacts"))
	}
	// After the interval, a read with the hash of the list: not modified.
	clk.advance(peer.DefaultContactsInterval)
	if _, err := r.ResolvePeer(ctx, "+1 555 000 0001"); !errors.As(err, &pe) {
		t.Errorf("after the interval: %v; want a *PhoneError", err)
	}
	reads := contactReads(inv)
	if len(reads) != 2 || reads[0] != 0 || reads[1] == 0 {
		t.Fatalf("contacts.getContacts hashes %v; want 0, then the list's hash", reads)
	}
	// The hash is Telegram's vector hash of saved_count and the sorted IDs.
	h := uint64(0)
	for _, n := range []uint64{2, 3001, 3002} {
		h ^= h >> 21
		h ^= h << 35
		h ^= h >> 4
		h += n
	}
	if reads[1] != int64(h) {
		t.Errorf("hash %d; want %d", reads[1], int64(h))
	}
}

func contactReads(inv *scripted) []int64 {
	var hashes []int64
	for _, c := range inv.sent() {
		if req, ok := c.(*tg.ContactsGetContactsRequest); ok {
			hashes = append(hashes, req.Hash)
		}
	}
	return hashes
}

// Lookups that miss at the same time make one read of the contacts: those
// that overlap share it (TestGroup checks the sharing itself), and the
// interval holds off those that come after it.
func TestPhoneFromContactsShared(t *testing.T) {
	const n = 4
	var started sync.WaitGroup
	started.Add(n)
	release := make(chan struct{})
	inv := newScripted().
		on("contacts.resolvePhone", func(tg.Object) (any, error) {
			started.Done()
			return nil, rpcErr(400, "PHONE_NOT_OCCUPIED")
		}).
		on("contacts.getContacts", func(tg.Object) (any, error) {
			<-release
			return contactList(), nil
		})
	r, _, _ := newResolverWith(t, inv, peer.ResolverOptions{})
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := r.ResolvePeer(context.Background(), fmt.Sprintf("+155500000%02d", i))
			errs <- err
		}()
	}
	started.Wait()
	close(release)
	for range n {
		var pe *peer.PhoneError
		if err := <-errs; !errors.As(err, &pe) {
			t.Errorf("ResolvePeer = %v; want a *PhoneError", err)
		}
	}
	if got := inv.count("contacts.getContacts"); got != 1 {
		t.Errorf("%d concurrent misses made %d reads; want 1", n, got)
	}
}

// A negative ContactsInterval never reads the contacts.
func TestPhoneContactsOff(t *testing.T) {
	inv := newScripted().on("contacts.resolvePhone", func(tg.Object) (any, error) { return nil, rpcErr(400, "PHONE_NOT_OCCUPIED") })
	r, _, _ := newResolverWith(t, inv, peer.ResolverOptions{ContactsInterval: -1})
	var pe *peer.PhoneError
	if _, err := r.ResolvePeer(context.Background(), "+15550000000"); !errors.As(err, &pe) {
		t.Errorf("ResolvePeer = %v", err)
	}
	if calls := inv.names(); !slices.Equal(calls, []string{"contacts.resolvePhone"}) {
		t.Errorf("calls %q", calls)
	}
}

// A failed read of the contacts keeps the phone error and adds its own.
func TestPhoneContactsReadFails(t *testing.T) {
	inv := newScripted().
		on("contacts.resolvePhone", func(tg.Object) (any, error) { return nil, rpcErr(400, "PHONE_NOT_OCCUPIED") }).
		on("contacts.getContacts", func(tg.Object) (any, error) { return nil, rpcErr(420, "FLOOD_WAIT_600") })
	r, _, _ := newResolverWith(t, inv, peer.ResolverOptions{})
	_, err := r.ResolvePeer(context.Background(), "+15550000000")
	var pe *peer.PhoneError
	var fe *peer.FloodError
	if !errors.As(err, &pe) || !errors.As(err, &fe) || fe.Method != "contacts.getContacts" || !errors.Is(err, peer.ErrNotFound) {
		t.Errorf("ResolvePeer = %v; want a *PhoneError that also carries the *FloodError of contacts.getContacts", err)
	}
}
