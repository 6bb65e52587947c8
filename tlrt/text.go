package tlrt

import (
	"io"
	"unsafe"

	"github.com/gotd/td/bin"
)

// String reads a TL string. Its bytes are copied into d's chunks (see
// Decoder), which the strings and bytes of the value share.
func String(d *Decoder) (string, error) {
	v, err := d.copyText("string")
	if err != nil || len(v) == 0 {
		return "", err
	}
	return unsafe.String(&v[0], len(v)), nil
}

// Bytes reads TL bytes, nil when empty, copied as String copies. Its
// capacity is its length: appending to it copies it.
func Bytes(d *Decoder) ([]byte, error) {
	v, err := d.copyText("bytes")
	if err != nil || len(v) == 0 {
		return nil, err
	}
	return v, nil
}

// copyText reads the bytes of a TL string or bytes, what names which for
// an error, and copies them into d's chunks.
func (d *Decoder) copyText(what string) ([]byte, error) {
	v, err := text(&d.Buffer, what)
	if err != nil || len(v) == 0 {
		return nil, err
	}
	out := unsafe.Slice((*byte)(d.text.take(d, len(v))), len(v))
	copy(out, v)
	return out, nil
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
