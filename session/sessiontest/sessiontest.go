// Package sessiontest checks that a session.Storage keeps what it is
// given: every field, the update state's channels, the auth keys of
// other data centres, copies rather than shared maps, and ErrNotFound
// before the first Save.
package sessiontest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tgraw/tgraw/mtcrypto"
	"github.com/tgraw/tgraw/session"
)

// Run checks the storage that open returns; each call of open must
// return an empty storage.
func Run(t *testing.T, open func(t *testing.T) session.Storage) {
	ctx := context.Background()

	t.Run("Empty", func(t *testing.T) {
		s := open(t)
		if _, err := s.Load(ctx); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("Load of an empty storage: %v, want ErrNotFound", err)
		}
	})

	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t)
		want := Sample(t)
		if err := s.Save(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := s.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		Compare(t, got, want)

		// The storage keeps copies.
		want.Updates.Channels[77] = 1
		got.Updates.Channels[88] = 1
		want.Keys[9] = session.DCKey{Key: want.AuthKey}
		got.Keys[8] = session.DCKey{Key: want.AuthKey}
		again, err := s.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := again.Updates.Channels[77]; ok {
			t.Error("the storage shares the saved session's map")
		}
		if _, ok := again.Updates.Channels[88]; ok {
			t.Error("the storage shares the loaded session's map")
		}
		if _, ok := again.Keys[9]; ok {
			t.Error("the storage shares the saved session's keys")
		}
		if _, ok := again.Keys[8]; ok {
			t.Error("the storage shares the loaded session's keys")
		}
	})

	t.Run("Replace", func(t *testing.T) {
		s := open(t)
		if err := s.Save(ctx, Sample(t)); err != nil {
			t.Fatal(err)
		}
		// Fewer keys: the ones left out are gone.
		next := &session.Session{DC: 4, Addr: "10.0.0.4:443", Salt: -5, Updates: session.UpdateState{Pts: 9},
			Keys: map[int]session.DCKey{2: {Key: key(t, 3), Salt: 8}}}
		if err := s.Save(ctx, next); err != nil {
			t.Fatal(err)
		}
		got, err := s.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		Compare(t, got, next)
	})
}

// Sample returns a session with every field set.
func Sample(t *testing.T) *session.Session {
	t.Helper()
	return &session.Session{
		DC: 2, Addr: "149.154.167.50:443", Test: true, AuthKey: key(t, 13),
		Salt: -0x1234567890abcdef, TimeOffset: -17 * time.Second,
		UserID: 1 << 40, Bot: true,
		Updates: session.UpdateState{Pts: 100, Qts: 5, Date: 1700000000, Seq: 42,
			Channels: map[int64]int{1000000001: 7, 2: 1 << 30}},
		Keys: map[int]session.DCKey{
			4:   {Key: key(t, 5), Salt: 0x0102030405060708, UserID: 1 << 40},
			203: {Key: key(t, 11), Salt: -0x7a5b3c2d1e0f0a0b},
		},
	}
}

// key returns an auth key made from a seed.
func key(t *testing.T, seed int) mtcrypto.AuthKey {
	t.Helper()
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i*seed + 7)
	}
	k, err := mtcrypto.NewAuthKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Compare fails t when got differs from want; it names the field, never
// the key's or the salt's value.
func Compare(t *testing.T, got, want *session.Session) {
	t.Helper()
	switch {
	case got.DC != want.DC || got.Addr != want.Addr || got.Test != want.Test:
		t.Errorf("DC, address or test flag differ: got %v, want %v", got, want)
	case !got.AuthKey.Equal(want.AuthKey):
		t.Error("auth key differs")
	case got.Salt != want.Salt:
		t.Error("salt differs")
	case got.TimeOffset != want.TimeOffset || got.UserID != want.UserID || got.Bot != want.Bot:
		t.Errorf("time offset, user or bot flag differ: got %v, want %v", got, want)
	case got.Updates.Pts != want.Updates.Pts || got.Updates.Qts != want.Updates.Qts ||
		got.Updates.Date != want.Updates.Date || got.Updates.Seq != want.Updates.Seq:
		t.Errorf("update state differs: got %+v, want %+v", got.Updates, want.Updates)
	case len(got.Updates.Channels) != len(want.Updates.Channels):
		t.Errorf("channels: got %v, want %v", got.Updates.Channels, want.Updates.Channels)
	case len(got.Keys) != len(want.Keys):
		t.Errorf("keys of other DCs: got %d, want %d", len(got.Keys), len(want.Keys))
	default:
		for id, pts := range want.Updates.Channels {
			if got.Updates.Channels[id] != pts {
				t.Errorf("channel %d: pts %d, want %d", id, got.Updates.Channels[id], pts)
			}
		}
		for dc, w := range want.Keys {
			g, ok := got.Keys[dc]
			switch {
			case !ok:
				t.Errorf("the key of DC %d is missing", dc)
			case !g.Key.Equal(w.Key):
				t.Errorf("the auth key of DC %d differs", dc)
			case g.Salt != w.Salt:
				t.Errorf("the salt of DC %d differs", dc)
			case g.UserID != w.UserID:
				t.Errorf("the key of DC %d is signed in to user %d, want %d", dc, g.UserID, w.UserID)
			}
		}
	}
}
