package mtproto

import (
	"errors"
	"fmt"
	"reflect"
)

// TransportError is an error code the server sent in place of a message
// (a 4-byte frame): 404 (the auth key is unknown, or a query was
// malformed), 429 (too many connections, or container limits exceeded),
// 444 (an invalid DC ID) and others.
type TransportError struct {
	Code int32 // the absolute value, 404 for -404
}

// Transport error codes (https://core.telegram.org/mtproto/mtproto-transports#transport-errors).
const (
	CodeAuthKeyNotFound int32 = 404
	CodeTransportFlood  int32 = 429
	CodeWrongDC         int32 = 444
)

func (e *TransportError) Error() string {
	switch e.Code {
	case CodeAuthKeyNotFound:
		return "mtproto: transport error -404: the server does not know the auth key, or the query was malformed"
	case CodeTransportFlood:
		return "mtproto: transport error -429: too many connections from this address, or too many messages in a container"
	case CodeWrongDC:
		return "mtproto: transport error -444: invalid DC ID"
	}
	return fmt.Sprintf("mtproto: transport error -%d", e.Code)
}

// asTransportError turns the error gotd/td's transport codecs return for a
// 4-byte frame (an unexported type with a Code field, in an internal
// package) into a *TransportError. The codec's own type cannot be named
// outside gotd/td; TestTransportErrorFrame pins this conversion against a
// real frame, so a change of the codec fails the test, not a user.
func asTransportError(err error) (*TransportError, bool) {
	for e := err; e != nil; e = errors.Unwrap(e) {
		v := reflect.ValueOf(e)
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct || v.Type().Name() != "ProtocolErr" ||
			v.Type().PkgPath() != "github.com/gotd/td/internal/proto/codec" {
			continue
		}
		f := v.FieldByName("Code")
		if f.Kind() != reflect.Int32 {
			return nil, false
		}
		code := int32(f.Int())
		if code < 0 {
			code = -code
		}
		return &TransportError{Code: code}, true
	}
	return nil, false
}
