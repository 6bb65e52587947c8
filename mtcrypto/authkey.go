package mtcrypto

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"strconv"
)

// AuthKeySize is the size of an authorization key in bytes.
const AuthKeySize = 256

// AuthKey is a 2048-bit authorization key and its ID. Its zero value is no
// key. It formats, with any verb, as its ID only: printing or logging an
// AuthKey never shows the key.
type AuthKey struct {
	// key returns the key's bytes. It is a function, not an array or a
	// pointer: fmt prints a function as its address, with every verb and
	// at every depth, so printing any value that holds an AuthKey, even in
	// an unexported field, never shows the key.
	key func() *[AuthKeySize]byte
	id  [8]byte
}

// NewAuthKey returns the key with the given 256 bytes (big-endian, as the
// key exchange computes it).
func NewAuthKey(b []byte) (AuthKey, error) {
	if len(b) != AuthKeySize {
		return AuthKey{}, fmt.Errorf("mtcrypto: an auth key has %d bytes, got %d", AuthKeySize, len(b))
	}
	k := new([AuthKeySize]byte)
	copy(k[:], b)
	sum := sha1.Sum(k[:])
	a := AuthKey{key: func() *[AuthKeySize]byte { return k }}
	copy(a.id[:], sum[12:20])
	return a, nil
}

// IsZero reports whether k is the zero AuthKey (no key).
func (k AuthKey) IsZero() bool { return k.key == nil }

// ID returns auth_key_id: the lower 64 bits of SHA1(key), as the int64
// that starts every encrypted message.
func (k AuthKey) ID() int64 { return int64(binary.LittleEndian.Uint64(k.id[:])) }

// AuxHash returns auth_key_aux_hash: the higher 64 bits of SHA1(key).
func (k AuthKey) AuxHash() [8]byte {
	var aux [8]byte
	if k.key != nil {
		sum := sha1.Sum(k.key()[:])
		copy(aux[:], sum[0:8])
	}
	return aux
}

// Bytes returns a copy of the key's 256 bytes, for the session storage;
// nil for the zero AuthKey.
func (k AuthKey) Bytes() []byte {
	if k.key == nil {
		return nil
	}
	b := make([]byte, AuthKeySize)
	copy(b, k.key()[:])
	return b
}

// Equal reports whether k and o are the same key.
func (k AuthKey) Equal(o AuthKey) bool {
	if k.key == nil || o.key == nil {
		return k.key == nil && o.key == nil
	}
	return subtle.ConstantTimeCompare(k.key()[:], o.key()[:]) == 1
}

// String returns "auth key 0x…" with the key's ID, or "no auth key".
func (k AuthKey) String() string {
	if k.key == nil {
		return "no auth key"
	}
	return "auth key " + strconv.FormatUint(binary.LittleEndian.Uint64(k.id[:]), 16)
}

// Format prints String for every verb, so that %x or %#v show no key
// bytes either.
func (k AuthKey) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }

// part returns k[from:to].
func (k AuthKey) part(from, to int) []byte { return k.key()[from:to] }
