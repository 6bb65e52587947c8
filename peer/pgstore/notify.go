package pgstore

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"

	"github.com/tgraw/tgraw/peer"
)

// A write notifies, on the channel named after the schema and in the
// transaction that commits it, what it changed, so that the caches of
// other processes drop those entries. PostgreSQL delivers a notification
// when, and only if, its transaction commits, in the order of the commits.
//
// A payload is text, one item a line:
//
//	ORIGIN ACCOUNT        the DB that wrote, and the account's ID
//	k KIND ID             a record changed
//	u "USERNAME"          the owner of a username changed (Go-quoted, ASCII)
//	p PHONE               the holder of a phone number changed
//	i "HASH"              an invite link changed
//
// "ORIGIN drop" says that an account was deleted, "ORIGIN sync N" answers
// DB.Sync. A write that changes more than fits in one payload (PostgreSQL
// takes less than 8000 bytes) sends several.

// maxPayload bounds a payload's length.
const maxPayload = 7900

// changes is what one write changed, for the caches.
type changes struct {
	account int32
	keys    []peer.Key
	names   []string
	phones  []string
	invites []string
}

// payloads returns the notifications of c from origin.
func (c *changes) payloads(origin string) []string {
	head := origin + " " + strconv.Itoa(int(c.account))
	var (
		out []string
		b   strings.Builder
	)
	b.WriteString(head)
	add := func(item string) {
		if b.Len()+1+len(item) > maxPayload {
			out = append(out, b.String())
			b.Reset()
			b.WriteString(head)
		}
		b.WriteByte('\n')
		b.WriteString(item)
	}
	for _, k := range c.keys {
		add("k " + strconv.Itoa(int(k.Kind)) + " " + strconv.FormatInt(k.ID, 10))
	}
	for _, u := range c.names {
		add("u " + strconv.QuoteToASCII(u))
	}
	for _, p := range c.phones {
		add("p " + strconv.QuoteToASCII(p))
	}
	for _, h := range c.invites {
		add("i " + strconv.QuoteToASCII(h))
	}
	if b.Len() > len(head) {
		out = append(out, b.String())
	}
	return out
}

func dropPayload(origin string) string { return origin + " drop" }

func syncPayload(origin string, n uint64) string {
	return origin + " sync " + strconv.FormatUint(n, 10)
}

// notice is a notification read.
type notice struct {
	origin string
	drop   bool
	sync   uint64 // non-zero for a sync
	changes
}

// parsePayload reads a notification. An error means the cache cannot tell
// what changed.
func parsePayload(p string) (notice, error) {
	var n notice
	head, rest, _ := strings.Cut(p, "\n")
	f := strings.Fields(head)
	switch {
	case len(f) == 2 && f[1] == "drop":
		n.origin, n.drop = f[0], true
		return n, nil
	case len(f) == 3 && f[1] == "sync":
		v, err := strconv.ParseUint(f[2], 10, 64)
		if err != nil || v == 0 {
			return n, fmt.Errorf("bad sync number in %q", head)
		}
		n.origin, n.sync = f[0], v
		return n, nil
	case len(f) != 2:
		return n, fmt.Errorf("bad first line %q", head)
	}
	n.origin = f[0]
	a, err := strconv.ParseInt(f[1], 10, 32)
	if err != nil {
		return n, fmt.Errorf("bad account in %q", head)
	}
	n.account = int32(a)
	for line := range strings.SplitSeq(rest, "\n") {
		what, arg, ok := strings.Cut(line, " ")
		if !ok {
			return n, fmt.Errorf("bad line %q", line)
		}
		switch what {
		case "k":
			ks, is, _ := strings.Cut(arg, " ")
			kind, err1 := strconv.ParseUint(ks, 10, 8)
			id, err2 := strconv.ParseInt(is, 10, 64)
			if err1 != nil || err2 != nil {
				return n, fmt.Errorf("bad key line %q", line)
			}
			n.keys = append(n.keys, peer.Key{Kind: peer.Kind(kind), ID: id})
		case "u", "p", "i":
			s, err := strconv.Unquote(arg)
			if err != nil {
				return n, fmt.Errorf("bad line %q", line)
			}
			switch what {
			case "u":
				n.names = append(n.names, s)
			case "p":
				n.phones = append(n.phones, s)
			default:
				n.invites = append(n.invites, s)
			}
		default:
			return n, fmt.Errorf("bad line %q", line)
		}
	}
	return n, nil
}

// listener keeps a connection that listens to the DB's channel and applies
// what arrives to the cache.
type listener struct {
	db     *DB
	cancel context.CancelFunc
	done   chan struct{}

	first     chan struct{} // closed at the first LISTEN or the first failure
	firstOnce sync.Once
	firstErr  error

	mu      sync.Mutex
	next    uint64
	waiters map[uint64]chan struct{}
}

// reconnectDelay is how long the listener waits before connecting again.
const reconnectDelay = 500 * time.Millisecond

func startListener(db *DB, cfg *pgx.ConnConfig) *listener {
	ctx, cancel := context.WithCancel(context.Background())
	l := &listener{db: db, cancel: cancel, done: make(chan struct{}), first: make(chan struct{}), waiters: make(map[uint64]chan struct{})}
	cfg = cfg.Copy()
	if cfg.DialFunc != nil || strings.HasPrefix(cfg.Host, "/") {
		// The program's dialer, or a Unix socket: nothing to tune.
	} else {
		// A dead server or network is noticed by keepalives within half a
		// minute; until then the cache would keep what it has.
		d := &net.Dialer{Timeout: 10 * time.Second, KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: 10 * time.Second, Interval: 5 * time.Second, Count: 3}}
		cfg.DialFunc = d.DialContext
	}
	pl := &pgxlisten.Listener{
		Connect: func(ctx context.Context) (*pgx.Conn, error) {
			l.lost()
			return pgx.ConnectConfig(ctx, cfg)
		},
		LogError: func(ctx context.Context, err error) {
			l.lost()
			if ctx.Err() != nil {
				return
			}
			l.firstOnce.Do(func() {
				l.firstErr = err
				close(l.first)
			})
			db.logger.Warn("pgstore: the connection listening for other processes' writes failed; lookups read the server until it is back", "error", err)
		},
		ReconnectDelay: reconnectDelay,
	}
	pl.Handle(db.schema, l)
	go func() {
		defer close(l.done)
		_ = pl.Listen(ctx)
	}()
	return l
}

// waitFirst waits for the listener's first LISTEN, or its first failure
// (then lookups read the server until it listens), or the end of ctx.
func (l *listener) waitFirst(ctx context.Context) error {
	select {
	case <-l.first:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("pgstore: open: waiting for the listening connection: %w", ctx.Err())
	}
}

func (l *listener) stop() {
	l.cancel()
	<-l.done
	l.lost()
}

// lost turns the cache off and releases the waiters of Sync: with the
// cache off, lookups read the server.
func (l *listener) lost() {
	l.db.cache.down()
	l.mu.Lock()
	for n, ch := range l.waiters {
		close(ch)
		delete(l.waiters, n)
	}
	l.mu.Unlock()
}

// HandleBacklog implements pgxlisten.BacklogHandler: it is called once the
// connection listens, when every later write will be notified.
func (l *listener) HandleBacklog(context.Context, string, *pgx.Conn) error {
	l.db.cache.up()
	l.firstOnce.Do(func() { close(l.first) })
	return nil
}

// HandleNotification implements pgxlisten.Handler.
func (l *listener) HandleNotification(_ context.Context, nt *pgconn.Notification, _ *pgx.Conn) error {
	n, err := parsePayload(nt.Payload)
	if err != nil {
		// Something else writes on the channel: what changed is unknown.
		l.db.cache.reset()
		l.db.logger.Warn("pgstore: a notification this version cannot read; the cache was emptied", "pid", nt.PID, "error", err)
		return nil
	}
	if n.origin != l.db.origin {
		l.apply(&n)
		return nil
	}
	if n.sync != 0 {
		l.mu.Lock()
		if ch, ok := l.waiters[n.sync]; ok {
			close(ch)
			delete(l.waiters, n.sync)
		}
		l.mu.Unlock()
	}
	// This DB's own writes changed its cache when they committed.
	return nil
}

// apply drops the entries another process's write changed.
func (l *listener) apply(n *notice) {
	c := l.db.cache
	switch {
	case n.sync != 0:
		return
	case n.drop:
		l.db.forgetAccounts()
		c.reset()
		return
	}
	for _, k := range n.keys {
		c.invalidate(peerKey(n.account, k))
	}
	for _, u := range n.names {
		c.invalidate(stringKey(n.account, cUsername, u))
	}
	for _, p := range n.phones {
		c.invalidate(stringKey(n.account, cPhone, p))
	}
	for _, h := range n.invites {
		c.invalidate(stringKey(n.account, cInvite, h))
	}
}

// sync waits until the listener has read every notification of writes
// committed before the call.
func (l *listener) sync(ctx context.Context) error {
	if !l.db.cache.live.Load() {
		return nil
	}
	ch := make(chan struct{})
	l.mu.Lock()
	l.next++
	n := l.next
	l.waiters[n] = ch
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		delete(l.waiters, n)
		l.mu.Unlock()
	}()
	if !l.db.cache.live.Load() {
		return nil
	}
	if _, err := l.db.pool.Exec(ctx, l.db.sql.notify, l.db.schema, syncPayload(l.db.origin, n)); err != nil {
		return err
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Sync waits until the cache has seen every write that other processes
// committed before the call: lookups made after Sync returns see them. It
// takes a round trip to the server and back through the listening
// connection. Without it, another process's write reaches the cache when
// its notification arrives, which on a local network is well within a
// millisecond of the commit; this process's own writes are in its cache
// when Put returns.
func (db *DB) Sync(ctx context.Context) error {
	if err := db.check(); err != nil {
		return err
	}
	if db.listen == nil {
		return nil
	}
	if err := db.listen.sync(ctx); err != nil {
		return fmt.Errorf("pgstore: sync: %w", err)
	}
	return nil
}

// CacheStats returns counts of the memory cache; zero when it is off.
func (db *DB) CacheStats() CacheStats { return db.cache.stats() }

// forgetAccounts drops the remembered account IDs: an account was
// deleted.
func (db *DB) forgetAccounts() {
	db.mu.Lock()
	clear(db.accounts)
	db.mu.Unlock()
}
