package sqlitestore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"testing"

	"modernc.org/sqlite"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/storetest"
)

// countedDriver is modernc.org/sqlite's driver with a count of the
// statements its connections run (BEGIN and COMMIT included) and of the
// most parameters one of them bound.
const countedDriver = "sqlite-counted"

var counted struct {
	sync.Mutex
	statements, maxArgs int
	queries             []string // the text of each statement that returned rows
}

func init() { sql.Register(countedDriver, countingDriver{}) }

// withCountedDriver opens the store's connections through countedDriver.
func withCountedDriver() Option { return func(o *options) { o.driver = countedDriver } }

// countStatements runs f and returns the statements it ran through
// countedDriver and the most parameters one of them bound.
func countStatements(f func()) (statements, maxArgs int) {
	counted.Lock()
	counted.statements, counted.maxArgs, counted.queries = 0, 0, nil
	counted.Unlock()
	f()
	counted.Lock()
	defer counted.Unlock()
	return counted.statements, counted.maxArgs
}

func countStatement(args int) {
	counted.Lock()
	defer counted.Unlock()
	counted.statements++
	counted.maxArgs = max(counted.maxArgs, args)
}

// sqliteConn is what database/sql uses of a modernc.org/sqlite connection.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ExecerContext
	driver.QueryerContext
	driver.SessionResetter
	driver.Validator
	driver.Pinger
}

type countingDriver struct{}

func (countingDriver) Open(name string) (driver.Conn, error) {
	c, err := (&sqlite.Driver{}).Open(name)
	if err != nil {
		return nil, err
	}
	sc, ok := c.(sqliteConn)
	if !ok {
		c.Close()
		return nil, fmt.Errorf("countingDriver: %T lacks a method database/sql uses", c)
	}
	return countingConn{sc}, nil
}

type countingConn struct{ sqliteConn }

func (c countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	countStatement(0)
	t, err := c.sqliteConn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return countingTx{t}, nil
}

func (c countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	countStatement(len(args))
	return c.sqliteConn.ExecContext(ctx, query, args)
}

func (c countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	countStatement(len(args))
	counted.Lock()
	counted.queries = append(counted.queries, query)
	counted.Unlock()
	return c.sqliteConn.QueryContext(ctx, query, args)
}

type countingTx struct{ driver.Tx }

func (t countingTx) Commit() error {
	countStatement(0)
	return t.Tx.Commit()
}

func (t countingTx) Rollback() error {
	countStatement(0)
	return t.Tx.Rollback()
}

// The statements a batch of a response's 250 peers runs, and the most
// parameters one of them binds: modernc.org/sqlite compiles each statement
// on every run, and one of more than maxCells cells costs more per row
// (values.go).
func TestBatchStatements(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t, withCountedDriver())
	if err := s.Put(ctx, storetest.ResponsePeers(1)...); err != nil {
		t.Fatal(err)
	}
	// The statements of rows rows of cells cells each.
	stmts := func(rows, cells int) int {
		per := maxCells / cells
		return (rows + per - 1) / per
	}
	for _, tc := range []struct {
		name string
		recs []peer.Record
		want int
	}{
		// BEGIN, PRAGMA data_version, the inserts of 250 peers (kind, id,
		// phone, data: two literals, two parameters) and 250 usernames
		// (username, kind, id: a parameter, two literals), COMMIT: the
		// writer knows the file holds none of them, and sends no Load.
		{"new", storetest.ResponsePeers(251), 2 + stmts(250, 6) + stmts(250, 4) + 1},
		// BEGIN, PRAGMA data_version, the updates of 250 peers (kind, id,
		// data), COMMIT: the writer's cache answers the Load.
		{"known", storetest.ResponsePeers(251), 2 + stmts(250, 4) + 1},
	} {
		var err error
		n, maxArgs := countStatements(func() { err = s.Put(ctx, tc.recs...) })
		if err != nil {
			t.Fatal(err)
		}
		if n > tc.want {
			t.Errorf("%s: a batch of %d peers ran %d statements, want at most %d", tc.name, len(tc.recs), n, tc.want)
		}
		// A parameter takes two cells.
		if maxArgs > maxCells/2 {
			t.Errorf("%s: a statement bound %d parameters, want at most %d", tc.name, maxArgs, maxCells/2)
		}
		t.Logf("%s: %d statements, at most %d parameters", tc.name, n, maxArgs)
	}
}
