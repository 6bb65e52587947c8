package sqlitestore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tgraw/tgraw/peer"
)

// rawDB opens an SQLite file without the store, for setting up and
// inspecting files.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func pragma(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var v string
	if err := db.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

// writerPragma returns a pragma of s's writer connection.
func writerPragma(t *testing.T, s *Store, name string) string {
	t.Helper()
	s.ix.wmu.Lock()
	defer s.ix.wmu.Unlock()
	var v int64
	if err := s.ix.wc.queryRow(context.Background(), "PRAGMA "+name, []any{&v}); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return strconv.FormatInt(v, 10)
}

func TestSchemaVersion(t *testing.T) {
	if SchemaVersion != len(migrations) {
		t.Fatalf("SchemaVersion = %d, but there are %d migrations", SchemaVersion, len(migrations))
	}
}

func TestOpenNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.session")
	s := openAt(t, path)
	if s.Path() != path {
		t.Errorf("Path() = %q; want %q", s.Path(), path)
	}
	db := rawDB(t, path)
	for name, want := range map[string]string{
		"journal_mode":   "wal",
		"user_version":   strconv.Itoa(SchemaVersion),
		"application_id": "1952936567", // "tgrw"
	} {
		if got := pragma(t, db, name); got != want {
			t.Errorf("PRAGMA %s = %s; want %s", name, got, want)
		}
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name IN ('peers', 'usernames', 'peers_view', 'peers_phone', 'invites')`).Scan(&n); err != nil || n != 5 {
		t.Errorf("schema objects = %d, %v; want 5", n, err)
	}
}

// The pragmas of every connection: the busy timeout on both, the sync
// mode on the writer, and readers that cannot write.
func TestConnectionPragmas(t *testing.T) {
	s := openTemp(t, BusyTimeout(1500*time.Millisecond), SyncFull())
	for _, c := range []struct {
		db     *sql.DB
		pragma string
		want   string
	}{
		{s.ix.r, "busy_timeout", "1500"},
		{s.ix.r, "query_only", "1"},
	} {
		if got := pragma(t, c.db, c.pragma); got != c.want {
			t.Errorf("PRAGMA %s = %s; want %s", c.pragma, got, c.want)
		}
	}
	for _, c := range []struct {
		s      *Store
		pragma string
		want   string
	}{
		{s, "busy_timeout", "1500"},
		{s, "synchronous", "2"},
		{s, "temp_store", "2"},
		{openTemp(t), "synchronous", "1"}, // NORMAL by default
	} {
		if got := writerPragma(t, c.s, c.pragma); got != c.want {
			t.Errorf("writer's PRAGMA %s = %s; want %s", c.pragma, got, c.want)
		}
	}
}

// An existing empty file, as left by touch, becomes a session file.
func TestOpenEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.session")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, path)
	if err := s.Put(context.Background(), peer.Record{Key: peer.UserKey(1)}); err != nil {
		t.Fatal(err)
	}
}

// Paths with characters that mean something in a URI.
func TestOpenOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir?with#odd%chars&x=1")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "my account?.session")
	s := openAt(t, path)
	if err := s.Put(context.Background(), peer.Record{Key: peer.UserKey(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the session file is not where it was asked for: %v", err)
	}
}

func TestOpenRelativePath(t *testing.T) {
	t.Chdir(t.TempDir())
	s := openAt(t, "rel.session")
	if err := s.Put(context.Background(), peer.Record{Key: peer.UserKey(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("rel.session"); err != nil {
		t.Error(err)
	}
}

// Files that are not session files are refused with a clear error, and
// left as they were.
func TestOpenNotSession(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]func(t *testing.T, path string){
		"Text": func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte("these are my notes, not a database\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		},
		"LooksLikeSQLite": func(t *testing.T, path string) {
			b := append([]byte("SQLite format 3\x00"), bytes.Repeat([]byte{0xff}, 4096)...)
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
		},
		"OtherApplicationTables": func(t *testing.T, path string) {
			db := rawDB(t, path)
			if _, err := db.Exec(`CREATE TABLE sessions (dc_id INTEGER, auth_key BLOB)`); err != nil {
				t.Fatal(err)
			}
			db.Close()
		},
		"OtherApplicationID": func(t *testing.T, path string) {
			db := rawDB(t, path)
			if _, err := db.Exec(`PRAGMA application_id = 12345`); err != nil {
				t.Fatal(err)
			}
			db.Close()
		},
		"UserVersionWithoutID": func(t *testing.T, path string) {
			db := rawDB(t, path)
			if _, err := db.Exec(`PRAGMA user_version = 3`); err != nil {
				t.Fatal(err)
			}
			db.Close()
		},
	}
	for name, setup := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".session")
			setup(t, path)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Open(context.Background(), path)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s) succeeded; want an error", name)
			}
			var nse *NotSessionError
			if !errors.As(err, &nse) || nse.Path != path {
				t.Fatalf("Open = %v (%T); want a *NotSessionError for %s", err, err, path)
			}
			t.Logf("%v", err)
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Errorf("Open changed a file it refused")
			}
		})
	}
	t.Run("Directory", func(t *testing.T) {
		_, err := Open(context.Background(), dir)
		var nse *NotSessionError
		if !errors.As(err, &nse) {
			t.Errorf("Open(a directory) = %v; want a *NotSessionError", err)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for name, c := range map[string]struct {
		path string
		opts []Option
		want string
	}{
		"EmptyPath":      {"", nil, "empty path"},
		"MissingDir":     {filepath.Join(dir, "no", "such", "dir", "x.session"), nil, "directory exists"},
		"NegativeBusy":   {filepath.Join(dir, "a.session"), []Option{BusyTimeout(-time.Second)}, "negative busy timeout"},
		"NoReaders":      {filepath.Join(dir, "b.session"), []Option{Readers(0)}, "at least one reader"},
		"CancelledOpens": {filepath.Join(dir, "c.session"), nil, ""},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := ctx
			if name == "CancelledOpens" {
				c, cancel := context.WithCancel(ctx)
				cancel()
				ctx = c
			}
			s, err := Open(ctx, c.path, c.opts...)
			if err == nil {
				s.Close()
				t.Fatalf("Open succeeded; want an error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("Open = %v; want an error containing %q", err, c.want)
			}
		})
	}
}

func TestOpenNewerVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "future.session")
	s := openAt(t, path)
	s.Close()
	db := rawDB(t, path)
	if _, err := db.Exec(`PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := Open(context.Background(), path)
	var ve *VersionError
	if !errors.As(err, &ve) || ve.Version != 99 || ve.Supported != SchemaVersion || ve.Path != path {
		t.Fatalf("Open = %v; want a *VersionError for version 99", err)
	}
	if !strings.Contains(err.Error(), "newer version of tgraw") {
		t.Errorf("error %q does not say what to do", err)
	}
	if got := pragma(t, rawDB(t, path), "user_version"); got != "99" {
		t.Errorf("user_version = %s after a refused Open; want 99", got)
	}
}

// oldFile writes a session file of an older schema version at path, and
// runs the statements in it.
func oldFile(t *testing.T, path string, version int, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	db := rawDB(t, path)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if from, to, err := migrate(ctx, conn, path, migrations[:version]); err != nil || from != 0 || to != version {
		t.Fatalf("migrate to version %d = %d, %d, %v", version, from, to, err)
	}
	for _, stmt := range stmts {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	db.Close()
}

// A file of schema version 1, with data in it, is brought to the current
// version on Open and keeps its data.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.session")
	oldFile(t, path, 1,
		`INSERT INTO peers (kind, id, phone, data) VALUES (1, 42, '15550001',
		'{"hash":-7,"has_hash":true,"usernames":["old_user"],"names_seen":1700000000000000000,"title":"Old user","bot":true,"updated":1700000000000000000}')`,
		`INSERT INTO usernames VALUES ('old_user', 1, 42)`)

	s := openAt(t, path)
	if got := pragma(t, rawDB(t, path), "user_version"); got != strconv.Itoa(SchemaVersion) {
		t.Errorf("user_version after Open = %s; want %d", got, SchemaVersion)
	}
	want := peer.Record{
		Key: peer.UserKey(42), AccessHash: -7, HasHash: true, Usernames: []string{"old_user"},
		Phone: "15550001", Title: "Old user", Bot: true, UpdatedAt: time.Unix(1_700_000_000, 0),
	}
	if got, found, err := s.Peer(ctx, want.Key); err != nil || !found || cmp.Diff(want, got) != "" {
		t.Errorf("Peer after migration = %v, %v; (-want +got):\n%s", found, err, cmp.Diff(want, got))
	}
	if got, seen, found, err := s.Username(ctx, "old_user"); err != nil || !found || got.Key != want.Key || !seen.Equal(want.UpdatedAt) {
		t.Errorf("Username after migration = %v, %v, %v, %v", got.Key, seen, found, err)
	}
	if got, found, err := s.Phone(ctx, "15550001"); err != nil || !found || got.Key != want.Key {
		t.Errorf("Phone after migration = %v, %v, %v", got.Key, found, err)
	}
}

// A file of schema version 2, with data in it, is brought to the current
// version on Open: its records read as before, the view shows the new
// column of version 3, and the new invites table works.
func TestMigrateFromVersion2(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v2.session")
	oldFile(t, path, 2,
		`INSERT INTO peers (kind, id, phone, data) VALUES
		(3, 1234567890, NULL, '{"hash":-7,"has_hash":true,"usernames":["old_group"],"names_seen":1700000000000000000,"title":"Old supergroup","updated":1700000000000000000}'),
		(2, 321, NULL, '{"title":"Old group","updated":1700000000000000000}')`,
		`INSERT INTO usernames VALUES ('old_group', 3, 1234567890)`)

	s := openAt(t, path)
	if got := pragma(t, rawDB(t, path), "user_version"); got != strconv.Itoa(SchemaVersion) {
		t.Errorf("user_version after Open = %s; want %d", got, SchemaVersion)
	}
	at := time.Unix(1_700_000_000, 0)
	want := peer.Record{
		Key: peer.ChannelKey(1234567890), AccessHash: -7, HasHash: true, Usernames: []string{"old_group"},
		Title: "Old supergroup", UpdatedAt: at,
	}
	if got, found, err := s.Peer(ctx, want.Key); err != nil || !found || cmp.Diff(want, got) != "" {
		t.Errorf("Peer after migration = %v, %v; (-want +got):\n%s", found, err, cmp.Diff(want, got))
	}
	if got, seen, found, err := s.Username(ctx, "old_group"); err != nil || !found || got.Key != want.Key || !seen.Equal(at) {
		t.Errorf("Username after migration = %v, %v, %v, %v", got.Key, seen, found, err)
	}
	// What version 3 adds: the migration of a basic group, shown by the
	// view, and invite links.
	if err := s.Put(ctx, peer.Record{Key: peer.ChatKey(321), MigratedTo: 1234567890}); err != nil {
		t.Fatal(err)
	}
	var to int64
	if err := s.ix.r.QueryRowContext(ctx, `SELECT migrated_to FROM peers_view WHERE kind = 2 AND id = 321`).Scan(&to); err != nil || to != 1234567890 {
		t.Errorf("peers_view.migrated_to = %d, %v; want 1234567890", to, err)
	}
	if err := s.PutInvite(ctx, "AbC", want.Key, at); err != nil {
		t.Fatal(err)
	}
	if got, seen, found, err := s.Invite(ctx, "AbC"); err != nil || !found || got.Key != want.Key || !seen.Equal(at) {
		t.Errorf("Invite after migration = %v, %v, %v, %v", got.Key, seen, found, err)
	}
}

// A file of schema version 5, whose peers table has no rowids, migrates
// to a table with rowids and a unique (kind, id) index, and keeps every
// record, username, phone number, invite and the session; the records
// written after the migration join them.
func TestMigrateFromVersion5(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v5.session")
	var peers []string
	for i := range 300 {
		peers = append(peers, fmt.Sprintf(`INSERT INTO peers (kind, id, phone, data) VALUES (1, %d, '1555%04d',
			'{"hash":%d,"has_hash":true,"usernames":["old_%d"],"names_seen":1700000000000000000,"title":"Old %d","updated":1700000000000000000}')`,
			1000-i, i, -i, i, i))
		peers = append(peers, fmt.Sprintf(`INSERT INTO usernames VALUES ('old_%d', 1, %d)`, i, 1000-i))
	}
	peers = append(peers,
		`INSERT INTO peers (kind, id, phone, data) VALUES (3, 1234567890, NULL, '{"hash":9,"has_hash":true,"title":"Old channel","updated":1700000000000000000}')`,
		`INSERT INTO invites VALUES ('AbC', 3, 1234567890, 1700000000000000000)`,
		`INSERT INTO channel_pts VALUES (1234567890, 7)`)
	oldFile(t, path, 5, peers...)

	s := openAt(t, path)
	raw := rawDB(t, path)
	if got := pragma(t, raw, "user_version"); got != strconv.Itoa(SchemaVersion) {
		t.Errorf("user_version after Open = %s; want %d", got, SchemaVersion)
	}
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM peers WHERE rowid > 0`).Scan(&n); err != nil || n != 301 {
		t.Errorf("peers with rowids = %d, %v; want 301", n, err)
	}
	if err := raw.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name IN ('peers', 'usernames', 'peers_view', 'peers_phone', 'invites', 'session', 'channel_pts', 'dc_keys', 'peers_v6')`).Scan(&n); err != nil || n != 8 {
		t.Errorf("schema objects = %d, %v; want 8", n, err)
	}
	at := time.Unix(1_700_000_000, 0)
	for i := range 300 {
		want := peer.Record{
			Key: peer.UserKey(int64(1000 - i)), AccessHash: int64(-i), HasHash: true, Usernames: []string{fmt.Sprintf("old_%d", i)},
			Phone: fmt.Sprintf("1555%04d", i), Title: fmt.Sprintf("Old %d", i), UpdatedAt: at,
		}
		if got, found, err := s.Peer(ctx, want.Key); err != nil || !found || cmp.Diff(want, got) != "" {
			t.Fatalf("Peer after migration = %v, %v; (-want +got):\n%s", found, err, cmp.Diff(want, got))
		}
		if got, _, found, err := s.Username(ctx, want.Usernames[0]); err != nil || !found || got.Key != want.Key {
			t.Fatalf("Username(%s) after migration = %v, %v, %v", want.Usernames[0], got.Key, found, err)
		}
		if got, found, err := s.Phone(ctx, want.Phone); err != nil || !found || got.Key != want.Key {
			t.Fatalf("Phone(%s) after migration = %v, %v, %v", want.Phone, got.Key, found, err)
		}
	}
	if got, seen, found, err := s.Invite(ctx, "AbC"); err != nil || !found || got.Key != peer.ChannelKey(1234567890) || !seen.Equal(at) {
		t.Errorf("Invite after migration = %v, %v, %v, %v", got.Key, seen, found, err)
	}
	// A stored peer is updated in place, not inserted again; a new one is
	// added; the view reads both.
	if err := s.Put(ctx, peer.Record{Key: peer.UserKey(1000), Title: "Renamed"}, peer.Record{Key: peer.UserKey(5000), Title: "New"}); err != nil {
		t.Fatal(err)
	}
	var title string
	if err := raw.QueryRow(`SELECT group_concat(title, ',') FROM (SELECT title FROM peers_view WHERE kind = 1 AND id IN (1000, 5000) ORDER BY id)`).Scan(&title); err != nil || title != "Renamed,New" {
		t.Errorf("peers_view titles = %q, %v; want Renamed,New", title, err)
	}
	if err := raw.QueryRow(`SELECT count(*) FROM peers`).Scan(&n); err != nil || n != 302 {
		t.Errorf("peers = %d, %v; want 302", n, err)
	}
	checkConsistent(t, s)
}

// Migrations run in order, each once; a failing one leaves the file as it
// was, at its old version.
func TestMigrateSteps(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "steps.session")
	db := rawDB(t, path)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	list := []string{
		`CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1)`,
		`ALTER TABLE a ADD COLUMN y TEXT NOT NULL DEFAULT 'y'`,
		`CREATE TABLE b (z INTEGER); INSERT INTO b SELECT x FROM a`,
	}
	step := func(n int, wantFrom, wantTo int) {
		t.Helper()
		from, to, err := migrate(ctx, conn, path, list[:n])
		if err != nil || from != wantFrom || to != wantTo {
			t.Fatalf("migrate(list[:%d]) = %d, %d, %v; want %d, %d", n, from, to, err, wantFrom, wantTo)
		}
	}
	step(1, 0, 1)
	step(1, 1, 1)
	step(3, 1, 3)
	step(3, 3, 3)
	var z int
	var y string
	if err := conn.QueryRowContext(ctx, `SELECT b.z, a.y FROM a, b`).Scan(&z, &y); err != nil || z != 1 || y != "y" {
		t.Errorf("after the migrations: %d, %q, %v", z, y, err)
	}

	// A fourth step that fails halfway: its first statement must not stay.
	bad := append(list, `CREATE TABLE c (w INTEGER); INSERT INTO nowhere VALUES (1)`)
	_, _, err = migrate(ctx, conn, path, bad)
	if err == nil || !strings.Contains(err.Error(), "from version 3 to 4") {
		t.Fatalf("failing migration = %v; want an error naming the step", err)
	}
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'c'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a failed migration left table c behind (%d, %v)", n, err)
	}
	if _, version, _, err := fileVersion(ctx, conn); err != nil || version != 3 {
		t.Errorf("version after a failed migration = %d, %v; want 3", version, err)
	}
	// The connection is usable afterwards: no transaction was left open.
	step(3, 3, 3)
}

// Several stores opening a new file at the same time all migrate it
// safely: one creates the schema, the others find it done.
func TestOpenConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "race.session")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(context.Background(), path)
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			errs <- s.Put(context.Background(), peer.Record{Key: peer.UserKey(int64(i + 1))})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	s := openAt(t, path)
	for i := range 8 {
		if _, found, err := s.Peer(context.Background(), peer.UserKey(int64(i+1))); err != nil || !found {
			t.Errorf("peer %d: %v, %v", i+1, found, err)
		}
	}
}

// cancelOnQuery cancels a context once a query has run on the connection.
type cancelOnQuery struct {
	execer
	cancel context.CancelFunc
}

func (c cancelOnQuery) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	row := c.execer.QueryRowContext(ctx, query, args...)
	c.cancel()
	return row
}

// A context that ends before the COMMIT of a file already up to date
// leaves no transaction open on the connection.
func TestMigrateCancelledBeforeCommit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cancel.session")
	conn, err := rawDB(t, path).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, _, err := migrate(ctx, conn, path, migrations); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if _, _, err := migrate(cctx, cancelOnQuery{conn, cancel}, path, migrations); !errors.Is(err, context.Canceled) {
		t.Fatalf("migrate with a context cancelled before COMMIT = %v; want context.Canceled", err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("BEGIN after a cancelled migrate: %v; want no transaction left open", err)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
}
