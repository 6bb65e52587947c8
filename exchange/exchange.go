// Package exchange creates an MTProto authorization key with a server:
// the Diffie-Hellman exchange of https://core.telegram.org/mtproto/auth_key
// (req_pq_multi, req_DH_params, set_client_DH_params) with every check of
// Telegram's security guidelines.
//
// Run makes one attempt on a connection. Create makes up to Attempts, each
// on a new connection, as the guidelines recommend after a failed check:
// invalid messages also come from transmission errors, and a server may
// fail a handshake now and then.
package exchange

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/clock"
	"github.com/gotd/td/transport"

	"github.com/tgraw/tgraw/mt"
	"github.com/tgraw/tgraw/mtcrypto"
	"github.com/tgraw/tgraw/mtproto"
)

// Options configure a key exchange.
type Options struct {
	// DC is the dc field of p_q_inner_data_dc: the ID of the DC the key is
	// for, plus 10000 for a test server, negated for a media DC. The
	// server refuses a key for another DC (transport error -444).
	DC int
	// PublicKeys are the server keys to encrypt with; the first one
	// resPQ lists wins. The default is mtcrypto.TelegramKeys().
	PublicKeys []*rsa.PublicKey
	// Rand is the source of nonces and secrets; crypto/rand by default.
	Rand io.Reader
	// Clock gives the time of message IDs and of the server-time offset;
	// the system clock by default.
	Clock clock.Clock
	// Logger receives a line per step, at debug level; nothing by
	// default. No key material is logged.
	Logger *slog.Logger
	// Attempts bounds how many times Create starts the exchange, on a new
	// connection each time, before it gives up; 5 by default.
	Attempts int
	// DHRetries bounds how many times one exchange answers dh_gen_retry
	// with a new g_b; 5 by default.
	DHRetries int
}

func (o *Options) setDefaults() {
	if o.PublicKeys == nil {
		o.PublicKeys = mtcrypto.TelegramKeys()
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Clock == nil {
		o.Clock = clock.System
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Attempts <= 0 {
		o.Attempts = 5
	}
	if o.DHRetries <= 0 {
		o.DHRetries = 5
	}
}

// Result is what an exchange makes.
type Result struct {
	Key mtcrypto.AuthKey
	// Salt is the first server salt: new_nonce[0:8] XOR server_nonce[0:8].
	Salt int64
	// TimeOffset is the server's time minus the local time, from the
	// server_time of server_DH_inner_data (to the second).
	TimeOffset time.Duration
}

// Error is a failed check or a refusal of the server in the exchange. It
// names the step and what was wrong; it never carries nonces or keys.
type Error struct {
	Step string // "resPQ", "server_DH_params", "server_DH_inner_data", "dh_gen", ...
	Msg  string
}

func (e *Error) Error() string { return "exchange: " + e.Step + ": " + e.Msg }

// ErrNoKey is the error when the server lists no fingerprint of the
// Options' public keys. Another attempt cannot help.
var ErrNoKey = errors.New("exchange: the server lists none of the known public keys")

func fail(step, format string, args ...any) error {
	return &Error{Step: step, Msg: fmt.Sprintf(format, args...)}
}

// Dialer opens a new transport connection to the server.
type Dialer func(ctx context.Context) (transport.Conn, error)

// Create runs the exchange on a connection from dial, and starts again on
// a new one when it fails, up to opts.Attempts times. It does not start
// again when ctx is done, when the server lists no known key (ErrNoKey),
// or on transport error -444 (a key for another DC). It returns the key
// and the connection it was made on, open for encrypted messages.
func Create(ctx context.Context, dial Dialer, opts Options) (Result, transport.Conn, error) {
	opts.setDefaults()
	var last error
	for attempt := 1; attempt <= opts.Attempts; attempt++ {
		conn, err := dial(ctx)
		if err != nil {
			return Result{}, nil, err
		}
		res, err := Run(ctx, conn, opts)
		if err == nil {
			return res, conn, nil
		}
		_ = conn.Close()
		last = err
		if ctx.Err() != nil || !retryable(err) {
			return Result{}, nil, err
		}
		opts.Logger.Info("key exchange failed; starting again on a new connection",
			"attempt", attempt, "of", opts.Attempts, "error", err)
	}
	return Result{}, nil, fmt.Errorf("exchange: %d attempts failed, the last one: %w", opts.Attempts, last)
}

func retryable(err error) bool {
	var te *mtproto.TransportError
	if errors.As(err, &te) && te.Code == mtproto.CodeWrongDC {
		return false
	}
	return !errors.Is(err, ErrNoKey)
}

// Run makes one key exchange on conn.
func Run(ctx context.Context, conn transport.Conn, opts Options) (Result, error) {
	opts.setDefaults()
	x := &run{
		opts: opts,
		conn: mtproto.NewPlainConn(conn, mtproto.NewMsgIDs(opts.Clock.Now, 0)),
		log:  opts.Logger,
	}
	return x.run(ctx)
}

type run struct {
	opts Options
	conn *mtproto.PlainConn
	log  *slog.Logger

	nonce       bin.Int128
	serverNonce bin.Int128
	newNonce    bin.Int256
}

func (x *run) random(p []byte) error {
	if _, err := io.ReadFull(x.opts.Rand, p); err != nil {
		return fmt.Errorf("exchange: random source: %w", err)
	}
	return nil
}

// recv reads the next plain message into one of the given constructors,
// chosen by its ID.
func (x *run) recv(ctx context.Context, step string, decode func(*bin.Buffer) (mt.Object, error)) (mt.Object, error) {
	body, err := x.conn.Recv(ctx)
	if err != nil {
		return nil, err
	}
	v, err := decode(&bin.Buffer{Buf: body})
	if err != nil {
		return nil, fail(step, "undecodable answer: %v", err)
	}
	return v, nil
}

func (x *run) run(ctx context.Context) (Result, error) {
	if err := x.random(x.nonce[:]); err != nil {
		return Result{}, err
	}
	x.log.Debug("key exchange: req_pq_multi")
	if err := x.conn.Send(ctx, &mt.ReqPqMultiRequest{Nonce: x.nonce}); err != nil {
		return Result{}, err
	}
	v, err := x.recv(ctx, "resPQ", func(b *bin.Buffer) (mt.Object, error) {
		var r mt.ResPQ
		return &r, r.Decode(b)
	})
	if err != nil {
		return Result{}, err
	}
	res := v.(*mt.ResPQ)
	if !equal128(res.Nonce, x.nonce) {
		return Result{}, fail("resPQ", "nonce differs from the one sent")
	}
	x.serverNonce = res.ServerNonce
	key, fingerprint := x.pickKey(res.ServerPublicKeyFingerprints)
	if key == nil {
		return Result{}, ErrNoKey
	}
	p, q, err := mtcrypto.FactorizeBytes(res.Pq)
	if err != nil {
		return Result{}, fail("resPQ", "%v", err)
	}

	serverDH, err := x.reqDHParams(ctx, res.Pq, p, q, key, fingerprint)
	if err != nil {
		return Result{}, err
	}
	tmpKey, tmpIV := mtcrypto.TempAESKeys(x.newNonce, x.serverNonce)
	inner, err := x.innerData(serverDH, tmpKey, tmpIV)
	if err != nil {
		return Result{}, err
	}
	offset := time.Unix(int64(inner.ServerTime), 0).Sub(x.opts.Clock.Now()).Truncate(time.Second)

	authKey, err := x.setClientDH(ctx, inner, tmpKey, tmpIV)
	if err != nil {
		return Result{}, err
	}
	x.log.Debug("key exchange: done", "auth_key_id", uint64(authKey.ID()))
	return Result{
		Key:        authKey,
		Salt:       mtcrypto.ServerSalt(x.newNonce, x.serverNonce),
		TimeOffset: offset,
	}, nil
}

// pickKey returns the first key of the options whose fingerprint the
// server lists.
func (x *run) pickKey(fingerprints []int64) (*rsa.PublicKey, int64) {
	for _, f := range fingerprints {
		for _, k := range x.opts.PublicKeys {
			if mtcrypto.Fingerprint(k) == f {
				return k, f
			}
		}
	}
	return nil, 0
}

func (x *run) reqDHParams(ctx context.Context, pq, p, q []byte, key *rsa.PublicKey, fingerprint int64) (*mt.ServerDHParamsOk, error) {
	if err := x.random(x.newNonce[:]); err != nil {
		return nil, err
	}
	var data bin.Buffer
	inner := &mt.PQInnerDataDC{
		Pq: pq, P: p, Q: q,
		Nonce: x.nonce, ServerNonce: x.serverNonce, NewNonce: x.newNonce,
		DC: x.opts.DC,
	}
	if err := inner.Encode(&data); err != nil {
		return nil, err
	}
	encrypted, err := mtcrypto.RSAPad(data.Buf, key, x.opts.Rand)
	if err != nil {
		return nil, err
	}
	x.log.Debug("key exchange: req_DH_params", "fingerprint", uint64(fingerprint), "dc", x.opts.DC)
	if err := x.conn.Send(ctx, &mt.ReqDHParamsRequest{
		Nonce: x.nonce, ServerNonce: x.serverNonce, P: p, Q: q,
		PublicKeyFingerprint: fingerprint, EncryptedData: encrypted,
	}); err != nil {
		return nil, err
	}
	v, err := x.recv(ctx, "server_DH_params", func(b *bin.Buffer) (mt.Object, error) {
		v, err := mt.DecodeServerDHParams(b)
		if err != nil {
			return nil, err
		}
		return v.(mt.Object), nil
	})
	if err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case *mt.ServerDHParamsOk:
		if !equal128(v.Nonce, x.nonce) || !equal128(v.ServerNonce, x.serverNonce) {
			return nil, fail("server_DH_params_ok", "nonce or server_nonce differs from this exchange's")
		}
		return v, nil
	case *mt.ServerDHParamsFail:
		if !equal128(v.Nonce, x.nonce) || !equal128(v.ServerNonce, x.serverNonce) {
			return nil, fail("server_DH_params_fail", "nonce or server_nonce differs from this exchange's")
		}
		sum := sha1.Sum(x.newNonce[:])
		if subtle.ConstantTimeCompare(v.NewNonceHash[:], sum[4:20]) != 1 {
			return nil, fail("server_DH_params_fail", "new_nonce_hash does not match")
		}
		return nil, fail("server_DH_params", "the server refused the request (server_DH_params_fail)")
	}
	return nil, fail("server_DH_params", "unexpected %T", v)
}

// innerData decrypts and checks server_DH_inner_data: its hash, nonces,
// dh_prime, g and g_a.
func (x *run) innerData(ok *mt.ServerDHParamsOk, key, iv [32]byte) (*mt.ServerDHInnerData, error) {
	answer, err := mtcrypto.DecryptWithHash(ok.EncryptedAnswer, key, iv)
	if err != nil {
		return nil, fail("server_DH_inner_data", "%v", err)
	}
	var inner mt.ServerDHInnerData
	if err := inner.Decode(&bin.Buffer{Buf: answer}); err != nil {
		return nil, fail("server_DH_inner_data", "undecodable: %v", err)
	}
	if !equal128(inner.Nonce, x.nonce) || !equal128(inner.ServerNonce, x.serverNonce) {
		return nil, fail("server_DH_inner_data", "nonce or server_nonce differs from this exchange's")
	}
	p := new(big.Int).SetBytes(inner.DhPrime)
	if err := mtcrypto.CheckDHParams(p, inner.G); err != nil {
		return nil, fail("server_DH_inner_data", "%v", err)
	}
	if err := mtcrypto.CheckDHValue("g_a", new(big.Int).SetBytes(inner.GA), p); err != nil {
		return nil, fail("server_DH_inner_data", "%v", err)
	}
	return &inner, nil
}

// setClientDH sends g_b and checks the server's answer, making a new b
// after each dh_gen_retry (up to DHRetries times).
func (x *run) setClientDH(ctx context.Context, inner *mt.ServerDHInnerData, key, iv [32]byte) (mtcrypto.AuthKey, error) {
	p := new(big.Int).SetBytes(inner.DhPrime)
	g := big.NewInt(int64(inner.G))
	gA := new(big.Int).SetBytes(inner.GA)
	var retryID int64
	for retry := 0; ; retry++ {
		b, gB, err := x.secret(g, p)
		if err != nil {
			return mtcrypto.AuthKey{}, err
		}
		var data bin.Buffer
		if err := (&mt.ClientDHInnerData{
			Nonce: x.nonce, ServerNonce: x.serverNonce, RetryID: retryID, GB: gB.Bytes(),
		}).Encode(&data); err != nil {
			return mtcrypto.AuthKey{}, err
		}
		enc, err := mtcrypto.EncryptWithHash(data.Buf, key, iv, x.opts.Rand)
		if err != nil {
			return mtcrypto.AuthKey{}, err
		}
		x.log.Debug("key exchange: set_client_DH_params", "retry", retry)
		if err := x.conn.Send(ctx, &mt.SetClientDHParamsRequest{
			Nonce: x.nonce, ServerNonce: x.serverNonce, EncryptedData: enc,
		}); err != nil {
			return mtcrypto.AuthKey{}, err
		}
		authKey, err := mtcrypto.NewAuthKey(new(big.Int).Exp(gA, b, p).FillBytes(make([]byte, mtcrypto.AuthKeySize)))
		if err != nil {
			return mtcrypto.AuthKey{}, err
		}
		v, err := x.recv(ctx, "dh_gen", func(b *bin.Buffer) (mt.Object, error) {
			v, err := mt.DecodeSetClientDHParamsAnswer(b)
			if err != nil {
				return nil, err
			}
			return v.(mt.Object), nil
		})
		if err != nil {
			return mtcrypto.AuthKey{}, err
		}
		nonce, serverNonce, hash, n := answerFields(v)
		if !equal128(nonce, x.nonce) || !equal128(serverNonce, x.serverNonce) {
			return mtcrypto.AuthKey{}, fail(v.TypeName(), "nonce or server_nonce differs from this exchange's")
		}
		want := mtcrypto.NewNonceHash(x.newNonce, n, authKey)
		if !equal128(hash, want) {
			return mtcrypto.AuthKey{}, fail(v.TypeName(), "new_nonce_hash%d does not match", n)
		}
		switch n {
		case 1:
			return authKey, nil
		case 3:
			return mtcrypto.AuthKey{}, fail("dh_gen_fail", "the server refused the key")
		}
		if retry+1 >= x.opts.DHRetries {
			return mtcrypto.AuthKey{}, fail("dh_gen_retry", "the server asked for a new g_b %d times", retry+1)
		}
		// The next attempt names this one by its key's auxiliary hash.
		aux := authKey.AuxHash()
		retryID = int64(binary.LittleEndian.Uint64(aux[:]))
	}
}

// answerFields returns the nonces and new_nonce_hash of a dh_gen_*
// answer, and the hash's number (1 ok, 2 retry, 3 fail).
func answerFields(v mt.Object) (nonce, serverNonce, hash bin.Int128, n byte) {
	switch v := v.(type) {
	case *mt.DhGenOk:
		return v.Nonce, v.ServerNonce, v.NewNonceHash1, 1
	case *mt.DhGenRetry:
		return v.Nonce, v.ServerNonce, v.NewNonceHash2, 2
	case *mt.DhGenFail:
		return v.Nonce, v.ServerNonce, v.NewNonceHash3, 3
	}
	return bin.Int128{}, bin.Int128{}, bin.Int128{}, 0
}

// secret draws b uniformly below 2^2048 until g_b = g^b mod p passes the
// checks the server makes too.
func (x *run) secret(g, p *big.Int) (b, gB *big.Int, err error) {
	limit := new(big.Int).Lsh(big.NewInt(1), 2048)
	for range 100 {
		b, err = rand.Int(x.opts.Rand, limit)
		if err != nil {
			return nil, nil, fmt.Errorf("exchange: random source: %w", err)
		}
		gB = new(big.Int).Exp(g, b, p)
		if mtcrypto.CheckDHValue("g_b", gB, p) == nil {
			return b, gB, nil
		}
	}
	return nil, nil, errors.New("exchange: no acceptable g_b in 100 draws: the random source is broken")
}

func equal128(a, b bin.Int128) bool { return subtle.ConstantTimeCompare(a[:], b[:]) == 1 }
