package sqlitestore

import (
	"context"

	"github.com/tgraw/tgraw/peer"
)

// defaultMirrorSize bounds the records the writer keeps in memory.
const defaultMirrorSize = 20_000

// mirror is what the writer connection knows of the file: the records,
// username owners and phone holders that its last transactions read or
// updated, exactly as the file holds them. A batch's Load takes from it
// what it would otherwise read, so a batch of peers met before (the common
// case: the same chats and users come back in response after response)
// reads nothing. Records a batch adds are left out (update): a peer met
// again is read back once, and then kept.
//
// The mirror is only right while no other connection writes the file.
// PRAGMA data_version, read on the writer connection inside each write
// transaction, changes exactly when another connection (another Store, or
// another process) has committed since; the mirror is then dropped. Writes
// are serialized, so the mirror needs no lock of its own: only the
// transaction that holds the writer connection touches it.
type mirror struct {
	max     int
	version int64 // data_version when the mirror was last known right
	seen    bool  // version was read: no other connection wrote since
	valid   bool
	peers   map[peer.Key]peer.Stored
	names   map[string]peer.Key // owners; a username not here is unknown
	phones  map[string]peer.Key // holders; the zero Key for none

	// known rules out what the file does not hold; it is kept even when
	// max turns the records off.
	known known
	// noKnown turns known off (tests of the Load from the file).
	noKnown bool
}

func newMirror(max int) *mirror {
	m := &mirror{max: max}
	m.reset()
	return m
}

// reset empties the mirror. The maps keep the room they grew to (clear
// does not shrink a map), bounded by max records: a writer that refills
// the mirror after it overflowed does not grow them again, which took
// about a sixth of the bytes a batch of new peers allocated.
func (m *mirror) reset() {
	m.valid = false
	if m.peers == nil {
		m.peers = make(map[peer.Key]peer.Stored)
		m.names = make(map[string]peer.Key)
		m.phones = make(map[string]peer.Key)
		return
	}
	clear(m.peers)
	clear(m.names)
	clear(m.phones)
}

// sync drops the mirror, and marks known stale, if another connection
// wrote the file since the mirror was last right, and fills known when it
// is due. Called inside a write transaction.
func (m *mirror) sync(ctx context.Context, c *conn) error {
	if m.max <= 0 && m.noKnown {
		return nil
	}
	var v int64
	if err := c.queryRow(ctx, "PRAGMA data_version", []any{&v}); err != nil {
		return err
	}
	if !m.seen || v != m.version {
		m.known.stale()
	}
	if !m.valid || v != m.version {
		m.reset()
		m.valid = m.max > 0
	}
	m.version, m.seen = v, true
	if m.noKnown || m.known.ok {
		return nil
	}
	var pages int64
	if err := c.queryRow(ctx, "PRAGMA page_count", []any{&pages}); err != nil {
		return err
	}
	if m.known.due(pages) {
		return m.known.fill(ctx, c)
	}
	return nil
}

// update records the state a committed transaction left: what it read,
// then what it wrote.
func (m *mirror) update(t *tx) {
	m.known.update(t)
	if m.max <= 0 || !m.valid {
		return
	}
	n := 0
	for _, st := range t.states {
		n += len(st.Records)
	}
	for _, c := range t.changes {
		n += len(c.Records)
	}
	if len(m.peers)+n > m.max {
		// Start over rather than track use: simple, and the next batches
		// fill it again with what is current.
		v := m.version
		m.reset()
		m.version, m.valid = v, true
	}
	// A phone number asked for and not found has no holder; one found
	// is held by the user read with it.
	for _, q := range t.queries {
		for _, p := range q.Phones {
			m.phones[p] = peer.Key{}
		}
	}
	for _, st := range t.states {
		for _, s := range st.Records {
			m.peers[s.Key] = s
			// The invariant: a record's usernames name it.
			for _, u := range s.Usernames {
				m.names[u] = s.Key
			}
			if s.Key.Kind == peer.KindUser && s.Phone != "" {
				m.phones[s.Phone] = s.Key
			}
		}
		for _, o := range st.Owners {
			m.names[o.Username] = o.Key
		}
	}
	for _, c := range t.changes {
		for _, ch := range c.Records {
			k := ch.Record.Key
			if ch.Added {
				continue
			}
			m.peers[k] = ch.Record
			if k.Kind != peer.KindUser || ch.OldPhone == ch.Record.Phone {
				continue
			}
			if p := ch.OldPhone; p != "" {
				if h, ok := m.phones[p]; !ok || h == k {
					m.phones[p] = peer.Key{}
				}
			}
			if p := ch.Record.Phone; p != "" {
				m.phones[p] = k
			}
		}
		// Records the batch added are not kept: for a batch of new peers
		// that took as long as writing them, and one met again is read
		// back once. What the mirror knew of their usernames and phone
		// numbers is forgotten: the file says who holds them now.
		for _, ch := range c.Records {
			if r := &ch.Record; ch.Added && r.Key.Kind == peer.KindUser && r.Phone != "" {
				delete(m.phones, r.Phone)
			}
		}
		for _, u := range c.Usernames {
			if _, kept := m.peers[u.New]; u.New.IsZero() || !kept {
				delete(m.names, u.Username)
			} else {
				m.names[u.Username] = u.New
			}
		}
	}
}

// drop forgets everything, after a transaction that did not commit.
func (m *mirror) drop() { m.reset() }
