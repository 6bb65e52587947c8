package pgstore

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/sqlitestore"
	"github.com/tgraw/tgraw/peer/storetest"
)

// BenchmarkStores runs storetest.Benchmark over every store in one run,
// side by side: the memory store, an SQLite file, and PostgreSQL with its
// memory cache (lookups met before answered from memory) and without it
// (every lookup a round trip to the server).
//
//	scripts/postgres.sh run go test -run '^$' -bench Stores -benchmem ./peer/pgstore
func BenchmarkStores(b *testing.B) {
	b.Run("Memory", func(b *testing.B) {
		storetest.Benchmark(b, func(*testing.B) peer.Store { return peer.NewMemoryStore(peer.MemoryOptions{}) })
	})
	b.Run("SQLite", func(b *testing.B) {
		storetest.Benchmark(b, func(b *testing.B) peer.Store {
			s, err := sqlitestore.Open(context.Background(), filepath.Join(b.TempDir(), "bench.session"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s
		})
	})
	b.Run("Postgres", func(b *testing.B) {
		db := sharedDB(b)
		storetest.Benchmark(b, func(b *testing.B) peer.Store { return newAccount(b, db) })
	})
	b.Run("PostgresNoCache", func(b *testing.B) {
		db := openDB(b, sharedDB(b).Schema(), CacheSize(0))
		storetest.Benchmark(b, func(b *testing.B) peer.Store { return newAccount(b, db) })
	})
}
