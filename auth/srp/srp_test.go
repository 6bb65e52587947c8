package srp_test

import (
	"bytes"
	"errors"
	"io"
	"math/big"
	"strings"
	"testing"

	"github.com/tgraw/tgraw/auth/srp"
	"github.com/tgraw/tgraw/auth/srp/srptest"
	"github.com/tgraw/tgraw/mtcrypto"
)

var dhPrime = mtcrypto.DHPrime.FillBytes(make([]byte, 256))

func params() srp.Params { return srptest.Params() }

// TestAgainstServer proves a password to a server written from the
// documented algorithm: the right password passes, a wrong one does not,
// and each proof is new (a fresh secret a).
func TestAgainstServer(t *testing.T) {
	srv, err := srptest.NewServer([]byte("correct horse"), params())
	if err != nil {
		t.Fatal(err)
	}
	var answers [][]byte
	for _, c := range []struct {
		password string
		ok       bool
	}{{"correct horse", true}, {"correct horse", true}, {"Correct horse", false}, {"", false}} {
		id, srpB, err := srv.Challenge()
		if err != nil {
			t.Fatal(err)
		}
		ans, err := srp.Check([]byte(c.password), srv.Params(), srpB, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(ans.A) != 256 || len(ans.M1) != 32 {
			t.Fatalf("A has %d bytes and M1 %d, want 256 and 32", len(ans.A), len(ans.M1))
		}
		ok, err := srv.Verify(id, ans.A, ans.M1)
		if err != nil {
			t.Fatal(err)
		}
		if ok != c.ok {
			t.Errorf("password %q: server says %v, want %v", c.password, ok, c.ok)
		}
		answers = append(answers, ans.A)
	}
	if bytes.Equal(answers[0], answers[1]) {
		t.Error("two proofs used the same secret")
	}
	// A proof is checked once.
	id, srpB, _ := srv.Challenge()
	ans, _ := srp.Check([]byte("correct horse"), srv.Params(), srpB, nil)
	if ok, _ := srv.Verify(id, ans.A, ans.M1); !ok {
		t.Fatal("the right password failed")
	}
	if _, err := srv.Verify(id, ans.A, ans.M1); !errors.Is(err, srptest.ErrUnknownChallenge) {
		t.Errorf("a replayed proof: %v", err)
	}
}

// TestRefused feeds each value the client checks a wrong one: the answer
// is refused with an *srp.Error that names it.
func TestRefused(t *testing.T) {
	p := new(big.Int).SetBytes(dhPrime)
	good := make([]byte, 256)
	good[0], good[255] = 0x55, 7
	pMinus1 := new(big.Int).Sub(p, big.NewInt(1)).Bytes()
	notSafe := new(big.Int).Add(p, big.NewInt(6)).FillBytes(make([]byte, 256))
	for _, c := range []struct {
		name   string
		edit   func(*srp.Params)
		srpB   []byte
		reason string
	}{
		{"short p", func(ps *srp.Params) { ps.P = ps.P[1:] }, good, "p has 255 bytes"},
		{"p not a safe prime", func(ps *srp.Params) { ps.P = notSafe }, good, "prime"},
		{"g out of range", func(ps *srp.Params) { ps.G = 8 }, good, "g = 8"},
		{"g not a generator", func(ps *srp.Params) { ps.G = 2 }, good, "does not generate"},
		{"srp_B zero", nil, []byte{0}, "srp_B is not between"},
		{"srp_B one", nil, []byte{1}, "srp_B is not between"},
		{"srp_B p-1", nil, pMinus1, "srp_B is not between"},
		{"srp_B p", nil, dhPrime, "srp_B is not between"},
		{"srp_B small", nil, []byte{1, 0, 0, 0}, "srp_B is within 2^1984"},
		{"srp_B too long", nil, append([]byte{1}, good...), "srp_B has 257 bytes"},
		{"srp_B empty", nil, nil, "srp_B has 0 bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ps := params()
			if c.edit != nil {
				c.edit(&ps)
			}
			_, err := srp.Check([]byte("pw"), ps, c.srpB, nil)
			var se *srp.Error
			if !errors.As(err, &se) || !strings.Contains(err.Error(), c.reason) {
				t.Errorf("Check: %v, want an *srp.Error about %q", err, c.reason)
			}
		})
	}
	t.Run("Verifier", func(t *testing.T) {
		ps := params()
		ps.G = 2
		if _, err := srp.Verifier([]byte("pw"), ps); err == nil {
			t.Error("Verifier accepted a bad g")
		}
	})
}

type brokenReader struct{}

func (brokenReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// zeros gives a = 0 every time: A = 1, never acceptable.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestRandomSource(t *testing.T) {
	srpB := make([]byte, 256)
	srpB[0], srpB[255] = 0x55, 7
	if _, err := srp.Check([]byte("pw"), params(), srpB, brokenReader{}); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a broken random source: %v", err)
	}
	if _, err := srp.Check([]byte("pw"), params(), srpB, zeros{}); err == nil || !strings.Contains(err.Error(), "random source is broken") {
		t.Errorf("a random source that gives zeros: %v", err)
	}
}
