package pgstore

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tgraw/tgraw/peer"
)

// The tests below run this test binary again as child processes, each with
// a DB of its own on the test server. The child's mode and arguments travel
// in these environment variables.
const (
	envChild  = "TGRAW_PGSTORE_CHILD"  // "writer" or "watcher"
	envSchema = "TGRAW_PGSTORE_SCHEMA" // the schema to open
	envArgs   = "TGRAW_PGSTORE_ARGS"   // the mode's arguments, space-separated
)

// childMain runs a child and exits, when this process is one (TestMain
// calls it first).
func childMain() {
	mode := os.Getenv(envChild)
	if mode == "" {
		return
	}
	if err := runChild(mode, os.Getenv(envSchema), strings.Fields(os.Getenv(envArgs)), os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// child returns the command that runs this test binary as a child.
func child(t *testing.T, mode, schema string, args ...any) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), envChild+"="+mode, envSchema+"="+schema, envArgs+"="+strings.TrimSpace(fmt.Sprintln(args...)))
	cmd.Stderr = &bytes.Buffer{} // read after Wait, when the copying is done
	return cmd
}

func runChild(mode, schema string, args []string, in io.Reader, out io.Writer) error {
	ctx := context.Background()
	db, err := Open(ctx, os.Getenv(envURL), Schema(schema))
	if err != nil {
		return err
	}
	defer db.Close()
	ints := make([]int, len(args))
	for i, a := range args {
		if ints[i], err = strconv.Atoi(a); err != nil {
			return fmt.Errorf("argument %q: %w", a, err)
		}
	}
	switch mode {
	case "writer":
		if len(ints) != 3 {
			return errors.New("writer: want process, accounts, rounds")
		}
		return writeLoad(ctx, db, ints[0], ints[1], ints[2], out)
	case "watcher":
		if len(ints) != 1 {
			return errors.New("watcher: want the account's number")
		}
		return watch(ctx, db, ints[0], in, out)
	}
	return fmt.Errorf("unknown child mode %q", mode)
}

// Load of the multi-process tests: goroutines goroutines in each process.
const goroutines = 8

// loadAccount is the name of account a of the load tests.
func loadAccount(a int) string { return fmt.Sprint("load-", a) }

// loadHash is the access hash of user id in account a: no two accounts
// see the same hash for a peer.
func loadHash(a int, id int64) int64 { return int64(a+1)<<40 | id }

// loadAccountOf is the account that goroutine g of process p writes in
// round i.
func loadAccountOf(p, g, i, accounts int) int { return (p*goroutines + g + i*7) % accounts }

// loadBatch is what goroutine g of process p puts in round i into
// account a: five users of its own, each with a username of its own and
// one that every writer contends for, and a phone number that others
// share; and its own counter user, titled with the round.
func loadBatch(p, g, i, a int) []peer.Record {
	recs := make([]peer.Record, 0, 6)
	for j := range 5 {
		id := loadUser(p, g, i, j)
		recs = append(recs, peer.Record{
			Key: peer.UserKey(id), AccessHash: loadHash(a, id), HasHash: true,
			Usernames: []string{fmt.Sprint("u", id), fmt.Sprint("shared", j)},
			Phone:     fmt.Sprint("1555", (g+j)%7),
			Title:     fmt.Sprintf("p%d g%d r%d", p, g, i),
		})
	}
	counter := loadCounter(p, g)
	recs = append(recs, peer.Record{Key: peer.UserKey(counter), AccessHash: loadHash(a, counter), HasHash: true, Title: fmt.Sprint("round ", i)})
	return recs
}

func loadUser(p, g, i, j int) int64 {
	return int64(p)*1_000_000 + int64(g)*10_000 + int64(i)*10 + int64(j) + 1
}

func loadCounter(p, g int) int64 { return 900_000_000 + int64(p)*100 + int64(g) }

// writeLoad runs the goroutines of process p, then reports "done".
func writeLoad(ctx context.Context, db *DB, p, accounts, rounds int, out io.Writer) error {
	stores := make([]*Store, accounts)
	for a := range stores {
		var err error
		if stores[a], err = db.Account(ctx, loadAccount(a)); err != nil {
			return err
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				a := loadAccountOf(p, g, i, accounts)
				s := stores[a]
				batch := loadBatch(p, g, i, a)
				if err := s.Put(ctx, batch...); err != nil {
					errs <- fmt.Errorf("process %d goroutine %d round %d: %w", p, g, i, err)
					return
				}
				// This process reads its own write at once, from its cache
				// or the server.
				want := batch[len(batch)-1]
				if got, found, err := s.Peer(ctx, want.Key); err != nil || !found || got.Title != want.Title || got.AccessHash != want.AccessHash {
					errs <- fmt.Errorf("process %d goroutine %d round %d: Peer(%v) = %q %d %v %v after putting %q %d", p, g, i, want.Key, got.Title, got.AccessHash, found, err, want.Title, want.AccessHash)
					return
				}
				if _, _, _, err := s.Username(ctx, fmt.Sprint("shared", i%5)); err != nil {
					errs <- err
					return
				}
				if _, _, err := s.Phone(ctx, fmt.Sprint("1555", i%7)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	if err := errors.Join(all...); err != nil {
		return err
	}
	_, err := fmt.Fprintln(out, "done")
	return err
}

// runLoad starts processes children that write rounds rounds each into
// accounts accounts of a new schema, all at once (the first thing each
// does is to migrate the new schema), and checks that none failed and
// that every write is there.
func runLoad(t *testing.T, processes, accounts, rounds int) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	schema := freshSchema(t)
	var cmds []*exec.Cmd
	for p := range processes {
		cmd := child(t, "writer", schema, p, accounts, rounds)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for p, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %d: %v\n%s", p, err, cmd.Stderr)
		}
	}
	if t.Failed() {
		return
	}
	checkLoad(t, openDB(t, schema, CacheSize(0)), processes, accounts, rounds)
}

// checkLoad checks what runLoad's writers left: every record each put,
// in its account and in no other, with its last title; and the username
// and phone indexes of each account consistent with its records.
func checkLoad(t *testing.T, db *DB, processes, accounts, rounds int) {
	ctx := context.Background()
	type want struct {
		hash  int64
		title string
	}
	wants := make([]map[peer.Key]want, accounts)
	for a := range wants {
		wants[a] = map[peer.Key]want{}
	}
	for p := range processes {
		for g := range goroutines {
			for i := range rounds {
				a := loadAccountOf(p, g, i, accounts)
				for _, r := range loadBatch(p, g, i, a) {
					// A counter user may move between accounts; its last
					// title in each account is the last round there.
					wants[a][r.Key] = want{r.AccessHash, r.Title}
				}
			}
		}
	}
	total := 0
	for a := range accounts {
		s, err := db.Account(ctx, loadAccount(a))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.Pool().Query(ctx, "SELECT kind, id, access_hash, convert_from(title, 'UTF8') FROM "+schemaTable(db, "peers")+" WHERE account = $1", s.ix.account)
		if err != nil {
			t.Fatal(err)
		}
		got := map[peer.Key]want{}
		for rows.Next() {
			var (
				kind int16
				id   int64
				w    want
			)
			if err := rows.Scan(&kind, &id, &w.hash, &w.title); err != nil {
				t.Fatal(err)
			}
			got[peer.Key{Kind: peer.Kind(kind), ID: id}] = w
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		for k, w := range wants[a] {
			g, ok := got[k]
			switch {
			case !ok:
				t.Errorf("account %d: %v was put and is not there", a, k)
			case g != w:
				t.Errorf("account %d: %v is %+v; want %+v, the last put", a, k, g, w)
			}
		}
		for k := range got {
			if _, ok := wants[a][k]; !ok {
				t.Errorf("account %d holds %v, which was never put there", a, k)
			}
		}
		total += len(got)
		checkConsistent(t, s)
	}
	t.Logf("%d processes x %d goroutines, %d rounds each, over %d accounts: %d records, all there", processes, goroutines, rounds, accounts, total)
}

func schemaTable(db *DB, table string) string {
	return db.sql.quotedSchema + "." + table
}

// checkConsistent checks the invariants of the account's rows: the
// username index names a peer for a username if and only if the peer lists
// it, and a phone number has one holder.
func checkConsistent(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	db := s.DB()
	for _, q := range []struct{ what, sql string }{
		{"index entries whose peer does not list them", `SELECT count(*) FROM {{s}}.usernames AS u
LEFT JOIN {{s}}.peers AS p ON p.account = u.account AND p.kind = u.kind AND p.id = u.id
WHERE u.account = $1 AND (p.id IS NULL OR NOT u.username = ANY (p.usernames))`},
		{"usernames listed by a peer and not indexed to it", `SELECT count(*) FROM {{s}}.peers AS p
CROSS JOIN unnest(p.usernames) AS n (username)
LEFT JOIN {{s}}.usernames AS u ON u.account = p.account AND u.username = n.username
WHERE p.account = $1 AND (u.username IS NULL OR u.kind <> p.kind OR u.id <> p.id)`},
		{"phone numbers with several holders", `SELECT count(*) FROM (SELECT phone FROM {{s}}.peers
WHERE account = $1 AND kind = 1 AND phone IS NOT NULL GROUP BY phone HAVING count(*) > 1) AS x`},
	} {
		var n int
		if err := db.Pool().QueryRow(ctx, strings.ReplaceAll(q.sql, "{{s}}", db.sql.quotedSchema), s.ix.account).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("account %q: %d %s", s.Account(), n, q.what)
		}
	}
}

// Four processes of eight goroutines write one account at once: none
// fails, and nothing is lost.
func TestFourProcessesOneAccount(t *testing.T) { runLoad(t, 4, 1, 20) }

// Four processes of eight goroutines write fifty accounts at once: none
// fails, nothing is lost, and no account holds another's peers.
func TestFourProcessesFiftyAccounts(t *testing.T) { runLoad(t, 4, 50, 25) }

// watch answers the commands of TestInvalidationReachesAnotherProcess on
// account a, one a line:
//
//	peer ID       "hash H hits N": the user's access hash and the cache's hits
//	username U    "owner ID hash H"
//	phone P       "holder ID"
//	wait ID H     "seen" once Peer answers hash H (polling, 10 s at most)
//	sync          "ok" once Sync returns
//	stats         "invalidations N"
func watch(ctx context.Context, db *DB, a int, in io.Reader, out io.Writer) error {
	s, err := db.Account(ctx, loadAccount(a))
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(out, "ready"); err != nil {
		return err
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		arg := func(i int) int64 {
			if i >= len(f) {
				return 0
			}
			n, _ := strconv.ParseInt(f[i], 10, 64)
			return n
		}
		var reply string
		switch f[0] {
		case "peer":
			rec, _, err := s.Peer(ctx, peer.UserKey(arg(1)))
			if err != nil {
				return err
			}
			reply = fmt.Sprint("hash ", rec.AccessHash, " hits ", db.CacheStats().Hits)
		case "username":
			rec, _, _, err := s.Username(ctx, f[1])
			if err != nil {
				return err
			}
			reply = fmt.Sprint("owner ", rec.Key.ID, " hash ", rec.AccessHash)
		case "phone":
			rec, _, err := s.Phone(ctx, f[1])
			if err != nil {
				return err
			}
			reply = fmt.Sprint("holder ", rec.Key.ID)
		case "wait":
			reply = "timeout"
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
				rec, _, err := s.Peer(ctx, peer.UserKey(arg(1)))
				if err != nil {
					return err
				}
				if rec.AccessHash == arg(2) {
					reply = "seen"
					break
				}
			}
		case "sync":
			if err := db.Sync(ctx); err != nil {
				return err
			}
			reply = "ok"
		case "stats":
			reply = fmt.Sprint("invalidations ", db.CacheStats().Invalidations)
		default:
			return fmt.Errorf("unknown command %q", sc.Text())
		}
		if _, err := fmt.Fprintln(out, reply); err != nil {
			return err
		}
	}
	return sc.Err()
}

// A write in this process reaches the cache of another process: the
// entries it changed (a record, a username's owner, a phone number's
// holder) are dropped there, and the other process answers with the new
// values. Cached entries never expire, so an old answer would stay
// forever if the invalidation did not arrive.
func TestInvalidationReachesAnotherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	ctx := context.Background()
	db := sharedDB(t)
	acct := randomAccount(t, db)
	cmd := child(t, "watcher", db.Schema(), acct.n)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("child: %v\n%s", err, cmd.Stderr)
		}
	}()
	sc := bufio.NewScanner(stdout)
	ask := func(cmd string) string {
		t.Helper()
		if _, err := fmt.Fprintln(stdin, cmd); err != nil {
			t.Fatal(err)
		}
		if !sc.Scan() {
			t.Fatalf("%s: the child said nothing", cmd)
		}
		return sc.Text()
	}
	if !sc.Scan() || sc.Text() != "ready" {
		t.Fatalf("child did not start: %q", sc.Text())
	}
	put := func(recs ...peer.Record) {
		t.Helper()
		if err := acct.s.Put(ctx, recs...); err != nil {
			t.Fatal(err)
		}
	}
	alice, bob := peer.UserKey(101), peer.UserKey(102)
	put(peer.Record{Key: alice, AccessHash: 1, HasHash: true, Usernames: []string{"alice"}, Phone: "15550001"})

	// The child reads alice twice: the second answer is from its cache.
	// (Sync first: the notification of the put, arriving in the middle of
	// the first lookup, would rightly keep its answer out of the cache.)
	if got := ask("sync"); got != "ok" {
		t.Fatalf("child: %q", got)
	}
	first := ask("peer 101")
	second := ask("peer 101")
	var h1, n1, h2, n2 int64
	fmt.Sscanf(first, "hash %d hits %d", &h1, &n1)
	fmt.Sscanf(second, "hash %d hits %d", &h2, &n2)
	if h1 != 1 || h2 != 1 || n2 != n1+1 {
		t.Fatalf("child's answers %q, %q; want hash 1, the second from its cache", first, second)
	}
	if got := ask("username alice"); got != "owner 101 hash 1" {
		t.Fatalf("child: %q", got)
	}
	if got := ask("phone 15550001"); got != "holder 101" {
		t.Fatalf("child: %q", got)
	}

	// A new hash reaches the child's cache by itself.
	put(peer.Record{Key: alice, AccessHash: 2, HasHash: true})
	if got := ask("wait 101 2"); got != "seen" {
		t.Fatalf("the child's cache kept the old hash: %s", got)
	}
	// The username's entry led to the record's old entry: it leads to the
	// new one.
	if got := ask("username alice"); got != "owner 101 hash 2" {
		t.Errorf("the child's username lookup: %q; want owner 101 hash 2", got)
	}
	// And with Sync, at once: the username and the phone number move to
	// bob.
	put(peer.Record{Key: bob, AccessHash: 3, HasHash: true, Usernames: []string{"alice"}, Phone: "15550001"})
	if got := ask("sync"); got != "ok" {
		t.Fatalf("child: %q", got)
	}
	if got := ask("username alice"); got != "owner 102 hash 3" {
		t.Errorf("after Sync the child's username lookup: %q; want owner 102 hash 3", got)
	}
	if got := ask("phone 15550001"); got != "holder 102" {
		t.Errorf("after Sync the child's phone lookup: %q; want holder 102", got)
	}
	// A new hash of the owner reaches the username lookup, with no
	// lookup of the record first.
	put(peer.Record{Key: bob, AccessHash: 5, HasHash: true})
	ask("sync")
	if got := ask("username alice"); got != "owner 102 hash 5" {
		t.Errorf("after Sync the child's username lookup: %q; want owner 102 hash 5", got)
	}
	put(peer.Record{Key: alice, AccessHash: 4, HasHash: true})
	ask("sync")
	if got := ask("peer 101"); !strings.HasPrefix(got, "hash 4 ") {
		t.Errorf("after Sync the child's lookup: %q; want hash 4", got)
	}
	var inval int
	fmt.Sscanf(ask("stats"), "invalidations %d", &inval)
	if inval < 4 {
		t.Errorf("the child's cache saw %d invalidations; want at least 4", inval)
	}
}

// testAccount is an account of the load naming, numbered n.
type testAccount struct {
	n int
	s *Store
}

// randomAccount returns a new account named as loadAccount names them.
func randomAccount(t *testing.T, db *DB) testAccount {
	t.Helper()
	n := int(accountSeq.Add(1)) + 1_000_000
	s, err := db.Account(context.Background(), loadAccount(n))
	if err != nil {
		t.Fatal(err)
	}
	return testAccount{n, s}
}
