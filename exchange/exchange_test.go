package exchange_test

import (
	"context"
	"crypto/rsa"
	"crypto/sha1"
	"errors"
	"math/big"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotd/neo"
	"github.com/gotd/td/bin"
	"github.com/gotd/td/transport"

	"github.com/tgraw/tgraw/exchange"
	"github.com/tgraw/tgraw/internal/mtprototest"
	"github.com/tgraw/tgraw/mt"
	"github.com/tgraw/tgraw/mtcrypto"
	"github.com/tgraw/tgraw/mtproto"
)

// timeout only turns a hang into a failure.
const timeout = time.Minute

func serverKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := mtprototest.PrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// exchangeWith runs the client's Run against the scripted server on an
// in-memory connection and returns both sides' results.
func exchangeWith(t testing.TB, srv *mtprototest.Exchange, opts exchange.Options) (exchange.Result, mtprototest.Result, error, error) {
	t.Helper()
	return exchangeWithin(t, timeout, srv, opts)
}

// exchangeWithin is exchangeWith, with both sides stopped after d.
func exchangeWithin(t testing.TB, d time.Duration, srv *mtprototest.Exchange, opts exchange.Options) (exchange.Result, mtprototest.Result, error, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	client, server := transport.Intermediate.Pipe()
	defer client.Close()
	type out struct {
		res mtprototest.Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, err := srv.Run(ctx, server)
		_ = server.Close() // the client's pending read fails, not hangs
		done <- out{res, err}
	}()
	res, err := exchange.Run(ctx, client, opts)
	_ = client.Close()
	s := <-done
	return res, s.res, err, s.err
}

func options(t testing.TB) exchange.Options {
	return exchange.Options{DC: 2, PublicKeys: []*rsa.PublicKey{&serverKey(t).PublicKey}}
}

func TestRun(t *testing.T) {
	// The server's clock is an hour and a half ahead of the client's.
	clientClock := neo.NewTime(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	srv := &mtprototest.Exchange{Key: serverKey(t), DC: 2, Now: func() time.Time {
		return clientClock.Now().Add(90 * time.Minute)
	}}
	opts := options(t)
	opts.Clock = clientClock
	got, want, err, srvErr := exchangeWith(t, srv, opts)
	if err != nil || srvErr != nil {
		t.Fatalf("client: %v; server: %v", err, srvErr)
	}
	if !got.Key.Equal(want.Key) {
		t.Error("the client's auth key differs from the server's")
	}
	if got.Salt != want.Salt {
		t.Error("the client's server salt differs from the server's")
	}
	if got.TimeOffset != 90*time.Minute {
		t.Errorf("TimeOffset = %v, want 1h30m", got.TimeOffset)
	}
}

// TestRunDHRetry checks dh_gen_retry: a new g_b each time, with retry_id
// the auxiliary hash of the key before.
func TestRunDHRetry(t *testing.T) {
	srv := &mtprototest.Exchange{Key: serverKey(t), DC: 2, Retries: 2}
	got, want, err, srvErr := exchangeWith(t, srv, options(t))
	if err != nil || srvErr != nil {
		t.Fatalf("client: %v; server: %v", err, srvErr)
	}
	if !got.Key.Equal(want.Key) {
		t.Error("the client's auth key differs from the server's")
	}
	if len(want.RetryIDs) != 3 || want.RetryIDs[0] != 0 || want.RetryIDs[1] == 0 || want.RetryIDs[2] == want.RetryIDs[1] {
		t.Errorf("retry_ids: %d values, want 0 then two distinct auxiliary hashes", len(want.RetryIDs))
	}

	srv = &mtprototest.Exchange{Key: serverKey(t), DC: 2, Retries: 5}
	opts := options(t)
	opts.DHRetries = 3
	_, _, err, _ = exchangeWith(t, srv, opts)
	if err == nil || !strings.Contains(err.Error(), "dh_gen_retry") {
		t.Errorf("five retries with DHRetries 3: %v, want a dh_gen_retry error", err)
	}
}

func flip(b []byte) []byte { b = append([]byte(nil), b...); b[len(b)/2] ^= 1; return b }

// TestRunRefuses spoils each value the client must check and expects the
// exchange to fail at that step.
func TestRunRefuses(t *testing.T) {
	p := mtcrypto.DHPrime
	margin := new(big.Int).Lsh(big.NewInt(1), 1984)
	for _, tc := range []struct {
		name  string
		spoil mtprototest.Spoil
		want  string // in the error
	}{
		{"resPQ nonce", mtprototest.Spoil{ResPQ: func(r *mt.ResPQ) { r.Nonce[0] ^= 1 }}, "resPQ: nonce differs"},
		{"unknown key", mtprototest.Spoil{ResPQ: func(r *mt.ResPQ) { r.ServerPublicKeyFingerprints = []int64{42} }}, "none of the known public keys"},
		{"pq prime", mtprototest.Spoil{ResPQ: func(r *mt.ResPQ) { r.Pq = big.NewInt(1000000007).Bytes() }}, "prime"},
		{"pq of three primes", mtprototest.Spoil{ResPQ: func(r *mt.ResPQ) { r.Pq = big.NewInt(3 * 5 * 7 * 11).Bytes() }}, "resPQ"},
		{"pq too long", mtprototest.Spoil{ResPQ: func(r *mt.ResPQ) { r.Pq = make([]byte, 9) }}, "resPQ"},
		{"server_DH_params nonce", mtprototest.Spoil{DHParams: func(ok *mt.ServerDHParamsOk, _ bin.Int256) mt.Object {
			ok.Nonce[3] ^= 1
			return ok
		}}, "server_DH_params_ok: nonce or server_nonce"},
		{"server_DH_params server_nonce", mtprototest.Spoil{DHParams: func(ok *mt.ServerDHParamsOk, _ bin.Int256) mt.Object {
			ok.ServerNonce[3] ^= 1
			return ok
		}}, "server_DH_params_ok: nonce or server_nonce"},
		{"server_DH_params_fail", mtprototest.Spoil{DHParams: func(ok *mt.ServerDHParamsOk, nn bin.Int256) mt.Object {
			sum := sha1.Sum(nn[:])
			f := &mt.ServerDHParamsFail{Nonce: ok.Nonce, ServerNonce: ok.ServerNonce}
			copy(f.NewNonceHash[:], sum[4:20])
			return f
		}}, "server_DH_params_fail"},
		{"server_DH_params_fail with a wrong hash", mtprototest.Spoil{DHParams: func(ok *mt.ServerDHParamsOk, _ bin.Int256) mt.Object {
			return &mt.ServerDHParamsFail{Nonce: ok.Nonce, ServerNonce: ok.ServerNonce}
		}}, "new_nonce_hash does not match"},
		{"answer hash", mtprototest.Spoil{Answer: flip}, "SHA1 of the answer"},
		{"answer truncated", mtprototest.Spoil{Answer: func(b []byte) []byte { return b[:len(b)-8] }}, "server_DH_inner_data"},
		{"inner nonce", mtprototest.Spoil{Inner: func(in *mt.ServerDHInnerData) { in.Nonce[0] ^= 1 }}, "server_DH_inner_data: nonce"},
		{"inner server_nonce", mtprototest.Spoil{Inner: func(in *mt.ServerDHInnerData) { in.ServerNonce[0] ^= 1 }}, "server_DH_inner_data: nonce"},
		{"dh_prime not prime", mtprototest.Spoil{Inner: func(in *mt.ServerDHInnerData) {
			in.DhPrime = new(big.Int).Add(p, big.NewInt(24)).Bytes()
		}}, "not prime"},
		{"dh_prime of 2047 bits", mtprototest.Spoil{Inner: func(in *mt.ServerDHInnerData) {
			in.DhPrime = new(big.Int).Rsh(p, 1).Bytes()
		}}, "2048"},
		{"g of the wrong residue", mtprototest.Spoil{Inner: func(in *mt.ServerDHInnerData) { in.G = 2 }}, "g = 2"},
		{"g out of range", mtprototest.Spoil{Inner: func(in *mt.ServerDHInnerData) { in.G = 9 }}, "g = 9"},
		{"g_a = 1", mtprototest.Spoil{Inner: func(in *mt.ServerDHInnerData) { in.GA = []byte{1} }}, "g_a is not between"},
		{"g_a = dh_prime - 1", mtprototest.Spoil{Inner: func(in *mt.ServerDHInnerData) {
			in.GA = new(big.Int).Sub(p, big.NewInt(1)).Bytes()
		}}, "g_a is not between"},
		{"g_a = 2^1984", mtprototest.Spoil{Inner: func(in *mt.ServerDHInnerData) { in.GA = margin.Bytes() }}, "g_a is within 2^1984"},
		{"g_a = dh_prime - 2^1984", mtprototest.Spoil{Inner: func(in *mt.ServerDHInnerData) {
			in.GA = new(big.Int).Sub(p, margin).Bytes()
		}}, "g_a is within 2^1984"},
		{"dh_gen_ok hash", mtprototest.Spoil{DHGen: func(ok *mt.DhGenOk, _ bin.Int256, _ mtcrypto.AuthKey) mt.Object {
			ok.NewNonceHash1[15] ^= 1
			return ok
		}}, "new_nonce_hash1 does not match"},
		{"dh_gen_ok with hash 2", mtprototest.Spoil{DHGen: func(ok *mt.DhGenOk, nn bin.Int256, k mtcrypto.AuthKey) mt.Object {
			ok.NewNonceHash1 = mtcrypto.NewNonceHash(nn, 2, k)
			return ok
		}}, "new_nonce_hash1 does not match"},
		{"dh_gen_retry with hash 1", mtprototest.Spoil{DHGen: func(ok *mt.DhGenOk, nn bin.Int256, k mtcrypto.AuthKey) mt.Object {
			return &mt.DhGenRetry{Nonce: ok.Nonce, ServerNonce: ok.ServerNonce, NewNonceHash2: ok.NewNonceHash1}
		}}, "new_nonce_hash2 does not match"},
		{"dh_gen_ok nonce", mtprototest.Spoil{DHGen: func(ok *mt.DhGenOk, _ bin.Int256, _ mtcrypto.AuthKey) mt.Object {
			ok.Nonce[1] ^= 1
			return ok
		}}, "dh_gen_ok: nonce"},
		{"dh_gen_ok server_nonce", mtprototest.Spoil{DHGen: func(ok *mt.DhGenOk, _ bin.Int256, _ mtcrypto.AuthKey) mt.Object {
			ok.ServerNonce[1] ^= 1
			return ok
		}}, "dh_gen_ok: nonce"},
		{"dh_gen_fail", mtprototest.Spoil{DHGen: func(ok *mt.DhGenOk, nn bin.Int256, k mtcrypto.AuthKey) mt.Object {
			return &mt.DhGenFail{Nonce: ok.Nonce, ServerNonce: ok.ServerNonce, NewNonceHash3: mtcrypto.NewNonceHash(nn, 3, k)}
		}}, "dh_gen_fail: the server refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := &mtprototest.Exchange{Key: serverKey(t), DC: 2, Spoil: tc.spoil}
			res, _, err, _ := exchangeWith(t, srv, options(t))
			if err == nil {
				t.Fatal("the exchange succeeded")
			}
			if !res.Key.IsZero() {
				t.Error("a failed exchange returned a key")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

func TestRunWrongDC(t *testing.T) {
	srv := &mtprototest.Exchange{Key: serverKey(t), DC: 4}
	_, _, err, _ := exchangeWith(t, srv, options(t))
	var te *mtproto.TransportError
	if !errors.As(err, &te) || te.Code != 444 {
		t.Errorf("key for DC 2 on DC 4: %v, want transport error -444", err)
	}
}

// dialer serves each connection it opens with the next server of the
// list (the last one for the rest) and counts them.
type dialer struct {
	t     *testing.T
	srvs  []*mtprototest.Exchange
	dials atomic.Int32
}

func (d *dialer) dial(ctx context.Context) (transport.Conn, error) {
	n := int(d.dials.Add(1))
	srv := d.srvs[min(n, len(d.srvs))-1]
	client, server := transport.Intermediate.Pipe()
	go func() {
		_, _ = srv.Run(ctx, server)
		// Keep the server's end open for the encrypted messages that would
		// follow, unless the exchange failed.
	}()
	return client, nil
}

// TestCreateRestarts checks that a failed exchange starts again on a new
// connection, a bounded number of times, except where no attempt can
// help.
func TestCreateRestarts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	key := serverKey(t)
	bad := &mtprototest.Exchange{Key: key, DC: 2, Spoil: mtprototest.Spoil{Answer: flip}}
	good := &mtprototest.Exchange{Key: key, DC: 2}

	d := &dialer{t: t, srvs: []*mtprototest.Exchange{bad, bad, good}}
	res, conn, err := exchange.Create(ctx, d.dial, options(t))
	if err != nil {
		t.Fatalf("two bad servers, then a good one: %v", err)
	}
	defer conn.Close()
	if res.Key.IsZero() || d.dials.Load() != 3 {
		t.Errorf("%d connections, want 3", d.dials.Load())
	}

	d = &dialer{t: t, srvs: []*mtprototest.Exchange{bad}}
	opts := options(t)
	opts.Attempts = 4
	if _, _, err := exchange.Create(ctx, d.dial, opts); err == nil || !strings.Contains(err.Error(), "4 attempts failed") {
		t.Errorf("always a bad server: %v", err)
	}
	if d.dials.Load() != 4 {
		t.Errorf("always a bad server: %d connections, want 4", d.dials.Load())
	}

	for _, tc := range []struct {
		name string
		srv  *mtprototest.Exchange
	}{
		{"unknown key", &mtprototest.Exchange{Key: key, DC: 2, Spoil: mtprototest.Spoil{ResPQ: func(r *mt.ResPQ) { r.ServerPublicKeyFingerprints = []int64{1} }}}},
		{"wrong DC", &mtprototest.Exchange{Key: key, DC: 3}},
	} {
		d = &dialer{t: t, srvs: []*mtprototest.Exchange{tc.srv}}
		if _, _, err := exchange.Create(ctx, d.dial, options(t)); err == nil || d.dials.Load() != 1 {
			t.Errorf("%s: %v after %d connections, want an error after 1", tc.name, err, d.dials.Load())
		}
	}
}
