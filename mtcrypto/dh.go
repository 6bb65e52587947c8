package mtcrypto

import (
	"errors"
	"fmt"
	"math/big"
	"sync"
)

// DHPrime is the 2048-bit safe prime Telegram publishes as dh_prime
// (https://core.telegram.org/mtproto/security_guidelines): C71CAEB9 …
// B92FCC5B. CheckDHParams accepts it without a primality test.
var DHPrime = mustHex("C71CAEB9C6B1C9048E6C522F70F13F73980D40238E3E21C14934D037563D930F" +
	"48198A0AA7C14058229493D22530F4DBFA336F6E0AC925139543AED44CCE7C37" +
	"20FD51F69458705AC68CD4FE6B6B13ABDC9746512969328454F18FAF8C595F64" +
	"2477FE96BB2A941D5BCD1D4AC8CC49880708FA9B378E3C4F3A9060BEE67CF9A4" +
	"A4A695811051907E162753B56B0F6B410DBA74D8A84B2A14B3144E0EF1284754" +
	"FD17ED950D5965B4B9DD46582DB1178D169C6BC465B0D6FF9CA3928FEF5B9AE4" +
	"E418FC15E83EBEA0F87FA9FF5EED70050DED2849F47BF959D956850CE929851F" +
	"0D8115F635B105EE2E4E15D04B2454BF6F4FADF034B10403119CD8E3B92FCC5B")

func mustHex(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("mtcrypto: bad hex constant")
	}
	return n
}

// primalityRounds is the number of Miller-Rabin rounds (besides the
// Baillie-PSW test Go always runs) for a dh_prime that is not DHPrime:
// the guidelines allow 15 at first, an error probability below 10^-9.
const primalityRounds = 20

// safePrimes remembers the primes that passed the safe-prime test, keyed
// by their bytes: a server sends the same dh_prime every time.
var safePrimes sync.Map

// CheckDHParams checks the key exchange's dh_prime p and generator g as
// the security guidelines require: p is a safe 2048-bit prime (p and
// (p-1)/2 prime, 2^2047 < p < 2^2048), and g is 2..7 and generates the
// subgroup of order (p-1)/2, which the residue of p decides:
//
//	g = 2: p mod 8 = 7        g = 5: p mod 5 is 1 or 4
//	g = 3: p mod 3 = 2        g = 6: p mod 24 is 19 or 23
//	g = 4: always             g = 7: p mod 7 is 3, 5 or 6
func CheckDHParams(p *big.Int, g int) error {
	if p.BitLen() != 2048 {
		return fmt.Errorf("dh_prime has %d bits, want 2048", p.BitLen())
	}
	if err := CheckGenerator(p, g); err != nil {
		return err
	}
	if p.Cmp(DHPrime) == 0 {
		return nil
	}
	key := string(p.Bytes())
	if _, ok := safePrimes.Load(key); ok {
		return nil
	}
	if !p.ProbablyPrime(primalityRounds) {
		return errors.New("dh_prime is not prime")
	}
	half := new(big.Int).Rsh(p, 1) // (p-1)/2 for an odd p
	if !half.ProbablyPrime(primalityRounds) {
		return errors.New("dh_prime is not a safe prime: (dh_prime-1)/2 is not prime")
	}
	safePrimes.Store(key, true)
	return nil
}

// CheckGenerator checks that g is 2..7 and, by the residue of p, a
// quadratic residue that generates the subgroup of order (p-1)/2 of a safe
// prime p. It does not test p itself.
func CheckGenerator(p *big.Int, g int) error {
	mod := func(m int64) int64 { return new(big.Int).Mod(p, big.NewInt(m)).Int64() }
	var ok bool
	switch g {
	case 2:
		ok = mod(8) == 7
	case 3:
		ok = mod(3) == 2
	case 4:
		ok = true
	case 5:
		r := mod(5)
		ok = r == 1 || r == 4
	case 6:
		r := mod(24)
		ok = r == 19 || r == 23
	case 7:
		r := mod(7)
		ok = r == 3 || r == 5 || r == 6
	default:
		return fmt.Errorf("g = %d, want 2 to 7", g)
	}
	if !ok {
		return fmt.Errorf("g = %d does not generate the subgroup of order (dh_prime-1)/2 for this dh_prime", g)
	}
	return nil
}

// dhMargin is 2^(2048-64), the margin the guidelines recommend between a
// public DH value and both ends of its range.
var dhMargin = new(big.Int).Lsh(big.NewInt(1), 2048-64)

// CheckDHValue checks a public Diffie-Hellman value (g, g_a or g_b)
// against dh_prime p: 1 < v < p-1 and, as recommended,
// 2^(2048-64) < v < p - 2^(2048-64). name says which value it is in the
// error.
func CheckDHValue(name string, v, p *big.Int) error {
	one := big.NewInt(1)
	pMinusOne := new(big.Int).Sub(p, one)
	if v.Cmp(one) <= 0 || v.Cmp(pMinusOne) >= 0 {
		return fmt.Errorf("%s is not between 1 and dh_prime-1", name)
	}
	if v.Cmp(dhMargin) <= 0 || v.Cmp(new(big.Int).Sub(p, dhMargin)) >= 0 {
		return fmt.Errorf("%s is within 2^1984 of an end of its range", name)
	}
	return nil
}
