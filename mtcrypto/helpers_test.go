package mtcrypto_test

import (
	"crypto/aes"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"math/big"
	"testing"

	"github.com/gotd/ige"
)

func igeEncrypt(t *testing.T, plain []byte, key, iv [32]byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(key[:])
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, len(plain))
	ige.EncryptBlocks(block, iv[:], out, plain)
	return out
}

// unpad is the server's side of RSA_PAD: it returns the 192 bytes of
// data_with_padding.
func unpad(enc []byte, priv *rsa.PrivateKey) ([]byte, error) {
	m := new(big.Int).Exp(new(big.Int).SetBytes(enc), priv.D, priv.N)
	keyAES := m.FillBytes(make([]byte, 256))
	sum := sha256.Sum256(keyAES[32:])
	var tempKey [32]byte
	for i := range tempKey {
		tempKey[i] = keyAES[i] ^ sum[i]
	}
	block, err := aes.NewCipher(tempKey[:])
	if err != nil {
		return nil, err
	}
	withHash := make([]byte, 224)
	ige.DecryptBlocks(block, make([]byte, 32), withHash, keyAES[32:])
	withPadding := make([]byte, 192)
	for i := range withPadding {
		withPadding[i] = withHash[191-i]
	}
	h := sha256.New()
	h.Write(tempKey[:])
	h.Write(withPadding)
	if string(h.Sum(nil)) != string(withHash[192:]) {
		return nil, errors.New("hash mismatch")
	}
	return withPadding, nil
}
