package session_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/session/sessiontest"
)

func TestMemory(t *testing.T) {
	sessiontest.Run(t, func(*testing.T) session.Storage { return &session.Memory{} })
}

func TestPrintHidesSecrets(t *testing.T) {
	s := sessiontest.Sample(t)
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%+v", *s), fmt.Sprintf("%#v", s), fmt.Sprintf("%x", s)} {
		if strings.Contains(out, fmt.Sprint(s.Salt)) || strings.Contains(out, "1234567890abcdef") {
			t.Error("printing shows the salt")
		}
		if strings.Contains(out, string(s.AuthKey.Bytes()[:4])) {
			t.Error("printing shows key bytes")
		}
		for dc, k := range s.Keys {
			if strings.Contains(out, fmt.Sprint(k.Salt)) || strings.Contains(out, fmt.Sprintf("%x", k.Salt)) {
				t.Errorf("printing shows the salt of DC %d", dc)
			}
			if strings.Contains(out, string(k.Key.Bytes()[:4])) {
				t.Errorf("printing shows key bytes of DC %d", dc)
			}
		}
		if !strings.Contains(out, "dc 4") && !strings.Contains(out, "4:") {
			t.Error("printing does not name the other DCs")
		}
	}
	if !strings.Contains(fmt.Sprint(s), "dc 2") {
		t.Errorf("printing says nothing useful: %s", s)
	}
}

func TestKeyFromStorage(t *testing.T) {
	s := sessiontest.Sample(t)
	k, err := session.KeyFromStorage(s.AuthKey.Bytes(), s.AuthKey.ID())
	if err != nil || !k.Equal(s.AuthKey) {
		t.Fatalf("a good key: %v", err)
	}
	if k, err := session.KeyFromStorage(nil, 0); err != nil || !k.IsZero() {
		t.Errorf("no key: %v", err)
	}
	damaged := s.AuthKey.Bytes()
	damaged[100] ^= 1
	_, err = session.KeyFromStorage(damaged, s.AuthKey.ID())
	var ke *session.KeyError
	if !errors.As(err, &ke) {
		t.Errorf("a damaged key: %v, want a *KeyError", err)
	}
	if _, err := session.KeyFromStorage(make([]byte, 100), 5); err == nil {
		t.Error("a short key accepted")
	}
}
