package sqlitestore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"runtime"
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

// withCountedDriver opens the store's connections through countedDriver,
// and counts the writer connection's statements with theirs.
func withCountedDriver() Option {
	return func(o *options) {
		o.driver = countedDriver
		o.onStatement = func(query string, args int) {
			countStatement(args)
			counted.Lock()
			counted.queries = append(counted.queries, query)
			counted.Unlock()
		}
	}
}

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
// parameters one of them binds; and that the writer compiles each
// statement text once: a second batch of the same shape compiles nothing.
func TestBatchStatements(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t, withCountedDriver())
	if err := s.Put(ctx, storetest.ResponsePeers(1)...); err != nil {
		t.Fatal(err)
	}
	// The statements of a values list of rows rows.
	stmts := func(rows int) int {
		n := 0
		for _, size := range chunkRows {
			n += rows / size
			rows %= size
		}
		return n
	}
	compiled := func() int {
		s.ix.wmu.Lock()
		defer s.ix.wmu.Unlock()
		return len(s.ix.wc.stmts)
	}
	for _, tc := range []struct {
		name string
		recs func(i int64) []peer.Record
		want [2]int // the first batch, the second
	}{
		// BEGIN, PRAGMA data_version, the inserts of 250 peers and of
		// their 250 usernames, COMMIT: the writer knows the file holds
		// none of them, and sends no Load.
		{"new", func(i int64) []peer.Record { return storetest.ResponsePeers(1000 + i*250) }, [2]int{2 + 2*stmts(250) + 1, 2 + 2*stmts(250) + 1}},
		// BEGIN, PRAGMA data_version, the Load, the updates of 250 peers,
		// COMMIT; then the writer's cache answers the Load. (New records
		// are not cached: a peer met again is read back once.)
		{"known", func(int64) []peer.Record { return storetest.ResponsePeers(1) }, [2]int{2 + 1 + stmts(250) + 1, 2 + stmts(250) + 1}},
	} {
		var before int
		for i := range int64(2) {
			var err error
			n, maxArgs := countStatements(func() { err = s.Put(ctx, tc.recs(i)...) })
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.want[i] {
				t.Errorf("%s: batch %d of 250 peers ran %d statements, want %d", tc.name, i+1, n, tc.want[i])
			}
			// kind, id, phone, data
			if maxArgs > 4*chunkRows[0] {
				t.Errorf("%s: a statement bound %d parameters, want at most %d", tc.name, maxArgs, 4*chunkRows[0])
			}
			if i == 0 {
				before = compiled()
			} else if got := compiled(); got != before {
				t.Errorf("%s: the second batch compiled %d statements; want none", tc.name, got-before)
			}
			t.Logf("%s: %d statements, at most %d parameters", tc.name, n, maxArgs)
		}
	}
}

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
	// save stores the batch of 250 new peers at base and returns what its
	// Save allocated. One measurement may count more than reuse leaves: the
	// runtime's counters are the whole process's (a new OS thread's state is
	// about 5 KB), and the room grows once more when a batch's records are
	// longer than any before (batch 5's IDs have one digit more). The bound
	// on later batches is therefore checked against the least of several.
	save := func(base int64) uint64 {
		c := changes(base)
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
			t.Fatalf("batch at %d: %v", base, err)
		}
		return bytes
	}
	if bytes := save(1); bytes > 1<<20 {
		t.Errorf("first batch: Save of 250 new peers allocated %d bytes; want at most %d", bytes, 1<<20)
	}
	const later, most = 4, 1 << 10
	var least uint64
	for i := range later {
		bytes := save(int64(i+1)*250 + 1)
		t.Logf("batch %d: %d bytes", i+2, bytes)
		if i == 0 || bytes < least {
			least = bytes
		}
	}
	if least > most {
		t.Errorf("later batches: Save of 250 new peers allocated at least %d bytes; want at most %d", least, most)
	}
	checkConsistent(t, s)
}
