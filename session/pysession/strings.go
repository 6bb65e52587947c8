package pysession

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/tgraw/tgraw/mtcrypto"
	"github.com/tgraw/tgraw/session"
)

const stringSource = "string session"

// ParseString reads a string session of Pyrogram or Telethon, telling
// which by its length: Telethon's have 353 characters (IPv4) or 369
// (IPv6), Pyrogram's 351, 356 or 362.
func ParseString(s string) (*Imported, error) {
	s = strings.TrimSpace(s)
	switch len(s) {
	case 353, 369:
		return ParseTelethonString(s)
	case 351, 356, 362:
		return ParsePyrogramString(s)
	}
	return nil, &FormatError{Source: stringSource, Reason: fmt.Sprintf("%d characters: Telethon's have 353 or 369, Pyrogram's 351, 356 or 362", len(s))}
}

// ParsePyrogramString reads a Pyrogram string session: URL-safe base64,
// padding stripped, of a big-endian struct, whose length says its layout:
//
//	271 bytes (362 characters, Pyrogram 2): dc_id u8, api_id u32, test_mode bool, auth_key [256], user_id u64, is_bot bool
//	267 bytes (356 characters):              dc_id u8, test_mode bool, auth_key [256], user_id u64, is_bot bool
//	263 bytes (351 characters):              dc_id u8, test_mode bool, auth_key [256], user_id u32, is_bot bool
func ParsePyrogramString(s string) (*Imported, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(strings.TrimSpace(s), "="))
	if err != nil {
		return nil, &FormatError{Source: stringSource, Reason: "not URL-safe base64: " + err.Error()}
	}
	imp := &Imported{Format: "Pyrogram string session"}
	var (
		rest      []byte
		userBytes int
	)
	switch len(b) {
	case 271:
		imp.APIID = int(binary.BigEndian.Uint32(b[1:5]))
		rest, userBytes = b[5:], 8
	case 267:
		rest, userBytes = b[1:], 8
	case 263:
		rest, userBytes = b[1:], 4
	default:
		return nil, &FormatError{Source: stringSource, Reason: fmt.Sprintf("%d bytes: Pyrogram's have 263, 267 or 271", len(b))}
	}
	test, err := boolByte(rest[0])
	if err != nil {
		return nil, &FormatError{Source: stringSource, Reason: "test_mode: " + err.Error()}
	}
	key, err := mtcrypto.NewAuthKey(rest[1 : 1+mtcrypto.AuthKeySize])
	if err != nil {
		return nil, &FormatError{Source: stringSource, Reason: err.Error()}
	}
	rest = rest[1+mtcrypto.AuthKeySize:]
	var user int64
	if userBytes == 8 {
		user = int64(binary.BigEndian.Uint64(rest[:8]))
	} else {
		user = int64(binary.BigEndian.Uint32(rest[:4]))
	}
	bot, err := boolByte(rest[userBytes])
	if err != nil {
		return nil, &FormatError{Source: stringSource, Reason: "is_bot: " + err.Error()}
	}
	dc := int(b[0])
	if dc == 0 {
		return nil, &FormatError{Source: stringSource, Reason: "DC 0 is not a data centre"}
	}
	imp.Session = &session.Session{DC: dc, Test: test, AuthKey: key, UserID: user, Bot: bot}
	return imp, nil
}

func boolByte(b byte) (bool, error) {
	switch b {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, fmt.Errorf("%#x is not a boolean", b)
}

// ParseTelethonString reads a Telethon string session: '1', then URL-safe
// base64 with padding of the big-endian dc_id u8, the server's IPv4 (4
// bytes) or IPv6 (16) address, port u16 and auth_key [256]. It holds no
// user ID: Self is unknown until the first call that returns the account.
func ParseTelethonString(s string) (*Imported, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "1") {
		return nil, &FormatError{Source: stringSource, Reason: "Telethon's start with the version 1"}
	}
	b, err := base64.URLEncoding.DecodeString(s[1:])
	if err != nil {
		return nil, &FormatError{Source: stringSource, Reason: "not URL-safe base64: " + err.Error()}
	}
	var ipLen int
	switch len(b) {
	case 1 + 4 + 2 + mtcrypto.AuthKeySize:
		ipLen = 4
	case 1 + 16 + 2 + mtcrypto.AuthKeySize:
		ipLen = 16
	default:
		return nil, &FormatError{Source: stringSource, Reason: fmt.Sprintf("%d bytes: Telethon's have 263 or 275", len(b))}
	}
	ip := net.IP(b[1 : 1+ipLen])
	port := int(binary.BigEndian.Uint16(b[1+ipLen : 3+ipLen]))
	sess, err := telethonSession(stringSource, int(b[0]), ip.String(), port)
	if err != nil {
		return nil, err
	}
	key, err := mtcrypto.NewAuthKey(b[3+ipLen:])
	if err != nil {
		return nil, &FormatError{Source: stringSource, Reason: err.Error()}
	}
	sess.AuthKey = key
	return &Imported{Format: "Telethon string session", Session: sess}, nil
}

// stringFile reads a file that holds a string session.
func stringFile(path string) (*Imported, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pysession: %w", err)
	}
	if len(b) > 1024 {
		return nil, &FormatError{Source: path, Reason: "neither an SQLite database nor a string session (too long)"}
	}
	imp, err := ParseString(string(b))
	if err != nil {
		if fe, ok := err.(*FormatError); ok {
			return nil, &FormatError{Source: path, Reason: "neither an SQLite database nor a string session: " + fe.Reason}
		}
		return nil, err
	}
	return imp, nil
}
