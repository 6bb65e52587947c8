package pgstore

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tgraw/tgraw/peer"
)

// Many workers open a new schema at once: one migrates it, the others wait
// for the lock and find it current; none fails.
func TestMigrateConcurrently(t *testing.T) {
	schema := freshSchema(t)
	const workers = 8
	var wg sync.WaitGroup
	errs := make([]error, workers)
	dbs := make([]*DB, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dbs[i], errs[i] = Open(context.Background(), serverURL(t), Schema(schema), CacheSize(0))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("worker %d: %v", i, err)
		} else {
			defer dbs[i].Close()
		}
	}
	if t.Failed() {
		return
	}
	var v int
	if err := rawConn(t).QueryRow(context.Background(), "SELECT version FROM "+pgx.Identifier{schema}.Sanitize()+".schema_version").Scan(&v); err != nil || v != SchemaVersion {
		t.Errorf("schema version %d (%v); want %d", v, err, SchemaVersion)
	}
	s, err := dbs[0].Account(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(context.Background(), peer.Record{Key: peer.UserKey(1), AccessHash: 1, HasHash: true}); err != nil {
		t.Errorf("Put into the migrated schema: %v", err)
	}
}

// A schema migrated by a newer version is refused, and left as it was.
func TestNewerSchemaRefused(t *testing.T) {
	schema := freshSchema(t)
	openDB(t, schema, CacheSize(0))
	conn := rawConn(t)
	q := pgx.Identifier{schema}.Sanitize()
	if _, err := conn.Exec(context.Background(), "UPDATE "+q+".schema_version SET version = 99"); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), serverURL(t), Schema(schema))
	var ve *VersionError
	if !errors.As(err, &ve) || ve.Version != 99 || ve.Supported != SchemaVersion {
		t.Fatalf("Open of a newer schema: %v; want a *VersionError", err)
	}
	var v int
	if err := conn.QueryRow(context.Background(), "SELECT version FROM "+q+".schema_version").Scan(&v); err != nil || v != 99 {
		t.Errorf("the version became %d (%v)", v, err)
	}
}

// A schema with another application's tables is refused, and left as it
// was.
func TestForeignSchemaRefused(t *testing.T) {
	schema := freshSchema(t)
	conn := rawConn(t)
	q := pgx.Identifier{schema}.Sanitize()
	if _, err := conn.Exec(context.Background(), "CREATE SCHEMA "+q+"; CREATE TABLE "+q+".peers (x int)"); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), serverURL(t), Schema(schema))
	var fe *ForeignSchemaError
	if !errors.As(err, &fe) || fe.Tables != 1 {
		t.Fatalf("Open of another application's schema: %v; want a *ForeignSchemaError", err)
	}
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM pg_tables WHERE schemaname = $1", schema).Scan(&n); err != nil || n != 1 {
		t.Errorf("the schema has %d tables (%v); want its one", n, err)
	}
}

// A schema that exists already, empty, as a database administrator may
// make it for the store, is migrated in place.
func TestMigrateIntoExistingEmptySchema(t *testing.T) {
	schema := freshSchema(t)
	if _, err := rawConn(t).Exec(context.Background(), "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	db := openDB(t, schema)
	s := newAccount(t, db)
	if err := s.Put(context.Background(), peer.Record{Key: peer.ChatKey(1), Title: "t"}); err != nil {
		t.Fatal(err)
	}
}
