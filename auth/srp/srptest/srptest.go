// Package srptest is the server side of Telegram's SRP-2048 for tests:
// it keeps a password's verifier, hands out srp_B challenges and checks
// the proofs (A, M1) clients send, written from the algorithm of
// https://core.telegram.org/api/srp rather than from the client's code,
// so that a test of the two together checks one against the other.
package srptest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"math/big"
	"sync"
	"testing"

	"github.com/tgraw/tgraw/auth/srp"
	"github.com/tgraw/tgraw/mtcrypto"
)

// Params returns parameters like those Telegram gives in
// account.password: the published 2048-bit prime, g = 3, a 40-byte salt1
// and a 16-byte salt2.
func Params() srp.Params {
	return srp.Params{
		Salt1: []byte("salt one, 40 bytes long, as Telegram's!"), Salt2: []byte("sixteen bytes..."),
		G: 3, P: mtcrypto.DHPrime.FillBytes(make([]byte, 256)),
	}
}

// Server checks proofs of one password.
type Server struct {
	params srp.Params
	p, g   *big.Int
	v      *big.Int

	mu         sync.Mutex
	next       int64
	challenges map[int64]challenge
}

type challenge struct {
	b, gB *big.Int
}

// NewServer returns a server for password with params (salt1, salt2, g,
// p); it keeps only the verifier v = g^x mod p.
func NewServer(password []byte, params srp.Params) (*Server, error) {
	v, err := srp.Verifier(password, params)
	if err != nil {
		return nil, err
	}
	return &Server{
		params:     params,
		p:          new(big.Int).SetBytes(params.P),
		g:          big.NewInt(int64(params.G)),
		v:          new(big.Int).SetBytes(v),
		next:       1000,
		challenges: map[int64]challenge{},
	}, nil
}

// New returns a server for password with Params, and fails tb when it
// cannot be made.
func New(tb testing.TB, password string) *Server {
	tb.Helper()
	s, err := NewServer([]byte(password), Params())
	if err != nil {
		tb.Fatalf("srptest: %v", err)
	}
	return s
}

// Params returns the algorithm's parameters, for account.password.
func (s *Server) Params() srp.Params { return s.params }

// Challenge draws a secret b and returns an srp_id and srp_B = (k·v +
// g^b) mod p with k = H(p | g).
func (s *Server) Challenge() (id int64, srpB []byte, err error) {
	b, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 2048))
	if err != nil {
		return 0, nil, err
	}
	k := new(big.Int).SetBytes(h(pad(s.p), pad(s.g)))
	gB := new(big.Int).Exp(s.g, b, s.p)
	gB.Add(gB, new(big.Int).Mul(k, s.v)).Mod(gB, s.p)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	s.challenges[s.next] = challenge{b: b, gB: gB}
	return s.next, pad(gB), nil
}

// ErrUnknownChallenge is the error of Verify for an srp_id it did not hand
// out, or one already used.
var ErrUnknownChallenge = errors.New("srptest: unknown or used srp_id")

// Verify checks a proof for the challenge id: each challenge is checked
// once. It reports whether the proof is right.
func (s *Server) Verify(id int64, a, m1 []byte) (bool, error) {
	s.mu.Lock()
	c, ok := s.challenges[id]
	delete(s.challenges, id)
	s.mu.Unlock()
	if !ok {
		return false, ErrUnknownChallenge
	}
	gA := new(big.Int).SetBytes(a)
	one := big.NewInt(1)
	if len(a) > 256 || gA.Cmp(one) <= 0 || gA.Cmp(new(big.Int).Sub(s.p, one)) >= 0 {
		return false, nil
	}
	// u = H(A | B); S = (A·v^u)^b mod p; K = H(S).
	u := new(big.Int).SetBytes(h(pad(gA), pad(c.gB)))
	sv := new(big.Int).Exp(s.v, u, s.p)
	sv.Mul(sv, gA).Mod(sv, s.p)
	key := h(pad(new(big.Int).Exp(sv, c.b, s.p)))
	hp, hg := h(pad(s.p)), h(pad(s.g))
	for i := range hp {
		hp[i] ^= hg[i]
	}
	want := h(hp, h(s.params.Salt1), h(s.params.Salt2), pad(gA), pad(c.gB), key)
	return subtle.ConstantTimeCompare(want, m1) == 1, nil
}

func h(parts ...[]byte) []byte {
	d := sha256.New()
	for _, p := range parts {
		d.Write(p)
	}
	return d.Sum(nil)
}

func pad(n *big.Int) []byte { return n.FillBytes(make([]byte, 256)) }
