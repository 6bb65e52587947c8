package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/sha1"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotd/td/tgtest"
	"github.com/gotd/td/tgtest/cluster"

	"github.com/tgraw/tgraw/client"
	"github.com/tgraw/tgraw/peer/sqlitestore"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/session/pysession/pysessiontest"
	"github.com/tgraw/tgraw/tg"
)

// timeout only turns a hang into a failure.
const timeout = time.Minute

// server is a tgtest DC 2 that answers help.getNearestDc and records the
// auth keys of the calls.
type server struct {
	list []tg.DCOption
	keys []*rsa.PublicKey
	addr string

	mu     sync.Mutex
	seen   map[[8]byte]bool
	nearby [][8]byte
}

func startServer(t *testing.T) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := cluster.NewCluster(cluster.Options{})
	s := &server{seen: map[[8]byte]bool{}}
	d := c.Dispatch(2, "dc2")
	d.HandleFunc(tg.HelpGetConfigRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		s.mu.Lock()
		s.seen[req.Session.AuthKey.ID] = true
		s.mu.Unlock()
		return srv.SendResult(req, &tg.Config{ThisDC: 2, DCOptions: s.list, MeURLPrefix: "https://t.me/", DCTxtDomainName: "localhost"})
	})
	d.HandleFunc(tg.HelpGetNearestDCRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		s.mu.Lock()
		s.nearby = append(s.nearby, req.Session.AuthKey.ID)
		s.mu.Unlock()
		return srv.SendResult(req, &tg.NearestDC{Country: "NL", ThisDC: 2, NearestDC: 2})
	})
	for _, k := range c.Keys() {
		s.keys = append(s.keys, k.RSA)
	}
	done := make(chan error, 1)
	go func() { done <- c.Up(ctx) }()
	select {
	case <-c.Ready():
	case err := <-done:
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); <-done })
	for _, o := range c.List().Options {
		s.list = append(s.list, tg.DCOption{ID: o.ID, IPAddress: o.IPAddress, Port: o.Port, Static: o.Static})
		s.addr = net.JoinHostPort(o.IPAddress, strconv.Itoa(o.Port))
	}
	return s
}

func (s *server) options(store session.Storage) client.Options {
	return client.Options{DCList: s.list, PublicKeys: s.keys, Session: store, PingInterval: -1}
}

// key makes an auth key with the server, as the Python program did: a
// run of the client on a session in memory.
func (s *server) key(t *testing.T, ctx context.Context) []byte {
	t.Helper()
	mem := &session.Memory{}
	if err := client.New(1, "hash", s.options(mem)).Run(ctx, func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	sess, err := mem.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return sess.AuthKey.Bytes()
}

// keyID is auth_key_id: the lower 64 bits of SHA1(key), as tgtest keeps
// it.
func keyID(b []byte) [8]byte {
	sum := sha1.Sum(b)
	var id [8]byte
	copy(id[:], sum[12:20])
	return id
}

// TestImportThenCall imports a Pyrogram file, a Telethon file and a
// string session made by the test with the libraries' schemas and
// layouts, each holding a key the server knows; the client then runs on
// the imported file: its first call goes with the imported key (no new
// key exchange), and Self tells the account and its username without a
// call.
func TestImportThenCall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	srv := startServer(t)
	host, portStr, _ := net.SplitHostPort(srv.addr)
	port, _ := strconv.Atoi(portStr)

	for _, c := range []struct {
		name  string
		write func(dir string, key []byte) (src string, stdin string)
		user  int64
		bot   bool
		peers int
	}{
		{"Pyrogram file", func(dir string, key []byte) (string, string) {
			p := filepath.Join(dir, "pyro.session")
			h := int64(51)
			if err := pysessiontest.PyrogramFile(p, 3, pysessiontest.PyrogramSession{DC: 2, APIID: 1, Key: key, UserID: 5001},
				[]pysessiontest.PyrogramPeer{
					{ID: 5001, AccessHash: &h, Type: "user", Usernames: []string{"ann"}},
					{ID: -1001234567890, AccessHash: &h, Type: "channel", Usernames: []string{"news"}},
				}, nil); err != nil {
				t.Fatal(err)
			}
			return p, ""
		}, 5001, false, 2},
		{"Telethon file", func(dir string, key []byte) (string, string) {
			p := filepath.Join(dir, "telethon.session")
			if err := pysessiontest.TelethonFile(p, 7, pysessiontest.TelethonSession{DC: 2, IP: host, Port: port, Key: key},
				[]pysessiontest.TelethonEntity{{ID: 0, Hash: 777}, {ID: 777, Hash: 7, Username: "robot_bot", Name: "Robot"}}, nil); err != nil {
				t.Fatal(err)
			}
			return p, ""
		}, 777, false, 1},
		{"Pyrogram string", func(_ string, key []byte) (string, string) {
			return "-", pysessiontest.PyrogramString(2, 1, false, key, 888, true) + "\n"
		}, 888, true, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			key := srv.key(t, ctx)
			src, stdin := c.write(dir, key)
			dst := filepath.Join(dir, "account.session")
			var out bytes.Buffer
			if err := run(ctx, []string{"import", src, dst}, strings.NewReader(stdin), &out, &out); err != nil {
				t.Fatalf("import: %v", err)
			}
			if !strings.Contains(out.String(), "imported a ") || !strings.Contains(out.String(), strconv.Itoa(c.peers)+" peers") {
				t.Errorf("import said:\n%s", out.String())
			}
			if bytes.Contains(out.Bytes(), key[:8]) {
				t.Error("import printed key bytes")
			}

			store, err := sqlitestore.Open(ctx, dst)
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			opts := srv.options(store)
			opts.Peers = store
			cl := client.New(1, "hash", opts)
			self, ok, err := cl.Self(ctx)
			if err != nil || !ok || self.UserID != c.user || self.Bot != c.bot {
				t.Errorf("Self: %+v, %v, %v", self, ok, err)
			}
			if c.peers > 0 && (len(self.User.Usernames) == 0 || !self.User.Self) {
				t.Errorf("Self's user from the imported peers: %+v", self.User)
			}
			seen := len(srv.seenKeys())
			if err := cl.Run(ctx, func(ctx context.Context) error {
				_, err := cl.API().HelpGetNearestDC(ctx, nil)
				return err
			}); err != nil {
				t.Fatalf("Run on the imported session: %v", err)
			}
			if got := srv.lastNearby(); got != keyID(key) {
				t.Error("the call did not come with the imported key")
			}
			if len(srv.seenKeys()) != seen {
				t.Error("the client made a new key instead of using the imported one")
			}

			out.Reset()
			if err := run(ctx, []string{"info", dst}, nil, &out, &out); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "DC 2") || !strings.Contains(out.String(), strconv.FormatInt(c.user, 10)) {
				t.Errorf("info said:\n%s", out.String())
			}
		})
	}
}

func (s *server) seenKeys() map[[8]byte]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[[8]byte]bool{}
	for k := range s.seen {
		out[k] = true
	}
	return out
}

func (s *server) lastNearby() [8]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.nearby) == 0 {
		return [8]byte{}
	}
	return s.nearby[len(s.nearby)-1]
}

// TestImportRefuses: an ACCOUNT.session with a session is left alone
// without -force and replaced with it; a foreign SOURCE is refused with
// the importer's error; bad arguments say how to call the command.
func TestImportRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "pyro.session")
	if err := pysessiontest.PyrogramFile(src, 3, pysessiontest.PyrogramSession{DC: 4, Key: pysessiontest.Key(2), UserID: 9}, nil, nil); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "account.session")
	var out bytes.Buffer
	if err := run(ctx, []string{"import", src, dst}, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.session")
	if err := pysessiontest.TelethonFile(other, 7, pysessiontest.TelethonSession{DC: 1, IP: "149.154.175.53", Port: 443, Key: pysessiontest.Key(3)}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"import", other, dst}, nil, &out, &out); err == nil || !strings.Contains(err.Error(), "-force") {
		t.Errorf("import over a session: %v", err)
	}
	if err := run(ctx, []string{"import", "-force", other, dst}, nil, &out, &out); err != nil {
		t.Fatalf("import -force: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"info", dst}, nil, &out, &out); err != nil || !strings.Contains(out.String(), "DC 1 at 149.154.175.53:443") {
		t.Errorf("info after -force: %v\n%s", err, out.String())
	}
	if err := run(ctx, []string{"import", "-from", "telethon", src, filepath.Join(dir, "x.session")}, nil, &out, &out); err == nil || !strings.Contains(err.Error(), "not a Telethon session file") {
		t.Errorf("a Pyrogram file as Telethon's: %v", err)
	}
	if err := run(ctx, []string{"import", "-", filepath.Join(dir, "y.session")}, strings.NewReader("not a session"), &out, &out); err == nil {
		t.Error("a bad string on standard input was imported")
	}
	// The two files the wrong way round: each is refused, and the Python
	// library's file is left as it was.
	before, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"import", dst, other}, nil, &out, &out); err == nil || !strings.Contains(err.Error(), "a tgraw session file already") {
		t.Errorf("a tgraw file as SOURCE: %v", err)
	}
	if err := run(ctx, []string{"import", src, other}, nil, &out, &out); err == nil || !strings.Contains(err.Error(), "another application") {
		t.Errorf("a Telethon file as ACCOUNT.session: %v", err)
	}
	if after, err := os.ReadFile(other); err != nil || !bytes.Equal(before, after) {
		t.Errorf("the Telethon file changed (%v)", err)
	}
	for _, args := range [][]string{nil, {"import", src}, {"info"}, {"export"}, {"import", "-from", "kotlin", src, dst}} {
		if err := run(ctx, args, nil, &out, &out); err == nil || !strings.Contains(err.Error(), "wrong arguments") {
			t.Errorf("tgsession %q: %v", args, err)
		}
	}
	if err := run(ctx, []string{"info", filepath.Join(dir, "missing.session")}, nil, &out, &out); err == nil {
		t.Error("info of a missing file")
	}
}
