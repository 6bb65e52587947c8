package tlrt

import (
	"io"
	"unsafe"

	"github.com/gotd/td/bin"
)

// Strings and bytes of a decoded value share one copy of the input: Own
// makes it when a value that can hold them starts to decode (in Decode,
// DecodeBare and the package's Decode functions), and String and Bytes
// return parts of it. So decoding takes no allocation per string, and the
// value shares no memory with the caller's buffer. The copy lives as long
// as any string or bytes of the value.

// String reads a TL string. It shares b's memory: b must be a Decoder
// that Own made.
func String(b *Decoder) (string, error) {
	v, err := text(&b.Buffer, "string")
	if err != nil || len(v) == 0 {
		return "", err
	}
	return unsafe.String(&v[0], len(v)), nil
}

// Bytes reads TL bytes, nil when empty. It shares b's memory, as String
// does; appending to it copies.
func Bytes(b *Decoder) ([]byte, error) {
	v, err := text(&b.Buffer, "bytes")
	if err != nil || len(v) == 0 {
		return nil, err
	}
	return v[:len(v):len(v)], nil
}

// The encoding of TL strings and bytes: a length byte up to 253, or 254
// and a three-byte length; then the bytes, padded to a multiple of four.
const (
	maxShortText = 253
	longText     = 254
)

// text reads the bytes of a TL string or bytes, what names which for an
// error.
func text(b *bin.Buffer, what string) ([]byte, error) {
	buf := b.Buf
	if len(buf) == 0 {
		return nil, io.ErrUnexpectedEOF
	}
	n, head := int(buf[0]), 1
	if n == longText {
		if len(buf) < 4 {
			return nil, io.ErrUnexpectedEOF
		}
		n, head = int(buf[1])|int(buf[2])<<8|int(buf[3])<<16, 4
	}
	if len(buf) < head+n {
		return nil, io.ErrUnexpectedEOF
	}
	if n > maxShortText && head == 1 {
		return nil, &bin.InvalidLengthError{Length: n, Where: what}
	}
	padded := (head + n + 3) &^ 3
	if len(buf) < padded {
		return nil, io.ErrUnexpectedEOF
	}
	b.Buf = buf[padded:]
	return buf[head : head+n], nil
}
