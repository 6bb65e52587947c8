package mtcrypto

import (
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/gotd/td/bin"
)

// Fingerprint returns the fingerprint of an RSA public key as resPQ lists
// it: the lower 64 bits of SHA1 of the TL serialization of rsa_public_key
// n:bytes e:bytes (n and e big-endian).
func Fingerprint(k *rsa.PublicKey) int64 {
	var b bin.Buffer
	b.PutBytes(k.N.Bytes())
	b.PutBytes(big.NewInt(int64(k.E)).Bytes())
	sum := sha1.Sum(b.Buf)
	return int64(binary.LittleEndian.Uint64(sum[12:20]))
}

// ParsePublicKeys reads RSA public keys from PEM blocks, "RSA PUBLIC KEY"
// (PKCS #1, as Telegram publishes them) or "PUBLIC KEY" (PKIX).
func ParsePublicKeys(data []byte) ([]*rsa.PublicKey, error) {
	var keys []*rsa.PublicKey
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		switch block.Type {
		case "RSA PUBLIC KEY":
			k, err := x509.ParsePKCS1PublicKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("mtcrypto: RSA PUBLIC KEY %d: %w", len(keys)+1, err)
			}
			keys = append(keys, k)
		case "PUBLIC KEY":
			k, err := x509.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("mtcrypto: PUBLIC KEY %d: %w", len(keys)+1, err)
			}
			rk, ok := k.(*rsa.PublicKey)
			if !ok {
				return nil, fmt.Errorf("mtcrypto: PUBLIC KEY %d is a %T, not an RSA key", len(keys)+1, k)
			}
			keys = append(keys, rk)
		default:
			return nil, fmt.Errorf("mtcrypto: PEM block %q is not an RSA public key", block.Type)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("mtcrypto: no PEM-encoded RSA public key found")
	}
	return keys, nil
}

// RSAPadMaxData is the most data RSAPad encrypts.
const RSAPadMaxData = 144

// RSAPad encrypts data (at most 144 bytes, the TL serialization of
// p_q_inner_data) for the server that holds k, as the key exchange's
// req_DH_params carries it:
//
//	data_with_padding = data ‖ random bytes, 192 bytes
//	data_with_hash    = reversed(data_with_padding) ‖ SHA256(temp_key ‖ data_with_padding)
//	aes_encrypted     = AES-256-IGE(data_with_hash, temp_key, zero IV)
//	key_aes_encrypted = (temp_key XOR SHA256(aes_encrypted)) ‖ aes_encrypted
//
// with a random 32-byte temp_key, drawn again while key_aes_encrypted is
// not below the modulus; the result is key_aes_encrypted^e mod n as 256
// big-endian bytes.
func RSAPad(data []byte, k *rsa.PublicKey, rand io.Reader) ([]byte, error) {
	if len(data) > RSAPadMaxData {
		return nil, fmt.Errorf("mtcrypto: RSA_PAD of %d bytes, at most %d fit", len(data), RSAPadMaxData)
	}
	if k.N.BitLen() != 2048 {
		return nil, fmt.Errorf("mtcrypto: RSA_PAD needs a 2048-bit key, this one has %d bits", k.N.BitLen())
	}
	withPadding := make([]byte, 192)
	copy(withPadding, data)
	if _, err := io.ReadFull(rand, withPadding[len(data):]); err != nil {
		return nil, fmt.Errorf("mtcrypto: RSA_PAD padding: %w", err)
	}
	withHash := make([]byte, 224)
	for i, c := range withPadding {
		withHash[191-i] = c
	}
	var tempKey [32]byte
	keyAES := make([]byte, 256)
	m := new(big.Int)
	for attempt := 0; ; attempt++ {
		if attempt == 100 {
			// A uniform 256-byte value is below a 2048-bit modulus with
			// probability above 1/2: a hundred failures mean a broken
			// random source.
			return nil, errors.New("mtcrypto: RSA_PAD found no value below the modulus in 100 draws")
		}
		if _, err := io.ReadFull(rand, tempKey[:]); err != nil {
			return nil, fmt.Errorf("mtcrypto: RSA_PAD temp key: %w", err)
		}
		h := sha256.New()
		h.Write(tempKey[:])
		h.Write(withPadding)
		h.Sum(withHash[:192])
		if err := encryptIGE(keyAES[32:], withHash, tempKey, [32]byte{}); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(keyAES[32:])
		for i := range tempKey {
			keyAES[i] = tempKey[i] ^ sum[i]
		}
		if m.SetBytes(keyAES).Cmp(k.N) < 0 {
			break
		}
	}
	c := new(big.Int).Exp(m, big.NewInt(int64(k.E)), k.N)
	return c.FillBytes(make([]byte, 256)), nil
}
