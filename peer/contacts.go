package peer

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/tgraw/tgraw/tg"
)

// contactList is what a Resolver keeps of the account's contact list: the
// hash of the last list read, so that reading an unchanged list costs one
// small call, and when it was last read.
type contactList struct {
	mu    sync.Mutex
	hash  int64
	read  time.Time
	calls group[struct{}]
}

// fromContacts looks for a phone number in the account's contacts: it
// reads the contact list, if it was not read within the contacts interval,
// stores every contact with its phone number, then looks in the store.
func (r *Resolver) fromContacts(ctx context.Context, phone string) (tg.InputPeerClass, bool, error) {
	if r.opts.ContactsInterval < 0 {
		return nil, false, nil
	}
	// Concurrent lookups share one read.
	if _, err := r.contact.calls.do(ctx, "contacts", r.readContacts); err != nil {
		return nil, false, err
	}
	return r.fromPhoneIndex(ctx, phone)
}

// readContacts reads the contact list with contacts.getContacts unless it
// was read within the contacts interval.
func (r *Resolver) readContacts(ctx context.Context) (struct{}, error) {
	c := &r.contact
	c.mu.Lock()
	now := r.clock.Now()
	if !c.read.IsZero() && now.Sub(c.read) < r.opts.ContactsInterval {
		c.mu.Unlock()
		return struct{}{}, nil
	}
	c.read = now
	hash := c.hash
	c.mu.Unlock()

	res, err := r.api.ContactsGetContacts(ctx, &tg.ContactsGetContactsRequest{Hash: hash})
	if err != nil {
		return struct{}{}, err
	}
	list, ok := res.(*tg.ContactsContacts)
	if !ok {
		return struct{}{}, nil // contacts.contactsNotModified: all stored already
	}
	if err := r.store.Put(ctx, Records(list)...); err != nil {
		return struct{}{}, fmt.Errorf("peer: storing the contacts: %w", err)
	}
	c.mu.Lock()
	c.hash = contactsHash(list)
	c.mu.Unlock()
	return struct{}{}, nil
}

// contactsHash is the hash of a contact list that contacts.getContacts
// takes, by Telegram's rule: the usual 64-bit vector hash of the list's
// saved_count and then the sorted user IDs of its contacts (at most
// 100,000 of them).
func contactsHash(list *tg.ContactsContacts) int64 {
	ids := make([]int64, 0, len(list.Contacts))
	for _, c := range list.Contacts {
		ids = append(ids, c.UserID)
	}
	slices.Sort(ids)
	ids = ids[:min(len(ids), 100_000)]
	h := vectorHash(0, uint64(list.SavedCount))
	for _, id := range ids {
		h = vectorHash(h, uint64(id))
	}
	return int64(h)
}

// vectorHash adds n to the hash h of a vector of numbers, by the hash
// generation algorithm of Telegram's API (core.telegram.org/api/offsets).
func vectorHash(h, n uint64) uint64 {
	h ^= h >> 21
	h ^= h << 35
	h ^= h >> 4
	return h + n
}
