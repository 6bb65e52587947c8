package pgstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The tests run against the PostgreSQL server whose URL is in
// TGRAW_POSTGRES_URL: scripts/postgres.sh starts a throwaway one and sets
// it (.ci/run does, and so can a developer: see the README). Without it
// they skip, except where a server is part of the test environment
// (TGRAW_POSTGRES_REQUIRED or CI set, as .ci/run sets the first): there
// they fail.
const (
	envURL      = "TGRAW_POSTGRES_URL"
	envDir      = "TGRAW_POSTGRES_DIR" // set by scripts/postgres.sh: restartable
	envRequired = "TGRAW_POSTGRES_REQUIRED"
)

// serverRequired reports that the tests may not skip for want of a
// server.
func serverRequired() bool { return os.Getenv(envRequired) != "" || os.Getenv("CI") != "" }

var (
	shared     *DB // the DB most tests share, in sharedSchema
	sharedOnce sync.Once
	sharedErr  error
	sharedName = "tgraw_test_" + randomHex(6)
	accountSeq atomic.Int64
)

func TestMain(m *testing.M) {
	childMain()
	code := m.Run()
	if shared != nil {
		shared.Close()
		dropSchema(sharedName)
	}
	os.Exit(code)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// serverURL returns the test server's URL; without one it skips t, or
// fails it in CI.
func serverURL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(envURL); u != "" {
		return u
	}
	if serverRequired() {
		t.Fatalf("%s is not set, and a server is required here (%s or CI is set): .ci/run starts one with scripts/postgres.sh", envURL, envRequired)
	}
	t.Skipf("no PostgreSQL server: run `scripts/postgres.sh run go test ./peer/pgstore` from the repository's root (see the README), or set %s to the URL of a database the tests may write to", envURL)
	return ""
}

// sharedDB returns the DB that tests share.
func sharedDB(t testing.TB) *DB {
	t.Helper()
	url := serverURL(t)
	sharedOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		shared, sharedErr = Open(ctx, url, Schema(sharedName))
	})
	if sharedErr != nil {
		t.Fatalf("Open: %v", sharedErr)
	}
	return shared
}

// openDB opens a DB of its own, closed when t ends: another process's
// view of the database, with a cache of its own.
func openDB(t testing.TB, schema string, opts ...Option) *DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := Open(ctx, serverURL(t), append([]Option{Schema(schema)}, opts...)...)
	if err != nil {
		t.Fatalf("Open(schema %s): %v", schema, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// freshSchema returns the name of a schema that does not exist yet,
// dropped when t ends.
func freshSchema(t testing.TB) string {
	t.Helper()
	serverURL(t)
	name := "tgraw_test_" + randomHex(6)
	t.Cleanup(func() { dropSchema(name) })
	return name
}

func dropSchema(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, os.Getenv(envURL))
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE")
}

// newAccount returns the Store of a new account of db.
func newAccount(t testing.TB, db *DB) *Store {
	t.Helper()
	s, err := db.Account(context.Background(), fmt.Sprintf("%s#%d", t.Name(), accountSeq.Add(1)))
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	return s
}

// rawConn returns a connection of its own to the test server.
func rawConn(t testing.TB) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, serverURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
