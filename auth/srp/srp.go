// Package srp computes the answer of Telegram's two-step verification:
// the SRP-2048 proof of https://core.telegram.org/api/srp, for the only
// algorithm the API defines,
// passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow.
//
// Check turns a password and the values of account.password (salt1,
// salt2, g, p, srp_B) into the A and M1 of inputCheckPasswordSRP, after
// checking p, g and srp_B as the security guidelines check a
// Diffie-Hellman exchange. Verifier computes v = g^x mod p, what a new
// password is sent as. Nothing here keeps, logs or prints the password or
// any value derived from it; errors name what was wrong, never the bytes.
package srp

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/tgraw/tgraw/mtcrypto"
)

// Iterations is the PBKDF2 iteration count of the algorithm.
const Iterations = 100000

// size is the size of every number fed to a hash: 2048 bits.
const size = 256

// Params are the parameters of the algorithm, as account.password's
// current_algo carries them.
type Params struct {
	Salt1 []byte
	Salt2 []byte
	G     int
	P     []byte // big-endian, 256 bytes
}

// Answer is what inputCheckPasswordSRP sends with the srp_id.
type Answer struct {
	A  []byte // g^a mod p, 256 bytes
	M1 []byte // the proof, 32 bytes
}

// Error is a parameter of the server that fails a check: the answer is
// not computed, and no password-derived value is.
type Error struct {
	What string
}

func (e *Error) Error() string { return "srp: " + e.What }

// Check computes the answer that proves the password to the server, with
// a secret a of 2048 random bits from random (crypto/rand.Reader when
// nil). It first checks the server's values: p a safe 2048-bit prime, g a
// generator of its subgroup of order (p-1)/2, and srp_B between 1 and p-1
// with the margins the security guidelines recommend; a bad one is an
// *Error.
func Check(password []byte, params Params, srpB []byte, random io.Reader) (Answer, error) {
	p, err := checkParams(params)
	if err != nil {
		return Answer{}, err
	}
	if len(srpB) == 0 || len(srpB) > size {
		return Answer{}, &Error{What: fmt.Sprintf("srp_B has %d bytes, want 1 to %d", len(srpB), size)}
	}
	if err := mtcrypto.CheckDHValue("srp_B", new(big.Int).SetBytes(srpB), p); err != nil {
		return Answer{}, &Error{What: err.Error()}
	}
	if random == nil {
		random = rand.Reader
	}
	g := big.NewInt(int64(params.G))
	ph2, err := passwordHash(password, params.Salt1, params.Salt2)
	if err != nil {
		return Answer{}, err
	}
	x := new(big.Int).SetBytes(ph2)
	for range 64 {
		a := make([]byte, size)
		if _, err := io.ReadFull(random, a); err != nil {
			return Answer{}, fmt.Errorf("srp: random source: %w", err)
		}
		// A and t must both pass the checks of a Diffie-Hellman value; a
		// new a is drawn when they do not (with 2^-60 odds for a good
		// random source).
		ans, ok := compute(x, params, p, g, srpB, a, true)
		if ok {
			return ans, nil
		}
	}
	return Answer{}, errors.New("srp: no acceptable secret in 64 draws: the random source is broken")
}

// Verifier returns v = g^x mod p (256 bytes): what account.updatePasswordSettings
// sends as a new password's hash, and what a server keeps to check
// proofs. It checks p and g as Check does.
func Verifier(password []byte, params Params) ([]byte, error) {
	p, err := checkParams(params)
	if err != nil {
		return nil, err
	}
	ph2, err := passwordHash(password, params.Salt1, params.Salt2)
	if err != nil {
		return nil, err
	}
	x := new(big.Int).SetBytes(ph2)
	return pad(new(big.Int).Exp(big.NewInt(int64(params.G)), x, p)), nil
}

func checkParams(params Params) (*big.Int, error) {
	if len(params.P) != size {
		return nil, &Error{What: fmt.Sprintf("p has %d bytes, want %d", len(params.P), size)}
	}
	p := new(big.Int).SetBytes(params.P)
	if err := mtcrypto.CheckDHParams(p, params.G); err != nil {
		return nil, &Error{What: err.Error()}
	}
	return p, nil
}

// compute runs the algorithm with x = PH2(password, salt1, salt2). With
// check, it reports false when A or t fail the checks of a
// Diffie-Hellman value, or u is zero.
func compute(x *big.Int, params Params, p, g *big.Int, srpB, aBytes []byte, check bool) (Answer, bool) {
	gB := new(big.Int).SetBytes(srpB)
	a := new(big.Int).SetBytes(aBytes)
	pBytes := pad(p)
	gBytes := pad(g)
	gBPadded := pad(gB)

	gA := new(big.Int).Exp(g, a, p)
	if check && mtcrypto.CheckDHValue("g_a", gA, p) != nil {
		return Answer{}, false
	}
	gAPadded := pad(gA)

	// k = H(p | g), u = H(g_a | g_b)
	k := new(big.Int).SetBytes(hash(pBytes, gBytes))
	u := new(big.Int).SetBytes(hash(gAPadded, gBPadded))
	if check && u.Sign() == 0 {
		return Answer{}, false
	}
	// k_v = k·g^x mod p; t = (g_b − k_v) mod p, made non-negative.
	kv := new(big.Int).Exp(g, x, p)
	kv.Mul(kv, k).Mod(kv, p)
	t := new(big.Int).Sub(gB, kv)
	t.Mod(t, p) // Go's Mod is Euclidean: the result is in [0, p).
	if check && mtcrypto.CheckDHValue("t", t, p) != nil {
		return Answer{}, false
	}
	// s_a = t^(a + u·x) mod p; k_a = H(s_a)
	exp := new(big.Int).Mul(u, x)
	exp.Add(exp, a)
	sA := new(big.Int).Exp(t, exp, p)
	kA := hash(pad(sA))

	// M1 = H(H(p) xor H(g) | H(salt1) | H(salt2) | g_a | g_b | k_a)
	hp, hg := hash(pBytes), hash(gBytes)
	for i := range hp {
		hp[i] ^= hg[i]
	}
	m1 := hash(hp, hash(params.Salt1), hash(params.Salt2), gAPadded, gBPadded, kA)
	return Answer{A: gAPadded, M1: m1}, true
}

// passwordHash is PH2(password, salt1, salt2) =
// SH(PBKDF2(HMAC-SHA512, PH1(password, salt1, salt2), salt1, 100000), salt2),
// with PH1(password, salt1, salt2) = SH(SH(password, salt1), salt2) and
// SH(data, salt) = H(salt | data | salt).
func passwordHash(password, salt1, salt2 []byte) ([]byte, error) {
	ph1 := saltedHash(saltedHash(password, salt1), salt2)
	dk, err := pbkdf2.Key(sha512.New, string(ph1), salt1, Iterations, sha512.Size)
	if err != nil {
		// In FIPS 140-3 mode, for a salt shorter than 16 bytes.
		return nil, fmt.Errorf("srp: PBKDF2: %w", err)
	}
	return saltedHash(dk, salt2), nil
}

func saltedHash(data, salt []byte) []byte { return hash(salt, data, salt) }

func hash(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// pad writes n big-endian in 256 bytes. Every number it is given is
// below 2^2048: reduced mod p, or checked to be below p.
func pad(n *big.Int) []byte {
	return n.FillBytes(make([]byte, size))
}
