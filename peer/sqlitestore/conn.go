package sqlitestore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
	"unsafe"

	"modernc.org/libc"
	"modernc.org/libc/sys/types"
	sqlite3 "modernc.org/sqlite/lib"
)

// conn is the writer's connection to the file, through modernc.org/sqlite's
// C API (modernc.org/sqlite/lib) rather than database/sql: the driver
// compiles every statement on each run, even a prepared *sql.Stmt, and a
// batch of peers runs the same few statement texts batch after batch.
// conn compiles each text once and keeps it (SQLITE_PREPARE_PERSISTENT),
// binds arguments from one buffer of C memory, and leaves out
// database/sql's conversions. For a batch of 250 new peers this took about
// a seventh off the CPU time (BenchmarkPut250New), and most of the
// allocations.
//
// A conn is not safe for concurrent use: the writer's lock (index.wmu)
// serializes every use but interrupt.
type conn struct {
	tls   *libc.TLS
	db    uintptr
	stmts map[string]uintptr // prepared statements by text

	// buf is C memory that holds the text and blob arguments of the
	// statement being run, bound without a copy (SQLITE_STATIC): they
	// stay put until the next statement binds its own.
	buf    uintptr
	bufLen int

	busyTimeout time.Duration

	// scratch and saves are what a transaction may use while it holds
	// the connection; they keep the room they grew to.
	scratch []byte
	saves   saveScratch

	// onStatement, if set, is called with each statement run and its
	// number of arguments (tests count them).
	onStatement func(query string, args int)

	mu     sync.Mutex // guards itls and db against close while interrupting
	itls   *libc.TLS  // for interrupt, which runs on another goroutine
	closed bool
}

// openConn opens the file at the URI name (see dsn) for writing, with a
// busy timeout, and runs the given pragma statements on it.
func openConn(name string, busyTimeout time.Duration, pragmas ...string) (*conn, error) {
	c := &conn{tls: libc.NewTLS(), itls: libc.NewTLS(), stmts: map[string]uintptr{}, busyTimeout: busyTimeout}
	zName, err := libc.CString(name)
	if err != nil {
		c.freeTLS()
		return nil, err
	}
	defer libc.Xfree(c.tls, zName)
	zVFS, err := registerWALVFS(c.tls)
	if err != nil {
		c.freeTLS()
		return nil, err
	}
	pdb := c.tls.Alloc(8)
	defer c.tls.Free(8)
	binary.NativeEndian.PutUint64(cmem(pdb, 8), 0)
	rc := sqlite3.Xsqlite3_open_v2(c.tls, zName, pdb,
		sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_CREATE|sqlite3.SQLITE_OPEN_URI|sqlite3.SQLITE_OPEN_NOMUTEX, zVFS)
	c.db = cptr(pdb)
	if rc != sqlite3.SQLITE_OK {
		err := c.error(rc)
		c.close()
		return nil, err
	}
	sqlite3.Xsqlite3_extended_result_codes(c.tls, c.db, 1)
	c.setBusyTimeout(busyTimeout)
	for _, p := range pragmas {
		if err := c.exec(context.Background(), p); err != nil {
			c.close()
			return nil, err
		}
	}
	return c, nil
}

// cmem returns the n bytes at p in C memory: memory of modernc.org/libc's
// heap, which the Go collector neither moves nor frees.
func cmem(p uintptr, n int) []byte {
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&p))), n)
}

// cptr returns the pointer stored at p in C memory.
func cptr(p uintptr) uintptr {
	if unsafe.Sizeof(p) == 4 {
		return uintptr(binary.NativeEndian.Uint32(cmem(p, 4)))
	}
	return uintptr(binary.NativeEndian.Uint64(cmem(p, 8)))
}

// sqliteError is an error of SQLite's: its message and result code, as
// modernc.org/sqlite's *sqlite.Error gives them.
type sqliteError struct {
	msg  string
	code int
}

func (e *sqliteError) Error() string { return e.msg }

// Code returns SQLite's extended result code.
func (e *sqliteError) Code() int { return e.code }

// error returns the error of result code rc, with the connection's
// message.
func (c *conn) error(rc int32) error {
	str := libc.GoString(sqlite3.Xsqlite3_errstr(c.tls, rc))
	msg := str
	if c.db != 0 {
		msg = libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db))
	}
	if msg == str {
		return &sqliteError{msg: fmt.Sprintf("%s (%d)", str, rc), code: int(rc)}
	}
	return &sqliteError{msg: fmt.Sprintf("%s: %s (%d)", str, msg, rc), code: int(rc)}
}

// prepare returns the statement of query, compiled at its first use.
func (c *conn) prepare(query string) (uintptr, error) {
	if s, ok := c.stmts[query]; ok {
		return s, nil
	}
	zSQL, err := libc.CString(query)
	if err != nil {
		return 0, err
	}
	defer libc.Xfree(c.tls, zSQL)
	ps := c.tls.Alloc(8)
	defer c.tls.Free(8)
	pTail := c.tls.Alloc(8)
	defer c.tls.Free(8)
	if rc := sqlite3.Xsqlite3_prepare_v3(c.tls, c.db, zSQL, -1, sqlite3.SQLITE_PREPARE_PERSISTENT, ps, pTail); rc != sqlite3.SQLITE_OK {
		return 0, c.error(rc)
	}
	s := cptr(ps)
	if s == 0 {
		return 0, fmt.Errorf("sqlitestore: empty statement %q", query)
	}
	// One statement per text: what follows the first would never run.
	if rest := strings.TrimSpace(libc.GoString(cptr(pTail))); rest != "" && rest != ";" {
		sqlite3.Xsqlite3_finalize(c.tls, s)
		return 0, fmt.Errorf("sqlitestore: more than one statement in %q", query)
	}
	c.stmts[query] = s
	return s, nil
}

// stmt is a statement being run: bound, stepped, and reset by close.
type stmt struct {
	c *conn
	s uintptr
}

// arg is an argument of a statement: NULL, an integer, text or a blob.
// Unlike an interface value, it takes no allocation of its own.
type arg struct {
	typ argType
	n   int64
	s   string // text or blob
}

type argType uint8

const (
	argNull argType = iota
	argInt
	argText
	argBlob
)

func intArg(n int64) arg   { return arg{typ: argInt, n: n} }
func textArg(s string) arg { return arg{typ: argText, s: s} }
func nullArg() arg         { return arg{} }
func blobArg(b []byte) arg { return arg{typ: argBlob, s: string(b)} }

// toArg converts an int64, int, bool, string, []byte or nil.
func toArg(a any) (arg, bool) {
	switch a := a.(type) {
	case nil:
		return nullArg(), true
	case int64:
		return intArg(a), true
	case int:
		return intArg(int64(a)), true
	case bool:
		if a {
			return intArg(1), true
		}
		return intArg(0), true
	case string:
		return textArg(a), true
	case []byte:
		return blobArg(a), true
	}
	return arg{}, false
}

// args converts arguments of the types toArg takes.
func args(query string, list []any) ([]arg, error) {
	out := make([]arg, len(list))
	for i, a := range list {
		var ok bool
		if out[i], ok = toArg(a); !ok {
			return nil, fmt.Errorf("sqlitestore: argument %d of %q: unsupported type %T", i+1, query, a)
		}
	}
	return out, nil
}

// start prepares query, binds args and returns the statement, ready to
// step.
func (c *conn) start(ctx context.Context, query string, args []arg) (stmt, error) {
	if err := ctx.Err(); err != nil {
		return stmt{}, err
	}
	if c.onStatement != nil {
		c.onStatement(query, len(args))
	}
	s, err := c.prepare(query)
	if err != nil {
		return stmt{}, err
	}
	// A statement may leave out the last parameters of a list (selectLoad
	// does): they are not bound.
	n := int(sqlite3.Xsqlite3_bind_parameter_count(c.tls, s))
	if n > len(args) {
		return stmt{}, fmt.Errorf("sqlitestore: %d arguments for the %d parameters of %q", len(args), n, query)
	}
	args = args[:n]
	// Text and blobs are copied into buf, one after another.
	size := 0
	for _, a := range args {
		size += len(a.s)
	}
	if size > c.bufLen {
		if c.buf != 0 {
			libc.Xfree(c.tls, c.buf)
		}
		n := max(size, 2*c.bufLen, 4096)
		if c.buf = libc.Xmalloc(c.tls, types.Size_t(n)); c.buf == 0 {
			c.bufLen = 0
			return stmt{}, errors.New("sqlitestore: out of memory for the arguments of a statement")
		}
		c.bufLen = n
	}
	mem := cmem(c.buf, c.bufLen)
	off := 0
	for i, a := range args {
		var rc int32
		at := int32(i + 1)
		switch a.typ {
		case argNull:
			rc = sqlite3.Xsqlite3_bind_null(c.tls, s, at)
		case argInt:
			rc = sqlite3.Xsqlite3_bind_int64(c.tls, s, at, a.n)
		case argText:
			copy(mem[off:], a.s)
			rc = sqlite3.Xsqlite3_bind_text(c.tls, s, at, c.buf+uintptr(off), int32(len(a.s)), 0)
			off += len(a.s)
		case argBlob:
			copy(mem[off:], a.s)
			rc = sqlite3.Xsqlite3_bind_blob(c.tls, s, at, c.buf+uintptr(off), int32(len(a.s)), 0)
			off += len(a.s)
		}
		if rc != sqlite3.SQLITE_OK {
			err := c.error(rc)
			sqlite3.Xsqlite3_reset(c.tls, s)
			return stmt{}, err
		}
	}
	return stmt{c: c, s: s}, nil
}

// step runs the statement to its next row: true if there is one.
func (st stmt) step(ctx context.Context) (bool, error) {
	switch rc := sqlite3.Xsqlite3_step(st.c.tls, st.s); rc {
	case sqlite3.SQLITE_ROW:
		return true, nil
	case sqlite3.SQLITE_DONE:
		return false, nil
	default:
		if rc&0xff == sqlite3.SQLITE_INTERRUPT && ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, st.c.error(rc)
	}
}

// close resets the statement for its next run.
func (st stmt) close() { sqlite3.Xsqlite3_reset(st.c.tls, st.s) }

// null reports whether column i of the row is NULL.
func (st stmt) null(i int) bool {
	return sqlite3.Xsqlite3_column_type(st.c.tls, st.s, int32(i)) == sqlite3.SQLITE_NULL
}

// int64 returns column i of the row as an integer.
func (st stmt) int64(i int) int64 {
	return sqlite3.Xsqlite3_column_int64(st.c.tls, st.s, int32(i))
}

// text returns column i of the row as text, copied.
func (st stmt) text(i int) string {
	return string(st.bytes(i))
}

// bytes returns column i of the row as text or a blob, valid until the
// statement steps again or closes.
func (st stmt) bytes(i int) []byte {
	p := sqlite3.Xsqlite3_column_blob(st.c.tls, st.s, int32(i))
	n := sqlite3.Xsqlite3_column_bytes(st.c.tls, st.s, int32(i))
	if p == 0 || n <= 0 {
		return nil
	}
	return cmem(p, int(n))
}

// exec runs a statement that returns no rows (or whose rows are not
// wanted) to its end. Arguments are of the types toArg takes.
func (c *conn) exec(ctx context.Context, query string, list ...any) error {
	a, err := args(query, list)
	if err != nil {
		return err
	}
	return c.execArgs(ctx, query, a)
}

// execArgs is exec with arguments already converted.
func (c *conn) execArgs(ctx context.Context, query string, args []arg) error {
	st, err := c.start(ctx, query, args)
	if err != nil {
		return err
	}
	defer st.close()
	for {
		more, err := st.step(ctx)
		if err != nil || !more {
			return err
		}
	}
}

// queryRow runs a statement without parameters and scans the columns of
// its first row into dest (*int64 or *string); it returns errNoRows if
// there is none.
func (c *conn) queryRow(ctx context.Context, query string, dest []any) error {
	st, err := c.start(ctx, query, nil)
	if err != nil {
		return err
	}
	defer st.close()
	found, err := st.step(ctx)
	if err != nil {
		return err
	}
	if !found {
		return errNoRows
	}
	for i, d := range dest {
		switch d := d.(type) {
		case *int64:
			*d = st.int64(i)
		case *string:
			*d = st.text(i)
		default:
			return fmt.Errorf("sqlitestore: cannot scan column %d of %q into %T", i, query, d)
		}
	}
	return nil
}

var errNoRows = errors.New("sqlitestore: no rows")

// setBusyTimeout sets how long a statement waits for another connection's
// lock.
func (c *conn) setBusyTimeout(d time.Duration) {
	sqlite3.Xsqlite3_busy_timeout(c.tls, c.db, int32(min(d.Milliseconds(), math.MaxInt32)))
}

// busyStep is how long BEGIN IMMEDIATE waits for another connection's
// lock at a time before it looks at its context again: SQLite's wait for a
// lock does not end when the statement is interrupted.
const busyStep = 50 * time.Millisecond

// begin starts a write transaction (BEGIN IMMEDIATE), waiting up to the
// busy timeout for another connection's write to end, or until ctx ends.
func (c *conn) begin(ctx context.Context) error {
	if ctx.Done() == nil {
		return c.exec(ctx, "BEGIN IMMEDIATE")
	}
	deadline := time.Now().Add(c.busyTimeout)
	defer c.setBusyTimeout(c.busyTimeout)
	for {
		c.setBusyTimeout(min(busyStep, max(time.Until(deadline), 0)))
		err := c.exec(ctx, "BEGIN IMMEDIATE")
		if err == nil || !isBusy(err) || !time.Now().Before(deadline) {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// watch interrupts the statement running on c when ctx is done, until the
// returned function is called.
func (c *conn) watch(ctx context.Context) (stop func()) {
	done := ctx.Done()
	if done == nil {
		return func() {}
	}
	stopped := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case <-done:
			c.interrupt()
		case <-stopped:
		}
	}()
	return func() {
		close(stopped)
		<-finished
		// An interrupt that came after the last statement ended is
		// cleared by SQLite when the next one starts: none is left
		// running between statements.
	}
}

// interrupt stops the statement running on c, if any.
func (c *conn) interrupt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed && c.db != 0 {
		sqlite3.Xsqlite3_interrupt(c.itls, c.db)
	}
}

// close finalizes the statements and closes the connection.
func (c *conn) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	for _, s := range c.stmts {
		sqlite3.Xsqlite3_finalize(c.tls, s)
	}
	c.stmts = nil
	var err error
	if c.db != 0 {
		if rc := sqlite3.Xsqlite3_close_v2(c.tls, c.db); rc != sqlite3.SQLITE_OK {
			err = c.error(rc)
		}
		c.db = 0
	}
	if c.buf != 0 {
		libc.Xfree(c.tls, c.buf)
		c.buf, c.bufLen = 0, 0
	}
	c.freeTLS()
	return err
}

func (c *conn) freeTLS() {
	c.tls.Close()
	c.itls.Close()
}
