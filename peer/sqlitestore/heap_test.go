package sqlitestore

import (
	"context"
	"path/filepath"
	"testing"
)

// The heap reserve is taken by the first open store, kept while any is
// open, and freed with the last; closing a store twice gives it back once.
func TestHeapReserve(t *testing.T) {
	ctx := context.Background()
	reserve := func() (stores, blocks int) {
		heapReserve.Lock()
		defer heapReserve.Unlock()
		return heapReserve.stores, len(heapReserve.blocks)
	}
	// Stores other tests left open, if any, hold it too.
	open0, _ := reserve()
	want := func(stores int) (int, int) {
		if stores > 0 {
			return stores, 11 // 16 bytes to 16 KiB
		}
		return 0, 0
	}
	check := func(when string, open int) {
		t.Helper()
		wantStores, wantBlocks := want(open0 + open)
		if stores, blocks := reserve(); stores != wantStores || blocks != wantBlocks {
			t.Errorf("%s: %d stores, %d blocks held, want %d and %d", when, stores, blocks, wantStores, wantBlocks)
		}
	}
	dir := t.TempDir()
	a, err := Open(ctx, filepath.Join(dir, "a.session"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(ctx, filepath.Join(dir, "b.session"))
	if err != nil {
		t.Fatal(err)
	}
	check("two stores open", 2)
	for range 2 {
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
	}
	check("one store open", 1)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	check("both closed", 0)
	// A failed Open takes nothing.
	if _, err := Open(ctx, filepath.Join(dir, "missing", "c.session")); err == nil {
		t.Fatal("Open in a missing directory succeeded")
	}
	check("after a failed Open", 0)
}
