package mtcrypto

import (
	"errors"
	"fmt"
	"math/big"
	"math/bits"
)

// Factorize splits pq, the product of two distinct odd primes that resPQ
// sends, into p < q. It uses Pollard's rho with Brent's cycle detection
// and batched gcds (R. P. Brent, "An improved Monte Carlo factorization
// algorithm", 1980), deterministic, trying the polynomials x^2 + c for c
// = 1, 2, … until one splits pq. It refuses what is not such a product.
func Factorize(pq uint64) (p, q uint64, err error) {
	if pq < 15 || pq%2 == 0 {
		return 0, 0, fmt.Errorf("pq = %d is not a product of two odd primes", pq)
	}
	if isPrime(pq) {
		return 0, 0, fmt.Errorf("pq = %d is prime", pq)
	}
	var d uint64
	for c := uint64(1); c <= 16 && d == 0; c++ {
		d = brent(pq, c)
	}
	if d == 0 {
		return 0, 0, fmt.Errorf("pq = %d: no factor found", pq)
	}
	p, q = d, pq/d
	if p > q {
		p, q = q, p
	}
	if p == q || !isPrime(p) || !isPrime(q) {
		return 0, 0, fmt.Errorf("pq = %d is not a product of two distinct primes", pq)
	}
	return p, q, nil
}

// maxSteps bounds the steps of one polynomial: a 64-bit semiprime splits
// in about 2^16, so a server's pq can keep the client busy for a bounded
// time only, even one made to resist.
const maxSteps = 1 << 22

// brent returns a nontrivial factor of n found with x -> x^2 + c, or 0.
func brent(n, c uint64) uint64 {
	const m = 128 // steps between gcds
	f := func(x uint64) uint64 { return addMod(mulMod(x, x, n), c, n) }
	y, r, g := uint64(2), uint64(1), uint64(1)
	var x, ys uint64
	acc := uint64(1)
	for g == 1 {
		x = y
		for range r {
			y = f(y)
		}
		for k := uint64(0); k < r && g == 1; k += m {
			ys = y
			for i := uint64(0); i < min(m, r-k); i++ {
				y = f(y)
				acc = mulMod(acc, absDiff(x, y), n)
			}
			g = gcd(acc, n)
		}
		r *= 2
		if r > maxSteps {
			return 0
		}
	}
	if g == n {
		// The batch overshot: step one at a time from its start.
		for {
			ys = f(ys)
			g = gcd(absDiff(x, ys), n)
			if g > 1 {
				break
			}
		}
	}
	if g == n {
		return 0
	}
	return g
}

func mulMod(a, b, n uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return bits.Rem64(hi, lo, n)
}

func addMod(a, b, n uint64) uint64 {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 || s >= n {
		s -= n
	}
	return s
}

func absDiff(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// isPrime is exact for 64-bit values: Go's ProbablyPrime is deterministic
// below 2^64.
func isPrime(n uint64) bool { return new(big.Int).SetUint64(n).ProbablyPrime(0) }

// FactorizeBytes splits pq given as resPQ carries it (big-endian bytes, at
// most 8) into p < q as req_DH_params carries them.
func FactorizeBytes(pq []byte) (p, q []byte, err error) {
	if len(pq) == 0 || len(pq) > 8 {
		return nil, nil, errors.New("pq does not fit 64 bits")
	}
	n := new(big.Int).SetBytes(pq).Uint64()
	a, b, err := Factorize(n)
	if err != nil {
		return nil, nil, err
	}
	return new(big.Int).SetUint64(a).Bytes(), new(big.Int).SetUint64(b).Bytes(), nil
}
