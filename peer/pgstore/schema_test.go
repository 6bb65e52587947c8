package pgstore

import (
	"context"
	"errors"
	"strings"
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

// Lookups keep their plan however the tables grow: in the generic plan
// PostgreSQL makes of a prepared statement while the tables are empty,
// every row (each element of a batch's Load) is found by an index scan on
// all of its key, and no plan reads the account's rows to join them.
func TestBatchLookupPlans(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, freshSchema(t), CacheSize(0))
	conn, err := db.Pool().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SET plan_cache_mode = force_generic_plan"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, sql, args string
		conds           []string // each index condition the plan must have
	}{
		{"loadKeys", db.sql.loadKeys, "1, '{1,3}', '{5,6}'", []string{"(kind = q.kind) AND (id = q.id)"}},
		{"loadPhones", db.sql.loadPhones, "1, '{15550001,15550002}'", []string{"(phone = q.phone)"}},
		{"loadOwners", db.sql.loadOwners, "1, '{a,b}'", []string{"(username = q.username)"}},
		{"loadOwnerRecords", db.sql.loadOwnerRecords, "1, '{a,b}'", []string{"(username = q.username)", "(kind = u.kind) AND (id = u.id)"}},
		{"peer", db.sql.peer, "1, 1, 5", []string{"(kind = $2) AND (id = $3)"}},
		{"username", db.sql.username, "1, 'a'", []string{"(username = $2)", "(kind = u.kind) AND (id = u.id)"}},
		{"phone", db.sql.phone, "1, '15550001'", []string{"(phone = $2)"}},
		{"invite", db.sql.invite, "1, 'Hash'", []string{"(hash = $2)", "(kind = i.kind) AND (id = i.id)"}},
	} {
		if _, err := conn.Exec(ctx, "PREPARE "+tc.name+" AS "+tc.sql); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		rows, err := conn.Query(ctx, "EXPLAIN EXECUTE "+tc.name+"("+tc.args+")", pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		plan := strings.Join(lines, "\n")
		for _, bad := range []string{"Seq Scan on", "Hash Join", "Merge Join", "Bitmap"} {
			if strings.Contains(plan, bad) {
				t.Errorf("%s: the generic plan has a %s:\n%s", tc.name, bad, plan)
			}
		}
		for _, c := range tc.conds {
			if !strings.Contains(plan, "Index Cond: ((account = $1) AND "+c) {
				t.Errorf("%s: the generic plan has no index scan on account and %s:\n%s", tc.name, c, plan)
			}
		}
	}
}
