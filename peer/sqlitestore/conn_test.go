package sqlitestore

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tgraw/tgraw/peer"

	sqlite3 "modernc.org/sqlite/lib"
)

// The writer connection binds every kind of argument, reads every kind of
// column, keeps one compiled statement per text, and refuses what it
// cannot run with an error naming it.
func TestConn(t *testing.T) {
	ctx := context.Background()
	c, err := openConn(dsn(filepath.Join(t.TempDir(), "conn.db")), 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if err := c.exec(ctx, `CREATE TABLE t (i INTEGER, s TEXT, b BLOB, n)`); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 10_000) // larger than the first buffer
	for _, row := range [][]any{
		{int64(-7), "text", []byte{0, 1, 2}, nil},
		{42, long, []byte{}, true},
	} {
		if err := c.exec(ctx, `INSERT INTO t VALUES (?, ?, ?, ?)`, row...); err != nil {
			t.Fatal(err)
		}
	}
	st, err := c.start(ctx, `SELECT i, s, b, n FROM t ORDER BY rowid`, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		more, err := st.step(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !more {
			break
		}
		got = append(got, strings.Join([]string{
			strconv.FormatInt(st.int64(0), 10),
			st.text(1)[:4], string(st.bytes(2)), map[bool]string{true: "null", false: "set"}[st.null(3)],
		}, "|"))
	}
	st.close()
	want := []string{"-7|text|\x00\x01\x02|null", "42|xxxx||set"}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("rows = %q; want %q", got, want)
	}
	var n int64
	if err := c.queryRow(ctx, `SELECT count(*) FROM t`, []any{&n}); err != nil || n != 2 {
		t.Errorf("count = %d, %v", n, err)
	}
	if err := c.queryRow(ctx, `SELECT i FROM t WHERE i > 1000`, []any{&n}); !errors.Is(err, errNoRows) {
		t.Errorf("queryRow of no rows = %v; want errNoRows", err)
	}
	before := len(c.stmts)
	if err := c.exec(ctx, `INSERT INTO t VALUES (?, ?, ?, ?)`, 1, "a", nil, nil); err != nil {
		t.Fatal(err)
	}
	if len(c.stmts) != before {
		t.Errorf("running a statement again compiled it again")
	}
	for _, tc := range []struct {
		query string
		args  []any
		want  string
	}{
		{`INSERT INTO t VALUES (?, ?, ?, ?)`, []any{1.5, "", nil, nil}, "unsupported type float64"},
		{`INSERT INTO t VALUES (?, ?, ?, ?)`, []any{1}, "1 arguments for the 4 parameters"},
		{`SELECT 1; SELECT 2`, nil, "more than one statement"},
		{`SELEKT 1`, nil, "syntax error"},
		{``, nil, "empty statement"},
	} {
		if err := c.exec(ctx, tc.query, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("exec(%q) = %v; want an error containing %q", tc.query, err, tc.want)
		}
	}
	// SQLite's errors keep their code.
	err = c.exec(ctx, `INSERT INTO nowhere VALUES (1)`)
	if code, ok := sqliteCode(err); !ok || code&0xff != sqlite3.SQLITE_ERROR {
		t.Errorf("error %v: code %d, %v; want SQLITE_ERROR", err, code, ok)
	}
	// A cancelled context runs nothing.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := c.exec(cctx, `INSERT INTO t VALUES (9, NULL, NULL, NULL)`); !errors.Is(err, context.Canceled) {
		t.Errorf("exec with a cancelled context = %v", err)
	}
	if err := c.close(); err != nil {
		t.Errorf("close: %v", err)
	}
	if err := c.close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}

// A Put waiting for another connection's write lock stops when its context
// ends, long before the busy timeout, and stores nothing.
func TestPutInterruptedWhileWaiting(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "locked.session")
	s := openAt(t, path, BusyTimeout(20*time.Second))
	db := rawDB(t, path)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Put(tctx, peer.Record{Key: peer.UserKey(1)}) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Put = %v; want context.DeadlineExceeded", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Put still waiting for the lock after its context ended")
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	// The store still writes.
	if err := s.Put(ctx, peer.Record{Key: peer.UserKey(2)}); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := s.Peer(ctx, peer.UserKey(1)); found {
		t.Error("the interrupted Put stored its record")
	}
}
