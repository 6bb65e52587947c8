package tgerr_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tgraw/tgraw/tgerr"
)

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		code     int
		msg, typ string
		arg      int
	}{
		{420, "FLOOD_WAIT_30", "FLOOD_WAIT", 30},
		{303, "PHONE_MIGRATE_2", "PHONE_MIGRATE", 2},
		{400, "FILE_PART_3_MISSING", "FILE_PART_MISSING", 3},
		{420, "2FA_CONFIRM_WAIT_604800", "2FA_CONFIRM_WAIT", 604800},
		{400, "USERNAME_NOT_OCCUPIED", "USERNAME_NOT_OCCUPIED", 0},
		{500, "INTERDC_2_CALL_ERROR", "INTERDC_CALL_ERROR", 2},
		{400, "A__B", "A__B", 0},
		{400, "LIMIT_99999999999999999999", "LIMIT_99999999999999999999", 0},
		{401, "", "", 0},
		{400, "X_1_2", "X", 2},
	} {
		e := tgerr.New(tc.code, tc.msg)
		if e.Code != tc.code || e.Message != tc.msg || e.Type != tc.typ || e.Argument != tc.arg {
			t.Errorf("New(%d, %q) = %+v, want type %q argument %d", tc.code, tc.msg, e, tc.typ, tc.arg)
		}
	}
}

func TestAsAndIs(t *testing.T) {
	err := fmt.Errorf("call: %w", tgerr.New(420, "FLOOD_WAIT_30"))
	var e *tgerr.Error
	if !errors.As(err, &e) || e.Argument != 30 {
		t.Fatalf("errors.As: %v", err)
	}
	if !tgerr.Is(err, "PEER_FLOOD", "FLOOD_WAIT") || tgerr.Is(err, "PEER_FLOOD") {
		t.Error("Is")
	}
	if d, ok := tgerr.FloodWait(err); !ok || d != 30*time.Second {
		t.Errorf("FloodWait = %v, %v", d, ok)
	}
	if _, ok := tgerr.FloodWait(tgerr.New(400, "BAD")); ok {
		t.Error("FloodWait of a 400")
	}
	if tgerr.Is(errors.New("x"), "X") {
		t.Error("Is of a plain error")
	}
	var nilErr *tgerr.Error
	if nilErr.IsType("X") || nilErr.IsCode(400) {
		t.Error("a nil *Error matched")
	}
	if got := tgerr.New(420, "FLOOD_WAIT_30").Error(); got != "rpc error 420: FLOOD_WAIT_30" {
		t.Errorf("Error() = %q", got)
	}
	// What package peer looks for.
	var typed interface{ IsType(string) bool }
	if !errors.As(err, &typed) || !typed.IsType("FLOOD_WAIT") {
		t.Error("the IsType interface is not found through wrapping")
	}
}

func ExampleIs() {
	err := fmt.Errorf("contacts.resolveUsername: %w", tgerr.New(400, "USERNAME_NOT_OCCUPIED"))
	fmt.Println(tgerr.Is(err, "USERNAME_NOT_OCCUPIED"))
	if d, ok := tgerr.FloodWait(tgerr.New(420, "FLOOD_WAIT_7")); ok {
		fmt.Println("wait", d)
	}
	// Output:
	// true
	// wait 7s
}
