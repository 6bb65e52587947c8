package pgstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Option configures Open and OpenPool.
type Option func(*options)

type options struct {
	schema string
	cache  int
	now    func() time.Time
	logger *slog.Logger
}

// DefaultSchema is the PostgreSQL schema that holds the tables unless
// Schema says otherwise.
const DefaultSchema = "tgraw"

// DefaultCacheSize is the number of entries (records, and the usernames,
// phone numbers and invite links that lead to them) that a DB keeps in
// memory unless CacheSize says otherwise: some tens of megabytes.
const DefaultCacheSize = 100_000

// Schema sets the PostgreSQL schema that holds the store's tables, created
// if it does not exist. The default is DefaultSchema. Stores in different
// schemas of one database are unrelated.
func Schema(name string) Option { return func(o *options) { o.schema = name } }

// CacheSize bounds the entries the memory cache keeps, those not used for
// longest going first (by the CLOCK rule, close to least recently used); zero or less turns the cache off, and with it the
// connection that listens for other processes' writes.
func CacheSize(entries int) Option { return func(o *options) { o.cache = entries } }

// Clock sets the clock that stamps records and invite links put without a
// time. The default is time.Now.
func Clock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// Logger sets where the DB reports what it recovers from by itself: the
// listening connection lost and made again. The default discards them.
func Logger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// DB is a PostgreSQL database that keeps the peers and sessions of many
// accounts, shared by many processes. A process opens one DB and takes the
// Store of each account it serves from it (Account). It is safe for
// concurrent use.
type DB struct {
	pool     *pgxpool.Pool
	ownsPool bool
	schema   string
	sql      *statements
	now      func() time.Time
	logger   *slog.Logger

	cache  *cache    // nil when turned off
	listen *listener // nil when the cache is off
	origin string    // marks this DB's notifications

	mu       sync.Mutex
	accounts map[string]int32
	closed   bool
}

// ErrClosed is returned by the methods of a closed DB and of its Stores.
var ErrClosed = errors.New("pgstore: closed")

// Open connects to the PostgreSQL database at url (a URL or keyword/value
// string, as pgxpool.ParseConfig reads it: for example
// "postgres://user:password@host:5432/db" or "host=/run/postgresql
// dbname=db"), brings the store's schema up to date and starts listening
// for the writes of other processes. Many processes may Open one database
// at once: migrations run under an advisory lock, one process at a time.
//
// Open fails with a *VersionError if the schema is newer than this package
// knows, and with a *ForeignSchemaError if the schema holds tables that are
// not the store's; neither changes anything.
func Open(ctx context.Context, url string, opts ...Option) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pgstore: open: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: open: %w", err)
	}
	db, err := open(ctx, pool, true, opts)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// OpenPool is Open over a pool the program made. Close leaves the pool
// open. The listening connection is a connection of its own, made with the
// pool's configuration.
func OpenPool(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (*DB, error) {
	return open(ctx, pool, false, opts)
}

func open(ctx context.Context, pool *pgxpool.Pool, owns bool, opts []Option) (*DB, error) {
	o := options{schema: DefaultSchema, cache: DefaultCacheSize, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if err := checkSchemaName(o.schema); err != nil {
		return nil, err
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	db := &DB{
		pool:     pool,
		ownsPool: owns,
		schema:   o.schema,
		sql:      newStatements(o.schema),
		now:      o.now,
		logger:   o.logger,
		origin:   hex.EncodeToString(id[:]),
		accounts: make(map[string]int32),
	}
	if err := migrate(ctx, pool, o.schema); err != nil {
		return nil, err
	}
	if o.cache > 0 {
		db.cache = newCache(o.cache)
		db.listen = startListener(db, pool.Config().ConnConfig)
		// Lookups go to the server until the listener is in place; wait
		// for it a little, so that the cache serves from the start.
		if err := db.listen.waitFirst(ctx); err != nil {
			db.listen.stop()
			return nil, err
		}
	}
	return db, nil
}

// checkSchemaName refuses names PostgreSQL would truncate or cannot hold.
func checkSchemaName(name string) error {
	switch {
	case name == "":
		return errors.New("pgstore: open: empty schema name")
	case len(name) > 63:
		return fmt.Errorf("pgstore: open: schema name %q is longer than PostgreSQL's 63 bytes", name)
	case !utf8.ValidString(name) || strings.ContainsRune(name, 0):
		return fmt.Errorf("pgstore: open: schema name %q is not valid UTF-8 without NUL bytes", name)
	}
	return nil
}

// Close stops listening and closes the pool, if Open made it. Stores of
// the DB return ErrClosed afterwards. Calls after the first return nil.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return nil
	}
	db.closed = true
	db.mu.Unlock()
	if db.listen != nil {
		db.listen.stop()
	}
	if db.ownsPool {
		db.pool.Close()
	}
	return nil
}

func (db *DB) check() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return ErrClosed
	}
	return nil
}

// Pool returns the connection pool of the DB.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Schema returns the PostgreSQL schema that holds the store's tables.
func (db *DB) Schema() string { return db.schema }

// maxAccountName bounds the length of an account's name.
const maxAccountName = 255

// checkAccountName returns an error if name cannot name an account.
func checkAccountName(name string) error {
	switch {
	case name == "":
		return errors.New("pgstore: empty account name")
	case len(name) > maxAccountName:
		return fmt.Errorf("pgstore: account name of %d bytes: at most %d", len(name), maxAccountName)
	case !utf8.ValidString(name) || strings.ContainsRune(name, 0):
		return fmt.Errorf("pgstore: account name %q: want valid UTF-8 without NUL bytes", name)
	}
	return nil
}

// Account returns the Store of the account with the given name (any
// non-empty UTF-8 string of up to 255 bytes: a bot's name, a phone number,
// a tenant's ID), making the account if the database has none of that
// name. Every row of the account is keyed by it: its peers, usernames,
// invite links and session are its own, and no lookup of one account ever
// answers with what another has seen.
//
// Stores are cheap: the account's ID is remembered after the first call.
func (db *DB) Account(ctx context.Context, name string) (*Store, error) {
	if err := checkAccountName(name); err != nil {
		return nil, err
	}
	if err := db.check(); err != nil {
		return nil, err
	}
	db.mu.Lock()
	id, ok := db.accounts[name]
	db.mu.Unlock()
	if !ok {
		var err error
		if id, err = db.accountID(ctx, name); err != nil {
			return nil, fmt.Errorf("pgstore: account %q: %w", name, err)
		}
		db.mu.Lock()
		db.accounts[name] = id
		db.mu.Unlock()
	}
	return newStore(db, name, id), nil
}

// accountID returns the ID of the account, making it if need be.
func (db *DB) accountID(ctx context.Context, name string) (int32, error) {
	// The insert and the select see one snapshot: when another process
	// makes the same account at once, the insert does nothing and the
	// select does not see its row yet; the second round sees it.
	for range 3 {
		var id int32
		err := db.pool.QueryRow(ctx, db.sql.account, name).Scan(&id)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return 0, err
		}
	}
	return 0, errors.New("the account's row could not be made or read")
}

// Accounts returns the names of the accounts the database holds, in
// order.
func (db *DB) Accounts(ctx context.Context) ([]string, error) {
	if err := db.check(); err != nil {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, db.sql.accounts)
	if err != nil {
		return nil, fmt.Errorf("pgstore: list accounts: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("pgstore: list accounts: %w", err)
	}
	return names, nil
}

// DeleteAccount deletes the account and everything kept for it: its
// session (auth keys included), peers, usernames and invite links. It
// returns nil if there is no such account. Stores of the account, here or
// in other processes, fail from then on with an error that says so; a new
// Account call of the name makes a new, empty account.
func (db *DB) DeleteAccount(ctx context.Context, name string) error {
	if err := checkAccountName(name); err != nil {
		return err
	}
	if err := db.check(); err != nil {
		return err
	}
	b := &pgx.Batch{}
	b.Queue("begin")
	b.Queue(db.sql.deleteAccount, name)
	b.Queue(db.sql.notify, db.schema, dropPayload(db.origin))
	b.Queue("commit")
	err := db.pool.SendBatch(ctx, b).Close()
	db.mu.Lock()
	delete(db.accounts, name)
	db.mu.Unlock()
	if db.cache != nil {
		db.cache.reset()
	}
	if err != nil {
		return fmt.Errorf("pgstore: delete account %q: %w", name, err)
	}
	return nil
}
