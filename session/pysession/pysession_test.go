package pysession_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tgraw/tgraw/mtcrypto"
	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/sqlitestore"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/session/pysession"
	"github.com/tgraw/tgraw/session/pysession/pysessiontest"
)

func hash(v int64) *int64 { return &v }

func authKey(t *testing.T, b []byte) mtcrypto.AuthKey {
	t.Helper()
	k, err := mtcrypto.NewAuthKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// untouched records a file and its directory, and checks at the end of
// the test that neither changed: same bytes, no new file (journal, WAL).
func untouched(t *testing.T, path string) {
	t.Helper()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(path)
	names := func() []string {
		entries, _ := os.ReadDir(dir)
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	list := names()
	t.Cleanup(func() {
		after, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(before, after) {
			t.Errorf("%s changed", path)
		}
		if now := names(); !slices.Equal(list, now) {
			t.Errorf("the directory changed: %v, then %v", list, now)
		}
	})
}

var pyrogramPeers = []pysessiontest.PyrogramPeer{
	{ID: 5001, AccessHash: hash(51), Type: "user", Usernames: []string{"Ann"}, Phone: "15550001"},
	{ID: 777, AccessHash: hash(-7), Type: "bot", Usernames: []string{"Robot_Bot"}},
	{ID: -123, AccessHash: hash(0), Type: "group"},
	{ID: -1001234567890, AccessHash: hash(99), Type: "supergroup", Usernames: []string{"chat_room"}},
	{ID: -1009876543210, AccessHash: hash(-98), Type: "channel", Usernames: []string{"News", "news_alt"}},
	// Not importable: a secret chat's marked ID, and a type that does not
	// match the ID.
	{ID: -2000000000123, AccessHash: hash(1), Type: "user"},
	{ID: 42, AccessHash: hash(1), Type: "supergroup"},
}

func wantPyrogramPeers(self int64, allUsernames bool) []peer.Record {
	news := []string{"news"}
	if allUsernames {
		news = []string{"news", "news_alt"}
	}
	return []peer.Record{
		{Key: peer.ChannelKey(9876543210), AccessHash: -98, HasHash: true, Usernames: news, Broadcast: true},
		{Key: peer.ChannelKey(1234567890), AccessHash: 99, HasHash: true, Usernames: []string{"chat_room"}},
		{Key: peer.ChatKey(123)},
		{Key: peer.UserKey(777), AccessHash: -7, HasHash: true, Usernames: []string{"robot_bot"}, Bot: true},
		{Key: peer.UserKey(5001), AccessHash: 51, HasHash: true, Usernames: []string{"ann"}, Phone: "15550001", Self: self == 5001},
	}
}

// comparePeers compares records, ignoring when they were written.
func comparePeers(t *testing.T, got, want []peer.Record) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(peer.Record{}, "UpdatedAt"), cmpopts.EquateEmpty()); d != "" {
		t.Errorf("peers (-want +got):\n%s", d)
	}
}

// TestPyrogramFile reads Pyrogram files of each schema: the session row,
// the peers with their marked IDs converted and their types, Kurigram's
// usernames and update state; rows that cannot be imported are listed.
func TestPyrogramFile(t *testing.T) {
	ctx := context.Background()
	for _, version := range []int{1, 2, 3, 6} {
		t.Run("version "+string(rune('0'+version)), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "account.session")
			state := []pysessiontest.UpdateState{{ID: 0, Pts: 100, Qts: 3, Date: 1700000000, Seq: 9}, {ID: -1001234567890, Pts: 55}}
			if err := pysessiontest.PyrogramFile(path, version,
				pysessiontest.PyrogramSession{DC: 4, APIID: 12345, Test: version == 2, Key: pysessiontest.Key(3), UserID: 5001},
				pyrogramPeers, state); err != nil {
				t.Fatal(err)
			}
			untouched(t, path)
			for name, read := range map[string]func(context.Context, string) (*pysession.Imported, error){
				"ReadFile": pysession.ReadFile, "ReadPyrogramFile": pysession.ReadPyrogramFile,
			} {
				imp, err := read(ctx, path)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				s := imp.Session
				if s.DC != 4 || s.Test != (version == 2) || s.UserID != 5001 || s.Bot || !s.AuthKey.Equal(authKey(t, pysessiontest.Key(3))) {
					t.Errorf("%s: session %v", name, s)
				}
				if wantAPI := map[bool]int{true: 12345, false: 0}[version >= 3]; imp.APIID != wantAPI {
					t.Errorf("api_id %d, want %d", imp.APIID, wantAPI)
				}
				comparePeers(t, imp.Peers, wantPyrogramPeers(5001, version == 6))
				if len(imp.Skipped) != 2 || !strings.Contains(imp.Skipped[0], "-2000000000123") || !strings.Contains(imp.Skipped[1], "peer 42") {
					t.Errorf("skipped %q, want the secret chat and the mismatched type", imp.Skipped)
				}
				wantState := session.UpdateState{}
				if version == 6 {
					wantState = session.UpdateState{Pts: 100, Qts: 3, Date: 1700000000, Seq: 9, Channels: map[int64]int{1234567890: 55}}
				}
				if d := cmp.Diff(wantState, s.Updates, cmpopts.EquateEmpty()); d != "" {
					t.Errorf("update state (-want +got):\n%s", d)
				}
				if !strings.Contains(imp.Format, "Pyrogram") {
					t.Errorf("format %q", imp.Format)
				}
			}
		})
	}
}

var telethonEntities = []pysessiontest.TelethonEntity{
	{ID: 0, Hash: 5001}, // Telethon's record of the account's own ID
	{ID: 5001, Hash: 51, Username: "Ann", Phone: 15550001, Name: "Ann Example"},
	{ID: 777, Hash: -7, Username: "robot_bot", Name: "Robot"},
	{ID: -321, Hash: 0, Name: "Old group"},
	{ID: -1001234567890, Hash: 99, Username: "chat_room", Name: "Chat room"},
	{ID: -2000000000123, Hash: 1},
}

// TestTelethonFile reads Telethon files of an old and the current
// version: the DC and its address, the entities with marked IDs
// converted, the account's ID from row 0, and the update state.
func TestTelethonFile(t *testing.T) {
	ctx := context.Background()
	for _, version := range []int{3, 7} {
		t.Run("version "+string(rune('0'+version)), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "telethon.session")
			if err := pysessiontest.TelethonFile(path, version,
				pysessiontest.TelethonSession{DC: 2, IP: "149.154.167.51", Port: 443, Key: pysessiontest.Key(5)},
				telethonEntities,
				[]pysessiontest.UpdateState{{ID: 0, Pts: 10, Qts: 1, Date: 1700000001, Seq: 4}, {ID: 1234567890, Pts: 77}}); err != nil {
				t.Fatal(err)
			}
			untouched(t, path)
			for name, read := range map[string]func(context.Context, string) (*pysession.Imported, error){
				"ReadFile": pysession.ReadFile, "ReadTelethonFile": pysession.ReadTelethonFile,
			} {
				imp, err := read(ctx, path)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				s := imp.Session
				if s.DC != 2 || s.Addr != "149.154.167.51:443" || s.Test || s.UserID != 5001 || !s.AuthKey.Equal(authKey(t, pysessiontest.Key(5))) {
					t.Errorf("%s: session %v", name, s)
				}
				comparePeers(t, imp.Peers, []peer.Record{
					{Key: peer.ChannelKey(1234567890), AccessHash: 99, HasHash: true, Usernames: []string{"chat_room"}, Title: "Chat room"},
					{Key: peer.ChatKey(321), Title: "Old group"},
					{Key: peer.UserKey(777), AccessHash: -7, HasHash: true, Usernames: []string{"robot_bot"}, Title: "Robot"},
					{Key: peer.UserKey(5001), AccessHash: 51, HasHash: true, Usernames: []string{"ann"}, Phone: "15550001", Title: "Ann Example", Self: true},
				})
				if len(imp.Skipped) != 1 || !strings.Contains(imp.Skipped[0], "-2000000000123") {
					t.Errorf("skipped %q", imp.Skipped)
				}
				wantState := session.UpdateState{}
				if version == 7 {
					wantState = session.UpdateState{Pts: 10, Qts: 1, Date: 1700000001, Seq: 4, Channels: map[int64]int{1234567890: 77}}
				}
				if d := cmp.Diff(wantState, s.Updates, cmpopts.EquateEmpty()); d != "" {
					t.Errorf("update state (-want +got):\n%s", d)
				}
			}
		})
	}
}

// TestTelethonTestServers: a Telethon session of a test DC is a test
// session.
func TestTelethonTestServers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.session")
	if err := pysessiontest.TelethonFile(path, 7, pysessiontest.TelethonSession{DC: 2, IP: "149.154.167.40", Port: 80, Key: pysessiontest.Key(5)}, nil, nil); err != nil {
		t.Fatal(err)
	}
	imp, err := pysession.ReadFile(context.Background(), path)
	if err != nil || !imp.Session.Test || imp.Session.UserID != 0 {
		t.Fatalf("%v, %v", imp, err)
	}
}

// TestStrings reads every layout of string sessions.
func TestStrings(t *testing.T) {
	key := pysessiontest.Key(9)
	for _, c := range []struct {
		name string
		s    string
		want session.Session
		api  int
	}{
		{"Pyrogram", pysessiontest.PyrogramString(2, 12345, false, key, 1<<40, true), session.Session{DC: 2, UserID: 1 << 40, Bot: true}, 12345},
		{"Pyrogram old", pysessiontest.PyrogramOldString(1, true, key, 5001, false, false), session.Session{DC: 1, Test: true, UserID: 5001}, 0},
		{"Pyrogram old 64-bit", pysessiontest.PyrogramOldString(5, false, key, 1<<35, false, true), session.Session{DC: 5, UserID: 1 << 35}, 0},
		{"Telethon", pysessiontest.TelethonString(4, "149.154.167.91", 443, key), session.Session{DC: 4, Addr: "149.154.167.91:443"}, 0},
		{"Telethon IPv6", pysessiontest.TelethonString(2, "2001:67c:4e8:f002::a", 443, key), session.Session{DC: 2, Addr: "[2001:67c:4e8:f002::a]:443"}, 0},
		{"Telethon test DC", pysessiontest.TelethonString(2, "149.154.167.40", 80, key), session.Session{DC: 2, Addr: "149.154.167.40:80", Test: true}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			imp, err := pysession.ParseString("  " + c.s + "\n")
			if err != nil {
				t.Fatal(err)
			}
			s := imp.Session
			if !s.AuthKey.Equal(authKey(t, key)) {
				t.Error("auth key differs")
			}
			s.AuthKey = mtcrypto.AuthKey{}
			if d := cmp.Diff(c.want, *s, cmpopts.EquateEmpty(), cmp.Comparer(func(a, b mtcrypto.AuthKey) bool { return a.Equal(b) })); d != "" {
				t.Errorf("session (-want +got):\n%s", d)
			}
			if imp.APIID != c.api {
				t.Errorf("api_id %d, want %d", imp.APIID, c.api)
			}
			// The same string in a file.
			path := filepath.Join(t.TempDir(), "string.txt")
			if err := os.WriteFile(path, []byte(c.s+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if imp, err := pysession.ReadFile(context.Background(), path); err != nil || imp.Session.DC != c.want.DC {
				t.Errorf("the string in a file: %v", err)
			}
		})
	}
}

// TestRefused: what is not a session of either library is a
// *pysession.FormatError that says what it is, and is left as it was.
func TestRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	file := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pyrogram := func(name string, s pysessiontest.PyrogramSession) string {
		p := filepath.Join(dir, name)
		if err := pysessiontest.PyrogramFile(p, 3, s, nil, nil); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tgraw := filepath.Join(dir, "tgraw.session")
	store, err := sqlitestore.Open(ctx, tgraw)
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	foreign := filepath.Join(dir, "other.db")
	if err := pysessiontest.PyrogramFile(foreign, 3, pysessiontest.PyrogramSession{DC: 1, Key: pysessiontest.Key(1)}, nil, nil); err != nil {
		t.Fatal(err)
	}
	telethon := filepath.Join(dir, "telethon.session")
	if err := pysessiontest.TelethonFile(telethon, 7, pysessiontest.TelethonSession{DC: 2, IP: "149.154.167.51", Port: 443, Key: pysessiontest.Key(2)}, nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, path, reason string
		read               func(context.Context, string) (*pysession.Imported, error)
	}{
		{"text", file("notes.txt", []byte("my notes, not a session\n")), "neither an SQLite database nor a string session", pysession.ReadFile},
		{"empty file", file("empty.session", nil), "neither an SQLite database nor a string session", pysession.ReadFile},
		{"damaged SQLite", file("damaged.session", append([]byte("SQLite format 3\x00"), bytes.Repeat([]byte{0xff}, 4096)...)), "SQLite database", pysession.ReadFile},
		{"tgraw file", tgraw, "a tgraw session file already", pysession.ReadFile},
		{"Telethon as Pyrogram", telethon, "not a Pyrogram session file", pysession.ReadPyrogramFile},
		{"Pyrogram as Telethon", foreign, "not a Telethon session file", pysession.ReadTelethonFile},
		{"no auth key", pyrogram("nokey.session", pysessiontest.PyrogramSession{DC: 2}), "no auth key", pysession.ReadFile},
		{"short auth key", pyrogram("shortkey.session", pysessiontest.PyrogramSession{DC: 2, Key: make([]byte, 255)}), "255 bytes", pysession.ReadFile},
		{"DC 0", pyrogram("dc0.session", pysessiontest.PyrogramSession{DC: 0, Key: pysessiontest.Key(1)}), "DC 0", pysession.ReadFile},
		{"a directory", dir, "not a regular file", pysession.ReadFile},
	} {
		t.Run(c.name, func(t *testing.T) {
			if fi, _ := os.Stat(c.path); fi.Mode().IsRegular() {
				untouched(t, c.path)
			}
			_, err := c.read(ctx, c.path)
			var fe *pysession.FormatError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.reason) || fe.Source != c.path {
				t.Errorf("%v, want a *FormatError about %s saying %q", err, c.path, c.reason)
			}
		})
	}
	t.Run("in use", func(t *testing.T) {
		path := pyrogram("busy.session", pysessiontest.PyrogramSession{DC: 2, Key: pysessiontest.Key(1)})
		if err := os.WriteFile(path+"-journal", []byte("a transaction in the middle"), 0o600); err != nil {
			t.Fatal(err)
		}
		untouched(t, path)
		if _, err := pysession.ReadFile(ctx, path); err == nil || !strings.Contains(err.Error(), "in use") {
			t.Errorf("a file with a journal: %v", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(dir, "missing.session")
		if _, err := pysession.ReadFile(ctx, path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%v, want os.ErrNotExist", err)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Error("reading a missing file created it")
		}
	})
	t.Run("strings", func(t *testing.T) {
		key := pysessiontest.Key(1)
		good := pysessiontest.PyrogramString(2, 1, false, key, 1, false)
		for _, s := range []string{
			"", "1", strings.Repeat("A", 352), "1" + strings.Repeat("*", 352), good[:len(good)-1] + "*",
			pysessiontest.PyrogramString(0, 1, false, key, 1, false),
			pysessiontest.PyrogramString(2, 1, false, key, 1, false)[:200] + strings.Repeat("_", 162),
			"2" + pysessiontest.TelethonString(2, "1.2.3.4", 443, key)[1:],
			pysessiontest.TelethonString(0, "1.2.3.4", 443, key),
		} {
			_, err := pysession.ParseString(s)
			var fe *pysession.FormatError
			if !errors.As(err, &fe) {
				t.Errorf("ParseString(%.20q...): %v, want a *FormatError", s, err)
			}
		}
	})
}

// FuzzParseString: no string makes the parsers panic.
func FuzzParseString(f *testing.F) {
	key := pysessiontest.Key(1)
	f.Add(pysessiontest.PyrogramString(2, 1, false, key, 1, false))
	f.Add(pysessiontest.PyrogramOldString(2, false, key, 1, false, false))
	f.Add(pysessiontest.PyrogramOldString(2, false, key, 1, false, true))
	f.Add(pysessiontest.TelethonString(2, "1.2.3.4", 443, key))
	f.Add(pysessiontest.TelethonString(2, "::1", 443, key))
	f.Fuzz(func(t *testing.T, s string) {
		for _, parse := range []func(string) (*pysession.Imported, error){pysession.ParseString, pysession.ParsePyrogramString, pysession.ParseTelethonString} {
			imp, err := parse(s)
			if err == nil && (imp.Session == nil || imp.Session.AuthKey.IsZero()) {
				t.Fatal("a session without a key")
			}
		}
	})
}
