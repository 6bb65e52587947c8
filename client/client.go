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
	"net"
	"runtime"
	"sync"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/clock"
	"github.com/gotd/td/transport"

	"github.com/tgraw/tgraw/mtproto"
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
	// default.
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
	// PingInterval is how often the connection is pinged; see
	// mtproto.Options.
	PingInterval time.Duration
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

	saveMu sync.Mutex // serializes session saves
	mu     sync.Mutex
	sess   *session.Session
	conn   *mtproto.Conn // nil outside Run
	config *tg.Config
	// updateEvents wakes the updates loop: a new session on the server.
	updateEvents chan struct{}
	updateQueue  chan []byte
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

// Invoke sends a call and decodes its result: any function of package tg
// with its result type. Errors of Telegram are *tgerr.Error.
func (c *Client) Invoke(ctx context.Context, input bin.Encoder, output bin.Decoder) error {
	if c.learner != nil {
		return c.learner.Wrap(rawInvoker{c}).Invoke(ctx, input, output)
	}
	return c.invoke(ctx, input, output)
}

// rawInvoker is the client without its learner.
type rawInvoker struct{ c *Client }

func (r rawInvoker) Invoke(ctx context.Context, in bin.Encoder, out bin.Decoder) error {
	return r.c.invoke(ctx, in, out)
}

func (c *Client) invoke(ctx context.Context, input bin.Encoder, output bin.Decoder) error {
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	if conn == nil {
		return ErrNotRunning
	}
	return conn.Invoke(ctx, input, output)
}

// API returns a tg.Client over c.
func (c *Client) API() *tg.Client { return tg.NewClient(c) }

// Config returns the configuration help.getConfig gave when the client
// connected: the DC list, limits, this DC. Nil before.
func (c *Client) Config() *tg.Config {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.config
}

// Session returns a copy of the session as it stands.
func (c *Client) Session() *session.Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == nil {
		return nil
	}
	return c.sess.Clone()
}

// Run connects, calls f and disconnects when f returns. f's context ends
// when the connection fails; Run then returns the connection's error. The
// session is saved as it changes and when Run returns.
func (c *Client) Run(ctx context.Context, f func(ctx context.Context) error) error {
	sess, err := c.opts.Session.Load(ctx)
	switch {
	case errors.Is(err, session.ErrNotFound):
		sess = &session.Session{DC: c.opts.DC, Test: c.opts.Test}
	case err != nil:
		return fmt.Errorf("client: load the session: %w", err)
	case sess.Test != c.opts.Test:
		return fmt.Errorf("client: the session is for Telegram's %s servers, the client for its %s ones: use another session",
			servers(sess.Test), servers(c.opts.Test))
	}
	c.mu.Lock()
	c.sess = sess
	c.mu.Unlock()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	conn, connDone, err := c.start(ctx, cancel, !sess.AuthKey.IsZero())
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	if c.opts.UpdateHandler != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.updatesLoop(ctx)
		}()
	}
	ferr := f(ctx)
	if cause := context.Cause(ctx); ferr != nil && cause != nil && !errors.Is(cause, context.Canceled) {
		// f failed because the connection did.
		ferr = cause
	}
	cancel(context.Canceled)
	wg.Wait()
	return c.stop(conn, connDone, ferr)
}

// start connects and makes the first call. A saved auth key the server
// does not know (transport error -404: the key was revoked or the server
// lost it) is dropped, and a new one made, once.
func (c *Client) start(ctx context.Context, cancel context.CancelCauseFunc, savedKey bool) (*mtproto.Conn, chan error, error) {
	for {
		conn, err := c.connect(ctx)
		if err != nil {
			return nil, nil, err
		}
		connCtx, stopConn := context.WithCancel(ctx)
		connDone := make(chan error, 1)
		go func() { connDone <- conn.Run(connCtx) }()
		err = c.init(ctx, conn)
		if err == nil {
			go func() {
				defer stopConn()
				select {
				case err := <-connDone:
					cancel(err)
					connDone <- err
				case <-ctx.Done():
				}
			}()
			return conn, connDone, nil
		}
		// Stop this connection alone, not ctx.
		stopConn()
		<-connDone
		c.mu.Lock()
		c.conn = nil
		c.mu.Unlock()
		var te *mtproto.TransportError
		if savedKey && errors.As(err, &te) && te.Code == mtproto.CodeAuthKeyNotFound {
			c.log.Warn("client: the server does not know the saved auth key; making a new one")
			if ferr := c.forgetKey(ctx); ferr != nil {
				return nil, nil, ferr
			}
			savedKey = false
			continue
		}
		_ = c.update(context.Background(), func(s *session.Session) {
			st := conn.State()
			s.Salt, s.TimeOffset = st.Salt, st.TimeOffset
		})
		return nil, nil, err
	}
}

func servers(test bool) string {
	if test {
		return "test"
	}
	return "production"
}

// stop waits for the connection to end, saves the session and returns
// err.
func (c *Client) stop(conn *mtproto.Conn, connDone chan error, err error) error {
	<-conn.Done()
	c.mu.Lock()
	c.conn = nil
	c.mu.Unlock()
	st := conn.State()
	saveErr := c.update(context.Background(), func(s *session.Session) {
		s.Salt, s.TimeOffset = st.Salt, st.TimeOffset
	})
	if err == nil && saveErr != nil {
		err = fmt.Errorf("client: save the session: %w", saveErr)
	}
	return err
}

// update changes the session and saves it.
func (c *Client) update(ctx context.Context, change func(*session.Session)) error {
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	c.mu.Lock()
	change(c.sess)
	s := c.sess.Clone()
	c.mu.Unlock()
	return c.opts.Session.Save(ctx, s)
}
