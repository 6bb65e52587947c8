// Package tgerr is Telegram's RPC error as a Go error: the rpc_error a
// call can return, with its code, its type and the number some types
// carry (FLOOD_WAIT_30 waits 30 seconds; PHONE_MIGRATE_2 names DC 2).
//
// The client returns every rpc_error as an *Error, which errors.As finds
// through any wrapping:
//
//	var rpcErr *tgerr.Error
//	if errors.As(err, &rpcErr) && rpcErr.IsType("USERNAME_NOT_OCCUPIED") { … }
//
// or, shorter, tgerr.Is(err, "USERNAME_NOT_OCCUPIED"). Package peer
// recognises errors by their IsType method, so it needs no import of
// this package.
package tgerr

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Error is an RPC error: rpc_error error_code:int error_message:string.
type Error struct {
	// Code is error_code: 303 (see other DC), 400 (bad request), 401
	// (unauthorized), 403 (forbidden), 406, 420 (flood), 500 (internal).
	Code int
	// Message is error_message as the server sent it: "FLOOD_WAIT_30".
	Message string
	// Type is Message without its number: "FLOOD_WAIT". Telegram's
	// documentation writes it with an X in place of the number
	// ("FLOOD_WAIT_X", "FILE_PART_X_MISSING" is "FILE_PART_MISSING" here).
	Type string
	// Argument is the number in Message, 0 if none: the seconds of
	// FLOOD_WAIT_30, the DC of PHONE_MIGRATE_2.
	Argument int
}

// New returns the error of an rpc_error, its Type and Argument parsed from
// the message: the last part between underscores that is all digits is
// the argument, and the other parts, joined, are the type.
func New(code int, message string) *Error {
	e := &Error{Code: code, Message: message, Type: message}
	parts := strings.Split(message, "_")
	if len(parts) < 2 {
		return e
	}
	kept := parts[:0:0]
	found := false
	for _, p := range parts {
		if n, ok := number(p); ok {
			e.Argument, found = n, true
			continue
		}
		kept = append(kept, p)
	}
	if found {
		e.Type = strings.Join(kept, "_")
	}
	return e
}

// number parses a part made only of ASCII digits.
func number(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func (e *Error) Error() string {
	return "rpc error " + strconv.Itoa(e.Code) + ": " + e.Message
}

// IsType reports whether the error's type is t ("FLOOD_WAIT").
func (e *Error) IsType(t string) bool { return e != nil && e.Type == t }

// IsCode reports whether the error's code is code.
func (e *Error) IsCode(code int) bool { return e != nil && e.Code == code }

// As returns the *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Is reports whether err's chain holds an *Error of one of the types.
func Is(err error, types ...string) bool {
	e, ok := As(err)
	if !ok {
		return false
	}
	for _, t := range types {
		if e.Type == t {
			return true
		}
	}
	return false
}

// FloodWait returns how long a FLOOD_WAIT_X, FLOOD_PREMIUM_WAIT_X or
// SLOWMODE_WAIT_X error in err's chain asks to wait.
func FloodWait(err error) (time.Duration, bool) {
	e, ok := As(err)
	if !ok || !(e.Type == "FLOOD_WAIT" || e.Type == "FLOOD_PREMIUM_WAIT" || e.Type == "SLOWMODE_WAIT") {
		return 0, false
	}
	return time.Duration(e.Argument) * time.Second, true
}
