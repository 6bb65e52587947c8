package sqlitestore

import (
	"context"

	"github.com/tgraw/tgraw/peer"
)

// known is what the writer knows the file may hold: a fingerprint of every
// peer key, username and user's phone number in it. What it does not hold
// the file does not hold either, so a batch's Load asks the file only for
// what the writer's mirror does not know and known does not rule out: a
// batch of peers met for the first time reads nothing. Two values may share
// a fingerprint (about one in 4 billion pairs): a value that only looks
// known is read from the file and found missing, as it would be without
// known. Usernames and phone numbers that leave the file stay in the set, with
// the same effect.
//
// A fingerprint takes 4 bytes in an open-addressed table kept between
// three eighths and three quarters full: a peer with a username and a
// phone number (three fingerprints) costs 16 to 32 bytes, a file of a
// million such peers 16 to 32 MB (BenchmarkKnownFill reports it per peer:
// about 21 bytes).
//
// known is right as of the file's PRAGMA data_version that the mirror
// holds (mirror.version); another connection's commit makes it stale
// (mirror.sync). A stale set is filled again from the file once the writer
// has written uninterrupted for long enough to repay the reading of the
// whole file (due); until then Load reads from the file whatever the
// mirror does not know, as it would without known.
type known struct {
	set fingerprints
	ok  bool // set is right: filled, and no other connection wrote since
	// streak counts the writes since set went stale with no other
	// connection's commit between them.
	streak int

	// fps is room the writer reuses batch after batch: the fingerprints
	// of a Load or an update.
	fps []uint32
}

// Fingerprint domains: a key, a username and a phone number never share
// one by their bytes alone.
const (
	fpKey      = 'k'
	fpUsername = 'u'
	fpPhone    = 'p'
)

// FNV-1a, 64 bits, folded to 32: fixed, so that the same values make the
// same fingerprints in every process and every run.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// fingerprint is the fingerprint of the bytes of s in domain.
func fingerprint[S string | []byte](domain byte, s S) uint32 {
	h := uint64(fnvOffset)
	h = (h ^ uint64(domain)) * fnvPrime
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return uint32(h>>32) ^ uint32(h)
}

func fingerprintKey(k peer.Key) uint32 {
	h := uint64(fnvOffset)
	h = (h ^ fpKey) * fnvPrime
	h = (h ^ uint64(k.Kind)) * fnvPrime
	for i := 0; i < 64; i += 8 {
		h = (h ^ uint64(byte(uint64(k.ID)>>i))) * fnvPrime
	}
	return uint32(h>>32) ^ uint32(h)
}

// filter drops from ids (of users, chats and channels), phones and
// usernames what the file cannot hold, and returns the phone numbers and
// usernames left: the lists keep their order and their arrays. It looks
// everything up in one pass over the set (see fingerprints.prefetch).
// Without a right set the file may hold anything: nothing is dropped.
func (kn *known) filter(ids *[3][]int64, phones, usernames []string) ([]string, []string) {
	if !kn.ok {
		return phones, usernames
	}
	fps := kn.fps[:0]
	for i, l := range ids {
		for _, id := range l {
			fps = append(fps, fingerprintKey(peer.Key{Kind: peer.Kind(i + 1), ID: id}))
		}
	}
	for _, p := range phones {
		fps = append(fps, fingerprint(fpPhone, p))
	}
	for _, u := range usernames {
		fps = append(fps, fingerprint(fpUsername, u))
	}
	kn.fps = fps
	kn.set.prefetch(fps)
	for i, l := range ids {
		ids[i], fps = keepHeld(&kn.set, l, fps)
	}
	phones, fps = keepHeld(&kn.set, phones, fps)
	usernames, _ = keepHeld(&kn.set, usernames, fps)
	return phones, usernames
}

// keepHeld keeps, in l's array, the values of l whose fingerprints, the
// first len(l) of fps in l's order, the set holds; it returns them and
// the fingerprints after l's.
func keepHeld[T any](f *fingerprints, l []T, fps []uint32) ([]T, []uint32) {
	kept := l[:0]
	for i, v := range l {
		if f.has(fps[i]) {
			kept = append(kept, v)
		}
	}
	return kept, fps[len(l):]
}

// stale marks the set as no longer right, and starts the streak over:
// another connection has committed.
func (kn *known) stale() { kn.ok, kn.streak = false, 0 }

// fillPagesPerWrite is how many pages of the file a stale set waits one
// write for, with no other connection's commit between them, before it is
// filled again. Filling reads the whole file at about 50 µs a page
// (BenchmarkKnownFill: 2,850 pages, 50,000 peers, 140 ms), and a batch of
// new peers that sends no Load saves about 1 ms: a writer never spends
// much more on filling than filling saves it, even while other processes
// keep writing the file, and a new or small file is filled at the first
// write.
const fillPagesPerWrite = 16

// due reports whether a stale set should be filled in this write, the file
// being pages pages long, and counts the write.
func (kn *known) due(pages int64) bool {
	if kn.ok {
		return false
	}
	kn.streak++
	return int64(kn.streak) > pages/fillPagesPerWrite
}

// fill reads the file's keys, usernames and users' phone numbers. Called
// inside a write transaction: nothing changes the file meanwhile.
func (kn *known) fill(ctx context.Context, c *conn) error {
	kn.set.clear()
	kn.ok = false
	rows, err := c.start(ctx, `SELECT kind, id, NULL FROM peers
UNION ALL SELECT NULL, NULL, 'p' || phone FROM peers WHERE phone IS NOT NULL AND kind = 1
UNION ALL SELECT NULL, NULL, 'u' || username FROM usernames`, nil)
	if err != nil {
		return err
	}
	defer rows.close()
	for {
		more, err := rows.step(ctx)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		if !rows.null(0) {
			kn.set.add(fingerprintKey(peer.Key{Kind: peer.Kind(rows.int64(0)), ID: rows.int64(1)}))
		} else if text := rows.bytes(2); len(text) > 0 {
			kn.set.add(fingerprint(text[0], text[1:]))
		}
	}
	kn.ok, kn.streak = true, 0
	return nil
}

// update adds what a committed transaction wrote.
func (kn *known) update(t *tx) {
	if !kn.ok {
		return
	}
	fps := kn.fps[:0]
	for _, c := range t.changes {
		for _, ch := range c.Records {
			r := &ch.Record
			if ch.Added {
				fps = append(fps, fingerprintKey(r.Key))
			}
			if r.Key.Kind == peer.KindUser && r.Phone != "" {
				fps = append(fps, fingerprint(fpPhone, r.Phone))
			}
		}
		for _, u := range c.Usernames {
			if !u.New.IsZero() {
				fps = append(fps, fingerprint(fpUsername, u.Username))
			}
		}
	}
	kn.fps = fps
	kn.set.addAll(fps)
}

// fingerprints is a set of fingerprints: an open-addressed table with
// linear probing, 0 marking a free slot (the fingerprint 0 is kept as 1).
type fingerprints struct {
	slots []uint32 // a power of two long
	n     int
	sink  uint32 // what prefetch read, kept so that its reads stay
}

// slot returns where fp's search starts: the top bits of fp times the
// golden ratio, so that fingerprints that differ in any bit spread.
func (f *fingerprints) slot(fp uint32) int {
	return int((uint64(fp*0x9e3779b1) * uint64(len(f.slots))) >> 32)
}

func (f *fingerprints) has(fp uint32) bool {
	if f.n == 0 {
		return false
	}
	fp = max(fp, 1)
	mask := len(f.slots) - 1
	for i := f.slot(fp); ; i = (i + 1) & mask {
		switch f.slots[i] {
		case fp:
			return true
		case 0:
			return false
		}
	}
}

func (f *fingerprints) add(fp uint32) {
	if (f.n+1)*4 > len(f.slots)*3 {
		f.grow()
	}
	fp = max(fp, 1)
	mask := len(f.slots) - 1
	for i := f.slot(fp); ; i = (i + 1) & mask {
		switch f.slots[i] {
		case fp:
			return
		case 0:
			f.slots[i] = fp
			f.n++
			return
		}
	}
}

// prefetch reads the slot where the search of each of fps starts, before
// any search. A table of a large file lies mostly outside the processor's
// caches, and each search starts with a miss: read one after another,
// independent of each other, the misses overlap rather than follow one
// another, and the searches then find their slots in the cache. Adding
// the 700 fingerprints of a batch of 250 new peers took 24 µs rather than
// 52 in the set of a file of 50,000 peers, and 74 µs rather than 157 in
// one of 250,000 (BenchmarkFingerprintsAdd).
func (f *fingerprints) prefetch(fps []uint32) {
	if len(f.slots) == 0 {
		return
	}
	var sink uint32
	for _, fp := range fps {
		sink |= f.slots[f.slot(max(fp, 1))]
	}
	f.sink = sink
}

// addAll adds fps.
func (f *fingerprints) addAll(fps []uint32) {
	// Growing first: prefetch reads the slots of the table added to.
	for (f.n+len(fps))*4 > len(f.slots)*3 {
		f.grow()
	}
	f.prefetch(fps)
	for _, fp := range fps {
		f.add(fp)
	}
}

// grow doubles the table.
func (f *fingerprints) grow() {
	old := f.slots
	f.slots, f.n = make([]uint32, max(1024, 2*len(old))), 0
	for _, fp := range old {
		if fp != 0 {
			f.add(fp)
		}
	}
}

// clear empties the set, keeping its room.
func (f *fingerprints) clear() {
	clear(f.slots)
	f.n = 0
}
