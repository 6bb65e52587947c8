package mtcrypto

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/gotd/td/bin"
)

// TempAESKeys returns the AES-256-IGE key and IV that encrypt
// server_DH_inner_data and client_DH_inner_data, from the nonces at their
// full width (32 and 16 bytes, leading zero bytes included):
//
//	key = SHA1(new_nonce ‖ server_nonce) ‖ SHA1(server_nonce ‖ new_nonce)[0:12]
//	iv  = SHA1(server_nonce ‖ new_nonce)[12:20] ‖ SHA1(new_nonce ‖ new_nonce) ‖ new_nonce[0:4]
func TempAESKeys(newNonce bin.Int256, serverNonce bin.Int128) (key, iv [32]byte) {
	ns := sha1.Sum(append(newNonce[:], serverNonce[:]...))
	sn := sha1.Sum(append(serverNonce[:], newNonce[:]...))
	nn := sha1.Sum(append(newNonce[:], newNonce[:]...))
	copy(key[0:20], ns[:])
	copy(key[20:32], sn[0:12])
	copy(iv[0:8], sn[12:20])
	copy(iv[8:28], nn[:])
	copy(iv[28:32], newNonce[0:4])
	return key, iv
}

// EncryptWithHash encrypts data as the key exchange's answers are:
// AES-256-IGE of SHA1(data) ‖ data ‖ 0..15 random bytes (to a multiple of
// 16 bytes).
func EncryptWithHash(data []byte, key, iv [32]byte, rand io.Reader) ([]byte, error) {
	n := 20 + len(data)
	buf := make([]byte, n+(16-n%16)%16)
	sum := sha1.Sum(data)
	copy(buf, sum[:])
	copy(buf[20:], data)
	if _, err := io.ReadFull(rand, buf[n:]); err != nil {
		return nil, fmt.Errorf("mtcrypto: padding: %w", err)
	}
	enc := make([]byte, len(buf))
	if err := encryptIGE(enc, buf, key, iv); err != nil {
		return nil, err
	}
	return enc, nil
}

// ErrAnswerHash is the error of DecryptWithHash when no length of the
// data matches its SHA1.
var ErrAnswerHash = errors.New("the SHA1 of the answer does not match")

// DecryptWithHash undoes EncryptWithHash: it decrypts enc and returns the
// data whose SHA1 the first 20 bytes are, trying each padding length of 0
// to 15 bytes.
func DecryptWithHash(enc []byte, key, iv [32]byte) ([]byte, error) {
	if len(enc) < 32 || len(enc)%16 != 0 {
		return nil, fmt.Errorf("mtcrypto: an encrypted answer of %d bytes: want a multiple of 16, at least 32", len(enc))
	}
	plain := make([]byte, len(enc))
	if err := decryptIGE(plain, enc, key, iv); err != nil {
		return nil, err
	}
	for pad := 0; pad < 16 && len(plain)-pad >= 20; pad++ {
		data := plain[20 : len(plain)-pad]
		sum := sha1.Sum(data)
		if subtle.ConstantTimeCompare(sum[:], plain[:20]) == 1 {
			return data, nil
		}
	}
	return nil, ErrAnswerHash
}

// NewNonceHash returns new_nonce_hash1, 2 or 3 (n) of dh_gen_ok,
// dh_gen_retry and dh_gen_fail: the lower 128 bits of SHA1(new_nonce ‖ n ‖
// auth_key_aux_hash).
func NewNonceHash(newNonce bin.Int256, n byte, k AuthKey) bin.Int128 {
	buf := make([]byte, 0, 32+1+8)
	buf = append(buf, newNonce[:]...)
	buf = append(buf, n)
	aux := k.AuxHash()
	buf = append(buf, aux[:]...)
	sum := sha1.Sum(buf)
	var h bin.Int128
	copy(h[:], sum[4:20])
	return h
}

// ServerSalt returns the first server salt after a key exchange:
// new_nonce[0:8] XOR server_nonce[0:8], as a little-endian int64.
func ServerSalt(newNonce bin.Int256, serverNonce bin.Int128) int64 {
	var s [8]byte
	for i := range s {
		s[i] = newNonce[i] ^ serverNonce[i]
	}
	return int64(binary.LittleEndian.Uint64(s[:]))
}
