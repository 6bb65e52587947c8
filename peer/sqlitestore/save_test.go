package sqlitestore

import (
	"context"
	"runtime"
	"testing"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/storetest"
)

// Save writes a batch's statements from room the connection keeps: once a
// batch of a size has been saved, the next one of that size takes a few
// small allocations, not a copy of every record's data and a slice of
// arguments per statement (about 100 KB for 250 new peers).
func TestSaveReusesRoom(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	changes := func(base int64) *peer.IndexChanges {
		c := &peer.IndexChanges{}
		for _, r := range storetest.ResponsePeers(base) {
			c.Records = append(c.Records, peer.RecordChange{Record: peer.Stored{Record: r}, Added: true})
			for _, u := range r.Usernames {
				c.Usernames = append(c.Usernames, peer.UsernameChange{Username: u, New: r.Key})
			}
		}
		return c
	}
	for i, tc := range []struct {
		name string
		// The most bytes Save may allocate.
		most uint64
	}{
		{name: "first batch", most: 1 << 20},
		{name: "second batch", most: 1 << 10},
		{name: "third batch", most: 1 << 10},
	} {
		c := changes(1 + int64(i)*250)
		var bytes uint64
		err := s.ix.Update(ctx, func(it peer.IndexTx) error {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := it.Save(ctx, c)
			runtime.ReadMemStats(&after)
			bytes = after.TotalAlloc - before.TotalAlloc
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		t.Logf("%s: %d bytes", tc.name, bytes)
		if bytes > tc.most {
			t.Errorf("%s: Save of 250 new peers allocated %d bytes; want at most %d", tc.name, bytes, tc.most)
		}
	}
	checkConsistent(t, s)
}
