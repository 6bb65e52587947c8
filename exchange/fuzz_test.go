package exchange_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/tgraw/tgraw/exchange"
	"github.com/tgraw/tgraw/internal/mtprototest"
	"github.com/tgraw/tgraw/mtproto"
)

// fuzzSteps are what the server sends in an exchange, in order; the fuzz
// test replaces one of them with its bytes.
var fuzzSteps = []string{"resPQ", "server_DH_params", "server_DH_inner_data", "dh_gen"}

// noncesFrom and noncesTo are where every answer of the exchange carries
// nonce and server_nonce, which the client checks before anything else:
// right after the constructor ID.
const noncesFrom, noncesTo = 4, 36

// fuzzTimeout is far more than an exchange takes here (tens of
// milliseconds); an input that leaves it waiting longer is a failure.
const fuzzTimeout = 10 * time.Second

// FuzzRun answers the client's key exchange with any bytes at one of its
// steps: the body of resPQ, server_DH_params or dh_gen, or the
// server_DH_inner_data the server encrypts (so that the bytes reach the
// client's decoding and DH checks past the answer's hash). With keep set,
// the bytes carry the exchange's own nonces, which a fuzzer cannot guess,
// so that the checks after them are reached too. Whatever the bytes, the
// client must not panic or hang; it either fails with no key, or agrees on
// the server's key and salt.
func FuzzRun(f *testing.F) {
	key := serverKey(f)
	// Seeds: each step's bytes from an exchange that succeeds, kept and
	// not, and cut.
	var mu sync.Mutex
	seeds := map[string][]byte{}
	srv := &mtprototest.Exchange{Key: key, DC: 2, Spoil: mtprototest.Spoil{Raw: func(what string, body []byte) []byte {
		mu.Lock()
		defer mu.Unlock()
		seeds[what] = append([]byte(nil), body...)
		return body
	}}}
	if _, _, err, srvErr := exchangeWith(f, srv, options(f)); err != nil || srvErr != nil {
		f.Fatalf("seed exchange: client: %v; server: %v", err, srvErr)
	}
	for i, what := range fuzzSteps {
		body := seeds[what]
		f.Add(uint8(i), true, body)
		f.Add(uint8(i), false, body)
		f.Add(uint8(i), true, body[:len(body)/2])
		f.Add(uint8(i), true, body[:noncesTo])
		f.Add(uint8(i), true, []byte{})
	}

	opts := options(f)
	f.Fuzz(func(t *testing.T, step uint8, keep bool, data []byte) {
		what := fuzzSteps[int(step)%len(fuzzSteps)]
		srv := &mtprototest.Exchange{Key: key, DC: 2, Spoil: mtprototest.Spoil{Raw: func(w string, body []byte) []byte {
			if w != what {
				return body
			}
			out := append([]byte(nil), data...)
			if keep && len(out) > noncesFrom && len(body) >= noncesTo {
				copy(out[noncesFrom:min(len(out), noncesTo)], body[noncesFrom:noncesTo])
			}
			return out
		}}}
		start := time.Now()
		got, want, err, _ := exchangeWithin(t, fuzzTimeout, srv, opts)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s (keep %v, %x): no outcome after %v", what, keep, data, time.Since(start))
		}
		if err != nil {
			if !got.Key.IsZero() {
				t.Fatalf("%s: the exchange failed (%v) and returned a key", what, err)
			}
			// The exchange's own errors say the step and what was wrong; the
			// rest come from the connection, which the server closes when
			// it is done.
			var xe *exchange.Error
			var te *mtproto.TransportError
			if !errors.As(err, &xe) && !errors.As(err, &te) && !errors.Is(err, exchange.ErrNoKey) &&
				!errors.Is(err, io.ErrClosedPipe) && !errors.Is(err, io.EOF) {
				t.Fatalf("%s: error %q is neither the exchange's nor the connection's", what, err)
			}
			return
		}
		if !got.Key.Equal(want.Key) || got.Salt != want.Salt {
			t.Fatalf("%s: the exchange succeeded with a key or salt other than the server's", what)
		}
	})
}
