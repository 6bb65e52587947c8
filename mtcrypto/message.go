package mtcrypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/gotd/ige"
)

// Side is who sent a message: it selects the part of the auth key that
// msg_key and the AES key and IV are computed from (x in the
// documentation).
type Side int

// The two sides. The values are the documentation's x.
const (
	Client Side = 0 // messages from the client to the server (x = 0)
	Server Side = 8 // messages from the server to the client (x = 8)
)

// Sizes of the parts of an encrypted message.
const (
	// HeaderSize is the plaintext before message_data: salt, session_id,
	// message_id, seq_no and message_data_length.
	HeaderSize = 8 + 8 + 8 + 4 + 4
	// MinPadding and MaxPadding bound the random bytes after
	// message_data.
	MinPadding = 12
	MaxPadding = 1024
	// envelope is auth_key_id and msg_key, which precede the encrypted
	// data.
	envelope = 8 + 16
)

// Header is the plaintext that precedes a message's data.
type Header struct {
	Salt      int64
	SessionID int64
	MsgID     int64
	SeqNo     int32
}

// Why Open refuses a message. The errors name the check and never carry
// the bytes of the message or the key.
var (
	// ErrAuthKeyID: the message's auth_key_id is not the key's.
	ErrAuthKeyID = errors.New("auth_key_id is not this connection's key")
	// ErrMsgKey: msg_key does not match the decrypted plaintext, or the
	// encrypted part has a length no message can have (which is
	// reported the same way).
	ErrMsgKey = errors.New("msg_key does not match the plaintext")
	// ErrDataLength: message_data_length is negative, not divisible by 4
	// or longer than the plaintext.
	ErrDataLength = errors.New("message_data_length does not fit the plaintext")
	// ErrPadding: the bytes after message_data are fewer than 12 or more
	// than 1024.
	ErrPadding = errors.New("padding is not 12 to 1024 bytes")
)

// MessageKey returns msg_key: the middle 128 bits of SHA256(auth_key[88+x :
// 120+x] ‖ plaintext), where plaintext includes the padding.
func MessageKey(k AuthKey, side Side, plaintext []byte) [16]byte {
	x := int(side)
	h := sha256.New()
	h.Write(k.part(88+x, 120+x))
	h.Write(plaintext)
	var sum [32]byte
	h.Sum(sum[:0])
	var key [16]byte
	copy(key[:], sum[8:24])
	return key
}

// MessageKeys returns the AES-256-IGE key and IV of a message with the
// given msg_key:
//
//	sha256_a = SHA256(msg_key ‖ auth_key[x : x+36])
//	sha256_b = SHA256(auth_key[40+x : 76+x] ‖ msg_key)
//	aes_key  = sha256_a[0:8] ‖ sha256_b[8:24] ‖ sha256_a[24:32]
//	aes_iv   = sha256_b[0:8] ‖ sha256_a[8:24] ‖ sha256_b[24:32]
func MessageKeys(k AuthKey, side Side, msgKey [16]byte) (key, iv [32]byte) {
	x := int(side)
	h := sha256.New()
	h.Write(msgKey[:])
	h.Write(k.part(x, x+36))
	var a [32]byte
	h.Sum(a[:0])
	h.Reset()
	h.Write(k.part(40+x, 76+x))
	h.Write(msgKey[:])
	var b [32]byte
	h.Sum(b[:0])

	copy(key[0:8], a[0:8])
	copy(key[8:24], b[8:24])
	copy(key[24:32], a[24:32])
	copy(iv[0:8], b[0:8])
	copy(iv[8:24], a[8:24])
	copy(iv[24:32], b[24:32])
	return key, iv
}

// PaddingLen returns how many random bytes Seal appends to a plaintext of
// n bytes: the fewest that make it a multiple of 16, at least 12.
func PaddingLen(n int) int {
	return MinPadding + (16-(n+MinPadding)%16)%16
}

// Seal encrypts a message: the header and body (message_data, whose length
// must be divisible by 4) padded with random bytes from rand, as side
// sends it. It returns auth_key_id ‖ msg_key ‖ encrypted_data.
func Seal(k AuthKey, side Side, h Header, body []byte, rand io.Reader) ([]byte, error) {
	if k.IsZero() {
		return nil, errors.New("mtcrypto: seal with no auth key")
	}
	if len(body)%4 != 0 {
		return nil, fmt.Errorf("mtcrypto: message_data of %d bytes is not divisible by 4", len(body))
	}
	n := HeaderSize + len(body)
	pad := PaddingLen(n)
	out := make([]byte, envelope+n+pad)
	plain := out[envelope:]
	binary.LittleEndian.PutUint64(plain[0:], uint64(h.Salt))
	binary.LittleEndian.PutUint64(plain[8:], uint64(h.SessionID))
	binary.LittleEndian.PutUint64(plain[16:], uint64(h.MsgID))
	binary.LittleEndian.PutUint32(plain[24:], uint32(h.SeqNo))
	binary.LittleEndian.PutUint32(plain[28:], uint32(len(body)))
	copy(plain[HeaderSize:], body)
	if _, err := io.ReadFull(rand, plain[n:]); err != nil {
		return nil, fmt.Errorf("mtcrypto: padding: %w", err)
	}

	msgKey := MessageKey(k, side, plain)
	key, iv := MessageKeys(k, side, msgKey)
	copy(out[0:8], k.id[:])
	copy(out[8:24], msgKey[:])
	// IGE chains each block to the plaintext before it: it cannot run in
	// place.
	if err := encryptIGE(plain, bytes.Clone(plain), key, iv); err != nil {
		return nil, err
	}
	return out, nil
}

// Open decrypts a message side sent and checks it, in the order of the
// security guidelines: auth_key_id; msg_key recomputed over the whole
// plaintext, padding included, and compared in constant time; then
// message_data_length and the padding length. It returns the header and
// message_data (a slice of a new buffer); msg is not modified. Errors are
// ErrAuthKeyID, ErrMsgKey, ErrDataLength and ErrPadding. The checks of the
// header's values (session, msg_id) are the caller's.
func Open(k AuthKey, side Side, msg []byte) (Header, []byte, error) {
	if k.IsZero() {
		return Header{}, nil, errors.New("mtcrypto: open with no auth key")
	}
	if len(msg) < 8 || subtle.ConstantTimeCompare(msg[0:8], k.id[:]) != 1 {
		return Header{}, nil, ErrAuthKeyID
	}
	enc := msg[8:]
	if len(enc) < 16+HeaderSize+MinPadding || (len(enc)-16)%16 != 0 {
		return Header{}, nil, ErrMsgKey
	}
	var msgKey [16]byte
	copy(msgKey[:], enc[:16])
	key, iv := MessageKeys(k, side, msgKey)
	plain := make([]byte, len(enc)-16)
	if err := decryptIGE(plain, enc[16:], key, iv); err != nil {
		return Header{}, nil, ErrMsgKey
	}
	got := MessageKey(k, side, plain)
	if subtle.ConstantTimeCompare(got[:], msgKey[:]) != 1 {
		return Header{}, nil, ErrMsgKey
	}

	h := Header{
		Salt:      int64(binary.LittleEndian.Uint64(plain[0:])),
		SessionID: int64(binary.LittleEndian.Uint64(plain[8:])),
		MsgID:     int64(binary.LittleEndian.Uint64(plain[16:])),
		SeqNo:     int32(binary.LittleEndian.Uint32(plain[24:])),
	}
	// Read as a signed 32-bit length: a "negative" one is refused, not
	// wrapped around.
	n := int64(int32(binary.LittleEndian.Uint32(plain[28:])))
	rest := int64(len(plain) - HeaderSize)
	if n < 0 || n%4 != 0 || n > rest {
		return Header{}, nil, ErrDataLength
	}
	if pad := rest - n; pad < MinPadding || pad > MaxPadding {
		return Header{}, nil, ErrPadding
	}
	return h, plain[HeaderSize : HeaderSize+n : HeaderSize+n], nil
}

// encryptIGE and decryptIGE run AES-256-IGE over whole blocks; they check
// the lengths that package ige would panic on. dst and src must not
// overlap.
func encryptIGE(dst, src []byte, key, iv [32]byte) error {
	return cryptIGE(dst, src, key, iv, ige.EncryptBlocks)
}

func decryptIGE(dst, src []byte, key, iv [32]byte) error {
	return cryptIGE(dst, src, key, iv, ige.DecryptBlocks)
}

func cryptIGE(dst, src []byte, key, iv [32]byte, crypt func(b cipher.Block, iv, dst, src []byte)) error {
	if len(src)%aes.BlockSize != 0 || len(dst) < len(src) {
		return fmt.Errorf("mtcrypto: AES-IGE over %d bytes, not whole blocks", len(src))
	}
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return err
	}
	crypt(block, iv[:], dst, src)
	return nil
}
