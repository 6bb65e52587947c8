package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/gotd/td/transport"

	"github.com/tgraw/tgraw/exchange"
	"github.com/tgraw/tgraw/mtcrypto"
	"github.com/tgraw/tgraw/mtproto"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/tg"
)

// connect opens the connection to the session's DC: with its saved auth
// key, or with a new one made there (and saved before it is used).
func (c *Client) connect(ctx context.Context) (*mtproto.Conn, error) {
	c.mu.Lock()
	sess := c.sess.Clone()
	c.mu.Unlock()
	addr := sess.Addr
	if addr == "" {
		var ok bool
		if addr, ok = address(c.opts.DCList, sess.DC); !ok {
			return nil, fmt.Errorf("client: no address of DC %d in the DC list", sess.DC)
		}
	}
	dial := func(ctx context.Context) (transport.Conn, error) {
		raw, err := c.opts.Dial(ctx, "tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("client: connect to DC %d at %s: %w", sess.DC, addr, err)
		}
		conn, err := c.opts.Transport.Handshake(raw)
		if err != nil {
			_ = raw.Close()
			return nil, fmt.Errorf("client: connect to DC %d at %s: %w", sess.DC, addr, err)
		}
		return conn, nil
	}

	var tconn transport.Conn
	if sess.AuthKey.IsZero() {
		res, conn, err := exchange.Create(ctx, dial, exchange.Options{
			DC:         dcField(sess.DC, c.opts.Test),
			PublicKeys: c.opts.PublicKeys,
			Clock:      c.opts.Clock,
			Logger:     c.log,
		})
		if err != nil {
			return nil, fmt.Errorf("client: create an auth key with DC %d: %w", sess.DC, err)
		}
		c.log.Info("client: new auth key", "dc", sess.DC, "auth_key_id", uint64(res.Key.ID()))
		if err := c.update(ctx, func(s *session.Session) {
			s.AuthKey, s.Salt, s.TimeOffset, s.Addr = res.Key, res.Salt, res.TimeOffset, addr
			// A new key is signed in to no account, and its updates
			// start anew.
			s.UserID, s.Bot, s.Updates = 0, false, session.UpdateState{}
		}); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("client: save the new auth key: %w", err)
		}
		sess.AuthKey, sess.Salt, sess.TimeOffset = res.Key, res.Salt, res.TimeOffset
		tconn = conn
	} else {
		conn, err := dial(ctx)
		if err != nil {
			return nil, err
		}
		tconn = conn
	}

	conn, err := mtproto.New(tconn, mtproto.Options{
		Key:          sess.AuthKey,
		Salt:         sess.Salt,
		TimeOffset:   sess.TimeOffset,
		Handler:      c.onUpdate,
		OnSession:    c.onNewSession,
		OnState:      c.onState,
		Clock:        c.opts.Clock,
		Logger:       c.log,
		Names:        tg.Name,
		PingInterval: c.opts.PingInterval,
	})
	if err != nil {
		_ = tconn.Close()
		return nil, err
	}
	c.mu.Lock()
	c.conn = conn
	c.updateEvents = make(chan struct{}, 1)
	c.updateQueue = make(chan []byte, updateQueueSize)
	c.mu.Unlock()
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

// init makes the connection's first call: invokeWithLayer(tg.Layer,
// initConnection(help.getConfig)), which announces the layer of package
// tg and the application, and keeps the configuration.
func (c *Client) init(ctx context.Context, conn *mtproto.Conn) error {
	d := c.opts.Device
	var cfg tg.Config
	err := conn.Invoke(ctx, &tg.InvokeWithLayerRequest{
		Layer: tg.Layer,
		Query: &tg.InitConnectionRequest{
			APIID:          c.appID,
			DeviceModel:    d.DeviceModel,
			SystemVersion:  d.SystemVersion,
			AppVersion:     d.AppVersion,
			SystemLangCode: d.SystemLangCode,
			LangPack:       d.LangPack,
			LangCode:       d.LangCode,
			Query:          &tg.HelpGetConfigRequest{},
		},
	}, &cfg)
	if err != nil {
		var te *mtproto.TransportError
		if errors.As(err, &te) && te.Code == mtproto.CodeAuthKeyNotFound {
			return fmt.Errorf("client: DC %d does not know the session's auth key (it may have been revoked): %w", cfg.ThisDC, err)
		}
		return fmt.Errorf("client: initConnection: %w", err)
	}
	c.mu.Lock()
	c.config = &cfg
	c.mu.Unlock()
	return nil
}

// forgetKey drops the session's auth key, so that the next connection
// makes a new one.
func (c *Client) forgetKey(ctx context.Context) error {
	return c.update(ctx, func(s *session.Session) {
		s.AuthKey, s.Salt = mtcrypto.AuthKey{}, 0
	})
}

// onState saves the salt and the time offset the connection learnt.
func (c *Client) onState(st mtproto.State) {
	if err := c.update(context.Background(), func(s *session.Session) {
		s.Salt, s.TimeOffset = st.Salt, st.TimeOffset
	}); err != nil {
		c.log.Warn("client: save the session", "error", err)
	}
}
