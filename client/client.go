// Package client is an MTProto client for the Telegram API in tgraw's
// own types: Run connects (making an auth key on the first run, reusing
// the saved one after), announces the layer of package tg with
// invokeWithLayer and initConnection, and calls a function; Invoke makes
// any call of package tg, so tg.NewClient, peer.Learner and
// peer.Resolver run over a Client unchanged. Pushed updates go to a
// handler in tg types, in order, with gaps filled; the session, update
// state included, is saved in a session.Storage, and a restart catches up
// on what was missed.
//
// It is made to run for months:
//
//   - Sign-in: SignInBot and SignInUser (a code from the program, and
//     two-step verification with SRP-2048; see package auth) record the
//     account in the session, and Self tells it after a restart with no
//     call.
//   - Data centres: PHONE_MIGRATE, USER_MIGRATE and NETWORK_MIGRATE move
//     the account's home DC (a key made there, the authorization carried
//     over with auth.exportAuthorization and auth.importAuthorization when
//     signed in, the session saved); FILE_MIGRATE and STATS_MIGRATE, and
//     the calls of DC, go to a connection to that DC, authorised the same
//     way, kept in a pool and closed when idle; file transfers use a DC's
//     media-only addresses when help.getConfig lists some; CDN reaches CDN
//     DCs with the keys of help.getCdnConfig. The keys of every DC are
//     saved, so a restart makes no new key exchange.
//   - Reconnection: a dropped connection comes back with backoff
//     (Options.Reconnect), in the same MTProto session; calls that got no
//     answer are sent again and each caller gets exactly one result; a
//     caller that gives up leaves no call behind; new_session_created
//     makes the updates catch up.
//
// A program on this package compiles neither gotd/td's tg nor its
// telegram package: only gotd/td's bin and transport.
//
// Errors of calls are *tgerr.Error for Telegram's rpc_error; the
// connection's are *mtproto.TransportError (a transport error frame) and
// the errors of packages mtproto and exchange.
package client

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"runtime"
	"sync"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/clock"
	"github.com/gotd/td/transport"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/tg"
	"github.com/tgraw/tgraw/updates"
)

// Options configure a Client. The zero value connects to Telegram's
// production DC 2 with a session kept in memory.
type Options struct {
	// DC is the data centre to start from when the session names none;
	// 2 by default.
	DC int
	// DCList is where DC addresses come from before help.getConfig
	// answers: ProductionDCs, or TestDCs with Test, by default.
	DCList []tg.DCOption
	// Test connects to Telegram's test servers.
	Test bool
	// PublicKeys are the servers' RSA keys; Telegram's published keys by
	// default. CDN DCs' keys come from help.getCdnConfig.
	PublicKeys []*rsa.PublicKey

	// Session keeps the session between runs; in memory by default.
	// peer/sqlitestore keeps it in the same file as the peers.
	Session session.Storage
	// Peers, when set, stores every user and chat of every result and
	// update (a peer.Learner) before the caller or UpdateHandler sees
	// it, and gives the access hashes of channels whose updates are
	// fetched after a restart.
	Peers peer.Store
	// UpdateHandler receives the updates of the account, in order, with
	// gaps and the time the client was not running filled by
	// updates.getDifference (see package updates). Nil: updates are not
	// followed.
	UpdateHandler updates.Handler

	// Device describes the client in initConnection.
	Device Device

	// Dial opens TCP connections; a net.Dialer by default.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Transport is the MTProto transport: &transport.Intermediate by
	// default; Abridged, PaddedIntermediate and Full work too.
	Transport *transport.Protocol
	// Clock is the time source; the system clock by default.
	Clock clock.Clock
	// Logger gets the client's events; nothing by default. No key
	// material is ever logged.
	Logger *slog.Logger
	// PingInterval is how often each connection is pinged; see
	// mtproto.Options.
	PingInterval time.Duration

	// DialTimeout bounds the opening of each TCP connection with its
	// transport handshake; 10 seconds by default.
	DialTimeout time.Duration
	// Reconnect is how a dropped connection comes back: see Backoff.
	Reconnect Backoff
	// CallTimeout bounds each call, reconnections included, when its
	// context has no earlier deadline: 1 minute by default; negative for
	// none.
	CallTimeout time.Duration
	// CallRetries is how many times a call that Telegram answered with an
	// internal error (code 500, or -503 Timeout) is made again, with the
	// waits of Reconnect between tries, and how many times a call on a
	// connection to another DC that was given up is sent on a new one: 3
	// by default; negative for none.
	CallRetries int
	// IdleTimeout closes a connection to another DC (files, CDN, other
	// DCs' calls) that has made no call for this long: 1 minute by
	// default.
	IdleTimeout time.Duration
}

// Backoff is how a connection is made again after it dropped: the first
// attempt at once, then after Min, twice as long after each failure, up
// to Max, each wait up to a fifth longer at random so that many clients
// do not come back at the same moment. A connection that worked (the
// server's messages came through) starts again from the first attempt.
type Backoff struct {
	// Min and Max bound the waits: 500 ms and 30 s by default.
	Min, Max time.Duration
	// Attempts is how many attempts in a row may fail before the
	// connection is given up (Run ends with the error when it is the
	// account's); 0, the default, tries for as long as Run runs.
	Attempts int
}

// delay is the wait before attempt n (counting from 0).
func (b Backoff) delay(n int) time.Duration {
	if n <= 0 {
		return 0
	}
	d := b.Min
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	return d + rand.N(d/5+1)
}

// Device is what initConnection says about the client.
type Device struct {
	DeviceModel    string // "tgraw" by default
	SystemVersion  string // runtime.GOOS/runtime.GOARCH by default
	AppVersion     string // "tgraw" by default
	SystemLangCode string // "en" by default
	LangPack       string // "" (language packs are for official apps)
	LangCode       string // "en" by default
}

func (o *Options) setDefaults() {
	if o.DC == 0 {
		o.DC = 2
	}
	if o.DCList == nil {
		o.DCList = ProductionDCs
		if o.Test {
			o.DCList = TestDCs
		}
	}
	if o.Session == nil {
		o.Session = &session.Memory{}
	}
	if o.Dial == nil {
		o.Dial = (&net.Dialer{}).DialContext
	}
	if o.Transport == nil {
		o.Transport = &transport.Intermediate
	}
	if o.Clock == nil {
		o.Clock = clock.System
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = 10 * time.Second
	}
	if o.Reconnect.Min <= 0 {
		o.Reconnect.Min = 500 * time.Millisecond
	}
	if o.Reconnect.Max < o.Reconnect.Min {
		o.Reconnect.Max = max(30*time.Second, o.Reconnect.Min)
	}
	if o.CallTimeout == 0 {
		o.CallTimeout = time.Minute
	}
	if o.CallRetries == 0 {
		o.CallRetries = 3
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = time.Minute
	}
	d := &o.Device
	if d.DeviceModel == "" {
		d.DeviceModel = "tgraw"
	}
	if d.SystemVersion == "" {
		d.SystemVersion = runtime.GOOS + "/" + runtime.GOARCH
	}
	if d.AppVersion == "" {
		d.AppVersion = "tgraw"
	}
	if d.SystemLangCode == "" {
		d.SystemLangCode = "en"
	}
	if d.LangCode == "" {
		d.LangCode = "en"
	}
}

// Client is a Telegram API client. Its Invoke may be called from any
// goroutine while Run runs.
type Client struct {
	appID   int
	appHash string
	opts    Options
	log     *slog.Logger
	learner *peer.Learner

	saveMu    sync.Mutex // serializes session saves
	migrateMu sync.Mutex // one move of the home DC at a time
	mu        sync.Mutex
	sess      *session.Session
	config    *tg.Config
	cdn       *tg.CDNConfig
	run       *runState // nil outside Run
}

// runState is what one Run has: its context, its connections, and the
// channels of its update loop.
type runState struct {
	ctx  context.Context
	fail context.CancelCauseFunc // ends the Run with a cause
	home *dcConn
	pool map[poolKey]*poolEntry
	all  []*dcConn // every connection opened, to wait for at the end

	updateEvents chan struct{} // the server may have lost updates
	updateQueue  chan []byte
	signIns      chan struct{} // the account signed in or out
}

// New returns a client for the application with the api_id and api_hash
// of my.telegram.org.
func New(appID int, appHash string, opts Options) *Client {
	opts.setDefaults()
	c := &Client{appID: appID, appHash: appHash, opts: opts, log: opts.Logger}
	if opts.Peers != nil {
		c.learner = peer.NewLearner(opts.Peers, func(err error) {
			c.log.Warn("client: storing peers failed", "error", err)
		})
	}
	return c
}

// ErrNotRunning is the error of Invoke outside Run.
var ErrNotRunning = errors.New("client: not connected: call Invoke inside the function Run runs")

// Invoke sends a call to the account's DC and decodes its result: any
// function of package tg with its result type. Errors of Telegram are
// *tgerr.Error; redirections to other DCs are followed.
func (c *Client) Invoke(ctx context.Context, input bin.Encoder, output bin.Decoder) error {
	return c.invoker(target{}).Invoke(ctx, input, output)
}

// DC returns an Invoker whose calls go to data centre dc: the account's
// connection when dc is its DC, else a connection of the pool, on which
// a signed-in account is authorised with auth.exportAuthorization and
// auth.importAuthorization. File transfers go to the DC's media-only
// addresses when help.getConfig lists some.
func (c *Client) DC(dc int) tg.Invoker { return c.invoker(target{dc: dc}) }

// CDN returns an Invoker whose calls go to the CDN data centre dc, from
// help.getConfig's list, with an auth key made with the RSA keys of
// help.getCdnConfig. No authorization is carried there: CDN DCs serve
// upload.getCdnFile to anyone with the file's token.
func (c *Client) CDN(dc int) tg.Invoker { return c.invoker(target{dc: dc, cdn: true}) }

// invoker is the client's Invoker for calls to t, with the learner in
// front when Options.Peers is set.
func (c *Client) invoker(t target) tg.Invoker {
	var inv tg.Invoker = targetInvoker{c, t}
	if c.learner != nil && !t.cdn {
		inv = c.learner.Wrap(inv)
	}
	return inv
}

// targetInvoker makes calls on one target, without the learner.
type targetInvoker struct {
	c *Client
	t target
}

func (i targetInvoker) Invoke(ctx context.Context, in bin.Encoder, out bin.Decoder) error {
	if i.c.opts.CallTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, i.c.opts.CallTimeout)
		defer cancel()
	}
	return i.c.call(ctx, i.t, in, out)
}

// API returns a tg.Client over c.
func (c *Client) API() *tg.Client { return tg.NewClient(c) }

// Config returns the configuration help.getConfig gave when the client
// last connected to the account's DC: the DC list, limits, this DC. Nil
// before.
func (c *Client) Config() *tg.Config {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.config
}

// Session returns a copy of the session as it stands, nil before the
// first Run or Self.
func (c *Client) Session() *session.Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == nil {
		return nil
	}
	return c.sess.Clone()
}

// loadSession reads the session from the storage: a new one for a
// storage that has none.
func (c *Client) loadSession(ctx context.Context) (*session.Session, error) {
	sess, err := c.opts.Session.Load(ctx)
	switch {
	case errors.Is(err, session.ErrNotFound):
		sess = &session.Session{DC: c.opts.DC, Test: c.opts.Test}
	case err != nil:
		return nil, fmt.Errorf("client: load the session: %w", err)
	case sess.Test != c.opts.Test:
		return nil, fmt.Errorf("client: the session is for Telegram's %s servers, the client for its %s ones: use another session",
			servers(sess.Test), servers(c.opts.Test))
	}
	return sess, nil
}

func servers(test bool) string {
	if test {
		return "test"
	}
	return "production"
}

// Run connects, calls f and disconnects when f returns. A dropped
// connection comes back as Options.Reconnect says, the calls waiting on it
// answered once it has; f's context ends when the account's connection
// cannot be made again (or its auth key is gone), and Run then returns
// that error. The session is saved as it changes and when Run returns.
func (c *Client) Run(ctx context.Context, f func(ctx context.Context) error) error {
	sess, err := c.loadSession(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	rs := &runState{
		ctx: ctx, fail: cancel,
		pool:         map[poolKey]*poolEntry{},
		updateEvents: make(chan struct{}, 1),
		updateQueue:  make(chan []byte, updateQueueSize),
		signIns:      make(chan struct{}, 1),
	}
	c.mu.Lock()
	if c.run != nil {
		c.mu.Unlock()
		return errors.New("client: Run is already running")
	}
	c.sess, c.run = sess, rs
	c.mu.Unlock()

	err = c.startHome(ctx, rs, !sess.AuthKey.IsZero())
	if err == nil {
		var wg sync.WaitGroup
		if c.opts.UpdateHandler != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.updatesLoop(ctx, rs)
			}()
		}
		err = f(ctx)
		if cause := context.Cause(ctx); err != nil && cause != nil && !errors.Is(cause, context.Canceled) {
			// f failed because the connection did.
			err = cause
		}
		cancel(context.Canceled)
		wg.Wait()
	}
	cancel(context.Canceled)
	c.stopAll(rs)
	c.mu.Lock()
	c.run = nil
	c.mu.Unlock()
	return err
}

// stopAll waits until every connection of the run has ended (the run's
// context is done); each saves its salt and clock offset as it ends.
func (c *Client) stopAll(rs *runState) {
	c.mu.Lock()
	all := rs.all
	c.mu.Unlock()
	for _, d := range all {
		<-d.done
	}
}

// runState returns the state of the current Run, or ErrNotRunning.
func (c *Client) runState() (*runState, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.run == nil {
		return nil, ErrNotRunning
	}
	return c.run, nil
}

// update changes the session and saves it.
func (c *Client) update(ctx context.Context, change func(*session.Session)) error {
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	c.mu.Lock()
	if c.sess == nil {
		c.mu.Unlock()
		return ErrNotRunning
	}
	change(c.sess)
	s := c.sess.Clone()
	c.mu.Unlock()
	return c.opts.Session.Save(ctx, s)
}

// sleep waits d on the client's clock, or until ctx ends.
func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := c.opts.Clock.Timer(d)
	defer clock.StopTimer(t)
	select {
	case <-t.C():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
