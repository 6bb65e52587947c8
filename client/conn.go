package client

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"sync"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/transport"

	"github.com/tgraw/tgraw/exchange"
	"github.com/tgraw/tgraw/mtcrypto"
	"github.com/tgraw/tgraw/mtproto"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/tg"
)

// dcKind is what a connection is for.
type dcKind int

const (
	kindHome  dcKind = iota // the account's DC: its calls and its updates
	kindAPI                 // another DC, for the calls that belong there
	kindMedia               // a DC's media-only addresses, for file transfers
	kindCDN                 // a CDN DC: help.getCdnConfig's keys, no authorization
)

func (k dcKind) String() string {
	return [...]string{"home", "api", "media", "cdn"}[k]
}

// dcConn is a connection to one DC that outlives its TCP connections: an
// mtproto.Conn and the loop that serves it and makes it again after a
// drop.
type dcConn struct {
	c    *Client
	dc   int
	kind dcKind
	addr string
	key  mtcrypto.AuthKey
	mt   *mtproto.Conn
	done chan struct{} // closed when the connection has ended

	initMu sync.Mutex
	inited bool // initConnection went through

	mu     sync.Mutex
	busy   int  // calls in flight
	gen    int  // counts the times busy fell to 0
	closed bool // given up: no new calls
	idle   chan struct{}
}

// open connects to dc for kind: with the DC's saved auth key, or with one
// made there (and saved before it is used).
func (c *Client) open(ctx context.Context, rs *runState, dc int, kind dcKind) (*dcConn, error) {
	c.mu.Lock()
	sess := c.sess.Clone()
	list := c.dcListLocked()
	c.mu.Unlock()
	key, salt := keyOf(sess, dc)
	homeKey := dc == sess.DC

	addr, err := c.address(list, sess, dc, kind)
	if err != nil {
		return nil, err
	}
	var tconn transport.Conn
	if key.IsZero() {
		res, conn, used, err := c.makeKey(ctx, list, sess, dc, kind)
		if err != nil {
			return nil, err
		}
		if err := c.update(ctx, func(s *session.Session) {
			if homeKey {
				s.AuthKey, s.Salt, s.TimeOffset, s.Addr = res.Key, res.Salt, res.TimeOffset, used
				// A new key is signed in to no account, and its updates
				// start anew.
				s.UserID, s.Bot, s.Updates = 0, false, session.UpdateState{}
				return
			}
			if s.Keys == nil {
				s.Keys = map[int]session.DCKey{}
			}
			s.Keys[dc] = session.DCKey{Key: res.Key, Salt: res.Salt}
			s.TimeOffset = res.TimeOffset
		}); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("client: save the new auth key: %w", err)
		}
		key, salt, sess.TimeOffset = res.Key, res.Salt, res.TimeOffset
		if used == addr {
			tconn = conn
		} else {
			// The key was made on the DC's main address; media go to
			// another.
			_ = conn.Close()
		}
	}
	if tconn == nil {
		if tconn, err = c.dial(ctx, dc, addr); err != nil {
			return nil, err
		}
	}

	d := &dcConn{c: c, dc: dc, kind: kind, addr: addr, key: key, done: make(chan struct{}), idle: make(chan struct{}, 1)}
	opts := mtproto.Options{
		Key:          key,
		Salt:         salt,
		TimeOffset:   sess.TimeOffset,
		OnState:      d.onState,
		Clock:        c.opts.Clock,
		Logger:       c.log.With("dc", dc, "conn", kind.String()),
		Names:        tg.Name,
		PingInterval: c.opts.PingInterval,
	}
	if kind == kindHome {
		opts.Handler, opts.OnSession = c.onUpdate, c.onNewSession
	}
	mt, err := mtproto.New(tconn, opts)
	if err != nil {
		_ = tconn.Close()
		return nil, err
	}
	d.mt = mt
	c.mu.Lock()
	rs.all = append(rs.all, d)
	c.mu.Unlock()
	go d.serve(rs)
	return d, nil
}

// keyOf returns the saved auth key of dc and its salt; the zero key when
// there is none.
func keyOf(s *session.Session, dc int) (mtcrypto.AuthKey, int64) {
	if dc == s.DC {
		return s.AuthKey, s.Salt
	}
	k := s.Keys[dc]
	return k.Key, k.Salt
}

// makeKey runs the key exchange with dc: on its main address, or on a CDN
// address with the CDN's keys. It returns the key, the connection it was
// made on, and that connection's address.
func (c *Client) makeKey(ctx context.Context, list []tg.DCOption, sess *session.Session, dc int, kind dcKind) (exchange.Result, transport.Conn, string, error) {
	keys := c.opts.PublicKeys
	addrKind := kindAPI
	if kind == kindHome {
		addrKind = kindHome
	}
	if kind == kindCDN {
		var err error
		if keys, err = c.cdnKeys(ctx, dc); err != nil {
			return exchange.Result{}, nil, "", err
		}
		addrKind = kindCDN
	}
	addr, err := c.address(list, sess, dc, addrKind)
	if err != nil {
		return exchange.Result{}, nil, "", err
	}
	res, conn, err := exchange.Create(ctx, func(ctx context.Context) (transport.Conn, error) {
		return c.dial(ctx, dc, addr)
	}, exchange.Options{
		DC:         dcField(dc, c.opts.Test),
		PublicKeys: keys,
		Clock:      c.opts.Clock,
		Logger:     c.log,
	})
	if err != nil {
		return exchange.Result{}, nil, "", fmt.Errorf("client: create an auth key with DC %d: %w", dc, err)
	}
	c.log.Info("client: new auth key", "dc", dc, "auth_key_id", uint64(res.Key.ID()))
	return res, conn, addr, nil
}

// dial opens a TCP connection to addr with the transport's handshake,
// within DialTimeout.
func (c *Client) dial(ctx context.Context, dc int, addr string) (transport.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.DialTimeout)
	defer cancel()
	raw, err := c.opts.Dial(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("client: connect to DC %d at %s: %w", dc, addr, err)
	}
	conn, err := c.opts.Transport.Handshake(raw)
	if err != nil {
		_ = raw.Close()
		return nil, fmt.Errorf("client: connect to DC %d at %s: %w", dc, addr, err)
	}
	return conn, nil
}

// dcField is the dc of p_q_inner_data_dc: the DC's ID, plus 10000 on the
// test servers.
func dcField(dc int, test bool) int {
	if test {
		return dc + 10000
	}
	return dc
}

// serve runs the connection until the run ends, making the TCP
// connection again after each drop, as Options.Reconnect says. It gives
// the connection up when a drop cannot be mended (the server no longer
// knows the key, the attempts ran out): the account's connection then ends
// the run.
func (d *dcConn) serve(rs *runState) {
	defer close(d.done)
	c := d.c
	failed := 0 // attempts in a row that got nothing from the server
	for {
		before := d.mt.Received()
		err := d.mt.Serve(rs.ctx)
		if rs.ctx.Err() != nil || errors.Is(err, mtproto.ErrClosed) {
			d.stop(context.Cause(rs.ctx))
			return
		}
		if permanent(err) {
			d.giveUp(rs, err)
			return
		}
		if d.mt.Received() > before {
			failed = 0
		}
		c.log.Warn("client: connection lost; connecting again", "dc", d.dc, "conn", d.kind.String(), "error", err)
		for {
			if err := c.sleep(rs.ctx, c.opts.Reconnect.delay(failed)); err != nil {
				d.stop(context.Cause(rs.ctx))
				return
			}
			failed++
			tconn, err := c.dial(rs.ctx, d.dc, d.addr)
			if err == nil {
				if err = d.mt.Reconnect(tconn); err != nil {
					_ = tconn.Close()
					if errors.Is(err, mtproto.ErrClosed) {
						d.stop(context.Cause(rs.ctx))
						return
					}
				}
			}
			if err == nil {
				break
			}
			if rs.ctx.Err() != nil {
				d.stop(context.Cause(rs.ctx))
				return
			}
			if a := c.opts.Reconnect.Attempts; a > 0 && failed >= a {
				d.giveUp(rs, fmt.Errorf("client: DC %d unreachable after %d attempts: %w", d.dc, failed, err))
				return
			}
			c.log.Warn("client: connecting again failed", "dc", d.dc, "attempt", failed, "error", err)
		}
	}
}

// permanent reports a connection error that connecting again cannot
// mend: the server does not know the auth key (-404), or it is for another
// DC (-444).
func permanent(err error) bool {
	var te *mtproto.TransportError
	return errors.As(err, &te) && (te.Code == mtproto.CodeAuthKeyNotFound || te.Code == mtproto.CodeWrongDC)
}

// stop closes the connection at the end of the run, and saves its state.
func (d *dcConn) stop(cause error) {
	d.markClosed()
	d.mt.Close(cause)
	d.onState(d.mt.State())
}

// giveUp closes a connection that cannot be mended: calls waiting on it
// fail with err; the account's connection ends the run with it.
func (d *dcConn) giveUp(rs *runState, err error) {
	c := d.c
	var te *mtproto.TransportError
	if errors.As(err, &te) && te.Code == mtproto.CodeAuthKeyNotFound {
		err = fmt.Errorf("client: DC %d no longer knows the auth key (it was revoked, or the server lost it; a new one is made at the next Run, and the account must sign in again): %w", d.dc, err)
	}
	c.log.Warn("client: connection given up", "dc", d.dc, "conn", d.kind.String(), "error", err)
	d.markClosed()
	d.mt.Close(err)
	d.onState(d.mt.State())
	if c.isHome(rs, d) {
		rs.fail(err)
		return
	}
	c.forget(rs, d)
}

// onState saves the salt and clock offset the connection learnt, with
// the key it belongs to.
func (d *dcConn) onState(st mtproto.State) {
	id := d.key.ID()
	if err := d.c.update(context.Background(), func(s *session.Session) {
		s.TimeOffset = st.TimeOffset
		if s.AuthKey.ID() == id {
			s.Salt = st.Salt
			return
		}
		if k, ok := s.Keys[d.dc]; ok && k.Key.ID() == id {
			k.Salt = st.Salt
			s.Keys[d.dc] = k
		}
	}); err != nil && !errors.Is(err, ErrNotRunning) {
		d.c.log.Warn("client: save the session", "error", err)
	}
}

// acquire counts a call in; false if the connection is closed.
func (d *dcConn) acquire() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	d.busy++
	return true
}

// release counts a call out; the last one starts the idle timer of a
// pooled connection.
func (d *dcConn) release() {
	d.mu.Lock()
	d.busy--
	idle := d.busy == 0
	if idle {
		d.gen++
	}
	d.mu.Unlock()
	if idle {
		select {
		case d.idle <- struct{}{}:
		default:
		}
	}
}

func (d *dcConn) markClosed() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
}

// Invoke makes a call on this connection: wrapped in invokeWithLayer and
// initConnection while the connection has not announced itself, and in
// invokeWithoutUpdates on connections that are not the account's, so
// that the server sends updates to the account's connection only.
func (d *dcConn) Invoke(ctx context.Context, in bin.Encoder, out bin.Decoder) error {
	q := in
	if d.kind == kindAPI || d.kind == kindMedia {
		q = wrapQuery(noUpdatesPrefix, q)
	}
	d.initMu.Lock()
	if d.inited {
		d.initMu.Unlock()
		return d.mt.Invoke(ctx, q, out)
	}
	// The first call announces the connection; others wait for it.
	defer d.initMu.Unlock()
	err := d.mt.Invoke(ctx, wrapQuery(d.c.initPrefix(), q), out)
	if err == nil {
		d.inited = true
	}
	return err
}

// initPrefix is invokeWithLayer(tg.Layer, initConnection(...)) without
// its query.
func (c *Client) initPrefix() []byte {
	d := c.opts.Device
	return prefixOf(&tg.InvokeWithLayerRequest{
		Layer: tg.Layer,
		Query: &tg.InitConnectionRequest{
			APIID:          c.appID,
			DeviceModel:    d.DeviceModel,
			SystemVersion:  d.SystemVersion,
			AppVersion:     d.AppVersion,
			SystemLangCode: d.SystemLangCode,
			LangPack:       d.LangPack,
			LangCode:       d.LangCode,
			Query:          placeholder(),
		},
	})
}

// noUpdatesPrefix is invokeWithoutUpdates without its query.
var noUpdatesPrefix = prefixOf(&tg.InvokeWithoutUpdatesRequest{Query: placeholder()})

// placeholder is the query a wrapper is encoded around: a constructor
// with no fields, whose 4 bytes prefixOf cuts off.
func placeholder() *tg.HelpGetConfigRequest { return &tg.HelpGetConfigRequest{} }

// prefixOf encodes a wrapper whose last field is its query (!X), around
// the placeholder, and returns the bytes before the query.
func prefixOf(wrapper bin.Encoder) []byte {
	var b bin.Buffer
	if err := wrapper.Encode(&b); err != nil {
		panic("client: encode a wrapper: " + err.Error())
	}
	return b.Buf[:b.Len()-4]
}

// wrapped is a query inside wrappers: their prefix, then the query.
type wrapped struct {
	prefix []byte
	query  bin.Encoder
}

func wrapQuery(prefix []byte, q bin.Encoder) bin.Encoder { return wrapped{prefix, q} }

func (w wrapped) Encode(b *bin.Buffer) error {
	b.Put(w.prefix)
	return w.query.Encode(b)
}

// cdnKeys returns the RSA keys of CDN DC dc from help.getCdnConfig,
// asked once per client.
func (c *Client) cdnKeys(ctx context.Context, dc int) ([]*rsa.PublicKey, error) {
	c.mu.Lock()
	cfg := c.cdn
	c.mu.Unlock()
	if cfg == nil {
		var got tg.CDNConfig
		if err := c.call(ctx, target{}, &tg.HelpGetCDNConfigRequest{}, &got); err != nil {
			return nil, fmt.Errorf("client: help.getCdnConfig: %w", err)
		}
		c.mu.Lock()
		c.cdn, cfg = &got, &got
		c.mu.Unlock()
	}
	var keys []*rsa.PublicKey
	for _, k := range cfg.PublicKeys {
		if k.DCID != dc {
			continue
		}
		parsed, err := mtcrypto.ParsePublicKeys([]byte(k.PublicKey))
		if err != nil {
			return nil, fmt.Errorf("client: the key of CDN DC %d in help.getCdnConfig: %w", dc, err)
		}
		keys = append(keys, parsed...)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("client: help.getCdnConfig lists no key of CDN DC %d", dc)
	}
	return keys, nil
}
