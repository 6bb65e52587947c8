package mtproto

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/gotd/td/clock"
	"github.com/gotd/td/transport"

	"github.com/tgraw/tgraw/mt"
	"github.com/tgraw/tgraw/mtcrypto"
)

// Options configure a Conn.
type Options struct {
	// Key is the auth key (required).
	Key mtcrypto.AuthKey
	// Salt is the server salt to start with: from the key exchange or
	// the session storage. A wrong one costs one bad_server_salt.
	Salt int64
	// TimeOffset is the server's time minus the local time, from the key
	// exchange or the session storage.
	TimeOffset time.Duration
	// SessionID is the session to use; a random one by default (the
	// usual case: a new session for each connection).
	SessionID int64

	// Handler receives the body of every message the server sends on its
	// own that is not an MTProto service message: updates, as the TL
	// bytes of an Updates constructor. It is called from the read loop,
	// one message at a time and in order, so it must return quickly (hand
	// the bytes to another goroutine). b is the handler's to keep.
	Handler func(b []byte)
	// OnSession is called when the server reports new_session_created:
	// it may have lost updates the client should fetch.
	OnSession func()
	// OnState is called when the salt, the time offset or the session
	// changes, so that the caller can save them.
	OnState func(State)

	// Clock is the time source of message IDs, pings and acks; the
	// system clock by default.
	Clock clock.Clock
	// Rand is the source of padding, session and ping IDs; crypto/rand
	// by default.
	Rand io.Reader
	// Logger receives dropped messages (warning) and the connection's
	// events (debug); nothing by default. No key material is logged.
	Logger *slog.Logger

	// PingInterval is how often the connection sends
	// ping_delay_disconnect (1 minute by default); PingTimeout is how long
	// it waits for the pong before it gives the connection up (15 seconds
	// by default). The server closes the connection PingInterval +
	// PingTimeout after the last ping. A negative PingInterval sends no
	// pings.
	PingInterval time.Duration
	PingTimeout  time.Duration
	// AckDelay is how long acknowledgements of the server's messages may
	// wait for a message to ride along with (15 seconds by default); 16
	// waiting acknowledgements are sent at once.
	AckDelay time.Duration
	// CompressAbove is the size of a query, in bytes, above which it goes
	// out as gzip_packed when that is smaller (1024 by default; negative:
	// never).
	CompressAbove int
	// Names names the constructors of the API for logs and errors
	// (tg.Name, say); MTProto's own are always named.
	Names func(id uint32) string
	// MaxDropped is how many messages in a row may fail the checks
	// before the connection fails (10 by default).
	MaxDropped int
}

func (o *Options) setDefaults() {
	if o.Clock == nil {
		o.Clock = clock.System
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.PingInterval == 0 {
		o.PingInterval = time.Minute
	}
	if o.PingTimeout <= 0 {
		o.PingTimeout = 15 * time.Second
	}
	if o.AckDelay <= 0 {
		o.AckDelay = 15 * time.Second
	}
	if o.CompressAbove == 0 {
		o.CompressAbove = 1024
	}
	if o.MaxDropped <= 0 {
		o.MaxDropped = 10
	}
}

// State is what a connection learns that a session keeps.
type State struct {
	SessionID  int64
	Salt       int64
	TimeOffset time.Duration
}

// ErrClosed is the error of calls on a connection that has stopped.
var ErrClosed = errors.New("mtproto: connection closed")

// Limits of the protocol.
const (
	maxContainerMessages = 1024    // messages in a container
	maxContainerBytes    = 1 << 19 // bytes of the messages of a container we send
	maxAcks              = 8192    // msg_ids in one msgs_ack
	ackBatch             = 16      // waiting acks that are sent at once
	windowSize           = 512     // msg_ids kept to refuse duplicates
	maxFuture            = 30 * time.Second
	maxPast              = 300 * time.Second
)

// Conn is one encrypted MTProto session: an auth key, a session_id, its
// msg_ids and seqnos, and the calls waiting for answers, over one
// transport connection at a time. Invoke may be called from any number of
// goroutines, also between transports; Serve runs the session over its
// transport, and Reconnect gives it a new one after a drop, on which the
// calls still unanswered are sent again.
type Conn struct {
	opts Options
	log  *slog.Logger
	key  mtcrypto.AuthKey

	mu         sync.Mutex
	conn       transport.Conn // the transport; nil after a drop, until Reconnect
	ids        *MsgIDs
	session    int64
	oldSession int64 // the session before a reset, whose answers are still taken
	seq        int32 // content-related messages sent in this session
	salt       int64
	salts      []mt.FutureSalt
	pending    map[int64]*request // sent, by msg_id, awaiting an answer
	sent       *sentLog           // the frames sent last
	queue      []*outgoing        // waiting for the writer
	acks       []int64            // server msg_ids to acknowledge
	window     window
	dropped    int   // messages dropped in a row
	received   int64 // messages that passed the checks, over every transport

	wake    chan struct{} // the writer has something to send
	ackWait chan struct{} // the first ack is waiting
	done    chan struct{} // closed by Close
	err     error         // why the connection was closed, set before done is closed
	closed  bool
	serving chan struct{}           // while Serve runs: closed when it returns
	stop    context.CancelCauseFunc // while Serve runs: ends it
}

// New returns a connection on conn with the options' key and session.
// Nothing is sent before Serve (or Run).
func New(conn transport.Conn, opts Options) (*Conn, error) {
	opts.setDefaults()
	if opts.Key.IsZero() {
		return nil, errors.New("mtproto: no auth key")
	}
	c := &Conn{
		conn:    conn,
		opts:    opts,
		log:     opts.Logger,
		key:     opts.Key,
		ids:     NewMsgIDs(opts.Clock.Now, opts.TimeOffset),
		session: opts.SessionID,
		salt:    opts.Salt,
		pending: map[int64]*request{},
		sent:    newSentLog(1024),
		wake:    make(chan struct{}, 1),
		ackWait: make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	if c.session == 0 {
		id, err := c.random64()
		if err != nil {
			return nil, err
		}
		c.session = id
	}
	return c, nil
}

func (c *Conn) random64() (int64, error) {
	var b [8]byte
	if _, err := io.ReadFull(c.opts.Rand, b[:]); err != nil {
		return 0, fmt.Errorf("mtproto: random source: %w", err)
	}
	return int64(binary.LittleEndian.Uint64(b[:])), nil
}

// State returns the connection's session, salt and time offset.
func (c *Conn) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stateLocked()
}

func (c *Conn) stateLocked() State {
	return State{SessionID: c.session, Salt: c.salt, TimeOffset: c.ids.Offset()}
}

// notifyState calls OnState with s, outside the lock.
func (c *Conn) notifyState(s State) {
	if c.opts.OnState != nil {
		c.opts.OnState(s)
	}
}

// Received returns how many messages from the server have passed the
// checks, over every transport the connection had: a caller that
// reconnects can tell a transport that worked from one that failed at
// once.
func (c *Conn) Received() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.received
}

// Done is closed when the connection is closed; Err then says why.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err returns why the connection was closed, or nil while it is open.
func (c *Conn) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

// Run serves the connection until ctx is done or the transport fails, and
// then closes it: every call still waiting fails with an error wrapping
// ErrClosed and the cause. It is Serve and Close, for a connection that is
// not to outlive its transport.
func (c *Conn) Run(ctx context.Context) error {
	err := c.Serve(ctx)
	c.Close(err)
	return err
}

// Serve runs the connection over its transport until ctx is done, the
// transport fails or Close is called: it reads and checks the server's
// messages, sends queued calls and acknowledgements, and pings. It closes
// the transport when it returns, and returns why it stopped: ctx's cause
// when ctx ended, an error wrapping ErrClosed after Close.
//
// The calls that got no answer stay waiting, and new calls are queued:
// after Reconnect, the next Serve sends them in the same session, each
// under its first msg_id inside a container (so that a server that did
// get it answers it once rather than running it twice), or under a new
// msg_id once the first is too old for the server to accept. A call whose
// context ends in between is dropped, and so is its answer if one comes.
func (c *Conn) Serve(ctx context.Context) error {
	c.mu.Lock()
	switch {
	case c.closed:
		c.mu.Unlock()
		return fmt.Errorf("%w: %w", ErrClosed, c.err)
	case c.serving != nil:
		c.mu.Unlock()
		return errors.New("mtproto: Serve called while the connection is served")
	case c.conn == nil:
		c.mu.Unlock()
		return errors.New("mtproto: no transport: Reconnect gives one")
	}
	tconn := c.conn
	ctx, cancel := context.WithCancelCause(ctx)
	served := make(chan struct{})
	c.serving, c.stop, c.dropped = served, cancel, 0
	more := len(c.queue) > 0 || len(c.acks) > 0
	c.mu.Unlock()
	if more {
		c.signal(c.wake)
	}

	var wg sync.WaitGroup
	run := func(f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx); err != nil {
				cancel(err)
			}
		}()
	}
	run(func(ctx context.Context) error { return c.readLoop(ctx, tconn) })
	run(func(ctx context.Context) error { return c.writeLoop(ctx, tconn) })
	run(c.ackLoop)
	if c.opts.PingInterval > 0 {
		run(c.pingLoop)
	}
	<-ctx.Done()
	err := context.Cause(ctx)
	_ = tconn.Close() // unblocks the read loop
	wg.Wait()

	c.mu.Lock()
	c.requeueLocked()
	if c.conn == tconn {
		c.conn = nil
	}
	c.serving, c.stop = nil, nil
	if c.closed {
		err = fmt.Errorf("%w: %w", ErrClosed, c.err)
	}
	c.mu.Unlock()
	close(served)
	return err
}

// requeueLocked puts the calls sent and not answered back in the queue,
// oldest first and ahead of the calls never sent, to go out again on the
// next transport. c.mu is held.
func (c *Conn) requeueLocked() {
	if len(c.pending) == 0 {
		return
	}
	ids := slices.Sorted(maps.Keys(c.pending))
	front := make([]*outgoing, 0, len(ids)+len(c.queue))
	for _, id := range ids {
		r := c.pending[id]
		front = append(front, &outgoing{req: r, body: r.body, content: true, resend: true})
	}
	c.pending = map[int64]*request{}
	c.queue = append(front, c.queue...)
}

// Reconnect gives the connection a new transport after Serve returned;
// the next Serve runs on it.
func (c *Conn) Reconnect(conn transport.Conn) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return fmt.Errorf("%w: %w", ErrClosed, c.err)
	case c.serving != nil:
		return errors.New("mtproto: Reconnect called while the connection is served")
	}
	if c.conn != nil && c.conn != conn {
		_ = c.conn.Close()
	}
	c.conn = conn
	return nil
}

// Close closes the connection for good: it stops Serve, closes the
// transport, and fails every call still waiting with an error wrapping
// ErrClosed and err. Later calls fail the same way. Close may be called
// more than once; the first err stays.
func (c *Conn) Close(err error) {
	if err == nil {
		err = errors.New("closed")
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.err = err
	served, stop := c.serving, c.stop
	c.mu.Unlock()
	if stop != nil {
		stop(err)
		<-served
	}

	c.mu.Lock()
	if c.conn != nil {
		_ = c.conn.Close()
		c.conn = nil
	}
	waiting := make([]*request, 0, len(c.pending)+len(c.queue))
	for _, r := range c.pending {
		waiting = append(waiting, r)
	}
	for _, o := range c.queue {
		if o.req != nil {
			waiting = append(waiting, o.req)
		}
	}
	c.pending = map[int64]*request{}
	c.queue = nil
	c.mu.Unlock()
	closed := fmt.Errorf("%w: %w", ErrClosed, err)
	for _, r := range waiting {
		r.deliver(nil, closed)
	}
	close(c.done)
}
