package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tgraw/tgraw/peer"
)

// Option configures Open.
type Option func(*options)

type options struct {
	busyTimeout time.Duration
	syncFull    bool
	readers     int
	now         func() time.Time
	writeCache  int
	driver      string // the database/sql driver: modernc.org/sqlite's, or a test's wrapper of it
	noKnown     bool   // no known set: every Load reads the file (tests)
	// onStatement is called with each statement the writer connection
	// runs and its number of arguments (tests).
	onStatement func(query string, args int)
	// checkpoint, if set, replaces the checkpointer's checkpoint (tests).
	checkpoint func(c *conn) int32
}

// BusyTimeout sets how long a statement waits for a lock held by another
// Store or process before it fails with SQLITE_BUSY. The default is 5
// seconds. The writes of one Store never wait on each other's locks: they
// are serialized before they reach SQLite.
func BusyTimeout(d time.Duration) Option {
	return func(o *options) { o.busyTimeout = d }
}

// SyncFull makes every commit wait for the file to reach the disk
// (PRAGMA synchronous = FULL), so that committed peers survive a power loss
// or an operating system crash as well. By default (synchronous = NORMAL in
// WAL mode) a commit survives the process being killed, and only the last
// commits may be lost if the machine itself goes down; the file is never
// corrupted either way.
func SyncFull() Option {
	return func(o *options) { o.syncFull = true }
}

// Readers bounds the number of connections that serve lookups
// concurrently. The default is GOMAXPROCS, at least 2. Writes always go
// through one extra connection of their own.
func Readers(n int) Option {
	return func(o *options) { o.readers = n }
}

// WriteCache bounds the number of records Put keeps in memory between
// batches, so that a batch of peers it read or updated before merges
// without reading them back from the file (a peer it stored as new is
// read back once, when it comes again). The cache is dropped whenever another
// connection (another Store, or another process) has written the file, so
// it never makes Put see old data. Lookups never use it. The default is
// 20,000 records (a few megabytes); zero or less turns it off.
func WriteCache(records int) Option {
	return func(o *options) { o.writeCache = records }
}

// Clock sets the clock that stamps records put without UpdatedAt. The
// default is time.Now.
func Clock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// NotSessionError reports that a file is not a session file: not an SQLite
// database at all, or an SQLite database of another application. The file
// is left as it was.
type NotSessionError struct {
	Path   string
	Reason string
}

func (e *NotSessionError) Error() string {
	return fmt.Sprintf("sqlitestore: %s is not a session file: %s; pass the path of a session file, or of a file that does not exist yet", e.Path, e.Reason)
}

// VersionError reports a session file written with a newer schema than
// this package knows. The file is left as it was.
type VersionError struct {
	Path      string
	Version   int // the file's schema version
	Supported int // the newest version this package knows (SchemaVersion)
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("sqlitestore: %s has schema version %d, newer than the %d this version of tgraw knows; open it with a newer version of tgraw", e.Path, e.Version, e.Supported)
}

// ErrClosed is returned by the methods of a closed Store.
var ErrClosed = errors.New("sqlitestore: store is closed")

// Open opens the session file at path, creating it if it does not exist,
// and brings its schema up to date. The directory must exist.
//
// Open fails with a *NotSessionError for a file that is not a session file,
// with a *VersionError for one written by a newer version of this package
// and with a *ReadOnlyError for a file, or a directory, that the process
// cannot write; none of them changes anything.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := options{busyTimeout: 5 * time.Second, readers: max(2, runtime.GOMAXPROCS(0)), now: time.Now, writeCache: defaultMirrorSize, driver: "sqlite"}
	for _, opt := range opts {
		opt(&o)
	}
	if path == "" {
		return nil, errors.New("sqlitestore: open: empty path; pass the path of the session file, such as \"account.session\"")
	}
	if o.busyTimeout < 0 {
		return nil, fmt.Errorf("sqlitestore: open %s: negative busy timeout %v", path, o.busyTimeout)
	}
	if o.readers < 1 {
		return nil, fmt.Errorf("sqlitestore: open %s: Readers(%d): at least one reader connection is needed", path, o.readers)
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, &NotSessionError{Path: path, Reason: "not a regular file (" + fi.Mode().Type().String() + ")"}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	// Before SQLite opens it: SQLite would open a read-only file for
	// reading only and fail at the first write, and leave -wal and -shm
	// files behind.
	if err := checkWritable(abs, path); err != nil {
		return nil, err
	}

	busy := fmt.Sprintf("busy_timeout(%d)", o.busyTimeout.Milliseconds())
	if o.now == nil {
		o.now = time.Now
	}
	s := &index{path: path, mirror: newMirror(o.writeCache)}
	s.mirror.noKnown = o.noKnown
	// The schema is checked and migrated through database/sql, on a
	// connection of its own; the writer connection takes over once it is
	// done.
	if err := s.init(ctx, o.driver, dsn(abs, busy), o.busyTimeout); err != nil {
		return nil, s.openError(err)
	}
	syncPragma := "PRAGMA synchronous = NORMAL"
	if o.syncFull {
		syncPragma = "PRAGMA synchronous = FULL"
	}
	s.wc, err = openConn(dsn(abs), o.busyTimeout, syncPragma, "PRAGMA temp_store = MEMORY",
		fmt.Sprintf("PRAGMA journal_size_limit = %d", walSizeLimit))
	if err != nil {
		return nil, s.openError(err)
	}
	s.wc.onStatement = o.onStatement
	s.ck, err = startCheckpointer(s.wc, dsn(abs), o.checkpoint, syncPragma)
	if err != nil {
		s.wc.close()
		return nil, s.openError(err)
	}

	s.r, err = sql.Open(o.driver, dsn(abs, busy, "query_only(1)"))
	if err != nil {
		s.ck.stop(s.wc)
		s.wc.close()
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	s.r.SetMaxOpenConns(o.readers)
	s.r.SetMaxIdleConns(o.readers)
	s.r.SetConnMaxLifetime(0)
	s.r.SetConnMaxIdleTime(0)

	// Open one reader now, so that a file other connections cannot read
	// fails here rather than at the first lookup.
	if err := s.r.PingContext(ctx); err != nil {
		s.r.Close()
		s.ck.stop(s.wc)
		s.wc.close()
		return nil, s.openError(err)
	}
	reserveHeap()
	return &Store{IndexedStore: peer.NewIndexedStore(s, o.now), ix: s}, nil
}

// init sets WAL mode and migrates the schema, on a connection of the
// database/sql driver to the data source name.
func (s *index) init(ctx context.Context, driver, name string, busyTimeout time.Duration) error {
	db, err := sql.Open(driver, name)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	// Look before changing anything: WAL mode rewrites the file header,
	// and a file of another application must be left as it was.
	if err := checkFile(ctx, c, s.path); err != nil {
		return fmt.Errorf("reading the schema version: %w", err)
	}
	// Switching a new file to WAL needs it to itself; SQLite reports
	// SQLITE_BUSY at once, without waiting, when another connection (such
	// as another process opening the same new file) holds it. Retry for as
	// long as the busy timeout allows.
	var mode string
	deadline := time.Now().Add(busyTimeout)
	for {
		err := c.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		if err == nil {
			break
		}
		if !isBusy(err) || time.Now().After(deadline) {
			return fmt.Errorf("setting WAL mode: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("cannot use WAL mode (journal mode is %q)", mode)
	}
	if _, _, err = migrate(ctx, c, s.path, migrations); err != nil {
		return fmt.Errorf("migrating the schema: %w", err)
	}
	return nil
}

// openError turns an error met while opening into one that names the file
// and, where it can, says what is wrong with it.
func (s *index) openError(err error) error {
	var nse *NotSessionError
	if errors.As(err, &nse) {
		return nse
	}
	var ve *VersionError
	if errors.As(err, &ve) {
		return ve
	}
	if code, ok := sqliteCode(err); ok {
		switch code & 0xff {
		case sqlite3.SQLITE_NOTADB:
			return &NotSessionError{Path: s.path, Reason: "not an SQLite database"}
		case sqlite3.SQLITE_CORRUPT:
			return &NotSessionError{Path: s.path, Reason: "a damaged SQLite database (" + err.Error() + ")"}
		case sqlite3.SQLITE_CANTOPEN:
			return fmt.Errorf("sqlitestore: open %s: cannot open the file; check that its directory exists and is writable: %w", s.path, err)
		case sqlite3.SQLITE_READONLY:
			return fmt.Errorf("sqlitestore: open %s: the file is read-only; the store needs to write to it and to its -wal and -shm files: %w", s.path, err)
		}
	}
	return fmt.Errorf("sqlitestore: open %s: %w", s.path, err)
}

// isBusy reports whether err is SQLITE_BUSY or SQLITE_LOCKED.
func isBusy(err error) bool {
	code, ok := sqliteCode(err)
	if !ok {
		return false
	}
	c := code & 0xff
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}

// dsn builds a modernc.org/sqlite data source name for the file at the
// absolute path abs with the given per-connection pragmas.
func dsn(abs string, pragmas ...string) string {
	if filepath.VolumeName(abs) != "" {
		// C:\dir\f becomes file:/C:/dir/f, the URI form SQLite expects.
		abs = "/" + filepath.ToSlash(abs)
	}
	var b strings.Builder
	b.WriteString("file:")
	for i := 0; i < len(abs); i++ {
		c := abs[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("/-._~:", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	for i, p := range pragmas {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString("_pragma=")
		b.WriteString(strings.NewReplacer("(", "%28", ")", "%29").Replace(p))
	}
	return b.String()
}
