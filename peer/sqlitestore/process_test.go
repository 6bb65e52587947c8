package sqlitestore

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/storetest"
)

// The tests below run this test binary again as a child process that
// writes to a session file. The child's mode and arguments travel in
// these environment variables.
const (
	envChild = "TGRAW_SQLITESTORE_CHILD" // "writer", "once" or "looper"
	envPath  = "TGRAW_SQLITESTORE_PATH"
	envID    = "TGRAW_SQLITESTORE_ID"
)

// TestChildProcess is the child's entry point; it does nothing in a normal
// run.
func TestChildProcess(t *testing.T) {
	mode := os.Getenv(envChild)
	if mode == "" {
		t.Skip("runs only as a child process of other tests")
	}
	path := os.Getenv(envPath)
	id, err := strconv.Atoi(os.Getenv(envID))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad child id:", err)
		os.Exit(2)
	}
	if err := runChild(mode, path, id, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// childBatch is batch i of child id: users with IDs of their own, each
// also taking a username that every child contends for.
func childBatch(id, i, size int) []peer.Record {
	recs := make([]peer.Record, size)
	for j := range recs {
		uid := int64(id)*10_000_000 + int64(i)*1000 + int64(j) + 1
		recs[j] = peer.Record{
			Key:        peer.UserKey(uid),
			AccessHash: uid * 7,
			HasHash:    true,
			Usernames:  []string{fmt.Sprintf("u%d", uid), fmt.Sprintf("shared%d", j%5)},
			Phone:      fmt.Sprintf("1555%d", j%7),
			Title:      fmt.Sprintf("child %d batch %d", id, i),
		}
	}
	return recs
}

func runChild(mode, path string, id int, out io.Writer) error {
	ctx := context.Background()
	s, err := Open(ctx, path, BusyTimeout(60e9))
	if err != nil {
		return err
	}
	defer s.Close()
	switch mode {
	case "writer":
		// A fixed amount of work, reads mixed in.
		for i := range 100 {
			if err := s.Put(ctx, childBatch(id, i, 20)...); err != nil {
				return err
			}
			if _, _, _, err := s.Username(ctx, "shared1"); err != nil {
				return err
			}
			if _, _, err := s.Peer(ctx, peer.UserKey(int64(i+1))); err != nil {
				return err
			}
		}
		_, err := fmt.Fprintln(out, "done")
		return err
	case "once":
		// One batch, then out.
		if err := s.Put(ctx, childBatch(id, 0, 20)...); err != nil {
			return err
		}
		_, err := fmt.Fprintln(out, "done")
		return err
	case "looper":
		// Batches without end, each reported once committed, until killed.
		for i := 0; ; i++ {
			if err := s.Put(ctx, childBatch(id, i, 200)...); err != nil {
				return err
			}
			if _, err := fmt.Fprintf(out, "committed %d\n", i); err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("unknown child mode %q", mode)
}

// child returns the command that runs this test binary as a child.
func child(t *testing.T, mode, path string, id int) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	cmd := exec.Command(exe, "-test.run=^TestChildProcess$", "-test.count=1", "-test.v=false")
	cmd.Env = append(os.Environ(), envChild+"="+mode, envPath+"="+path, envID+"="+strconv.Itoa(id))
	cmd.Stderr = &lockedBuffer{}
	return cmd
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Two processes, and this one, write one file at once, starting from a
// file that does not exist yet: none of them fails and nothing is lost.
func TestTwoProcessesWriteOneFile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	path := filepath.Join(t.TempDir(), "shared.session")
	var cmds []*exec.Cmd
	for id := 1; id <= 2; id++ {
		cmd := child(t, "writer", path, id)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	// This process writes too.
	if err := runChild("writer", path, 3, io.Discard); err != nil {
		t.Errorf("writing in the parent: %v", err)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v\n%s", i+1, err, cmd.Stderr)
		}
	}

	ctx := context.Background()
	s := openAt(t, path)
	for id := 1; id <= 3; id++ {
		for i := range 100 {
			for _, want := range childBatch(id, i, 20) {
				got, found, err := s.Peer(ctx, want.Key)
				if err != nil || !found || got.AccessHash != want.AccessHash || got.Title != want.Title {
					t.Fatalf("Peer(%v) = %+v, %v, %v; want %+v", want.Key, got, found, err, want)
				}
			}
		}
	}
	checkConsistent(t, s)
}

// A process killed while it commits batch after batch loses none of the
// batches it reported committed, and the batch it was writing is either
// all there or not at all.
func TestKilledWriterLosesNothingCommitted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	// After 25 batches the log holds about 900 pages and no checkpoint
	// has run; after 60 and 140 the checkpointer has run several times,
	// and may be running when the child dies.
	for _, kill := range []int{25, 60, 140} {
		t.Run(fmt.Sprint(kill), func(t *testing.T) { killWriter(t, kill) })
	}
}

// killWriter kills a child writing batches after it reported kill of
// them committed, and checks that the file holds every one of them.
func killWriter(t *testing.T, kill int) {
	path := filepath.Join(t.TempDir(), "killed.session")
	cmd := child(t, "looper", path, 1)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Read reports until enough batches are in, then kill the child in the
	// middle of whatever it is doing: it never waits between batches.
	last := -1
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		n, ok := strings.CutPrefix(sc.Text(), "committed ")
		if !ok {
			continue
		}
		i, err := strconv.Atoi(n)
		if err != nil || i != last+1 {
			t.Fatalf("child reported %q after batch %d", sc.Text(), last)
		}
		last = i
		if last+1 == kill {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	// Reports written before the kill may still be in the pipe.
	for sc.Scan() {
		if n, ok := strings.CutPrefix(sc.Text(), "committed "); ok {
			if i, err := strconv.Atoi(n); err == nil && i == last+1 {
				last = i
			}
		}
	}
	err = cmd.Wait()
	if last < 0 {
		t.Fatalf("child reported no batch: %v\n%s", err, cmd.Stderr)
	}
	if err == nil {
		t.Fatalf("child exited by itself; want it killed")
	}

	ctx := context.Background()
	s := openAt(t, path)
	for i := 0; i <= last; i++ {
		for _, want := range childBatch(1, i, 200) {
			got, found, err := s.Peer(ctx, want.Key)
			if err != nil || !found || got.AccessHash != want.AccessHash {
				t.Fatalf("batch %d, reported committed: Peer(%v) = %+v, %v, %v", i, want.Key, got, found, err)
			}
			if rec, _, found, err := s.Username(ctx, want.Usernames[0]); err != nil || !found || rec.Key != want.Key {
				t.Fatalf("batch %d: Username(%q) = %v, %v, %v", i, want.Usernames[0], rec.Key, found, err)
			}
		}
	}
	// The batch in flight when the child died: all or nothing.
	present := 0
	inflight := childBatch(1, last+1, 200)
	for _, r := range inflight {
		if _, found, err := s.Peer(ctx, r.Key); err != nil {
			t.Fatal(err)
		} else if found {
			present++
		}
	}
	if present != 0 && present != len(inflight) {
		t.Errorf("batch %d, in flight at the kill, is partly stored: %d of %d peers", last+1, present, len(inflight))
	}
	t.Logf("%d batches reported before the kill; the next one is stored: %v", last+1, present > 0)
	checkConsistent(t, s)
	// And the file takes writes again.
	if err := s.Put(ctx, childBatch(2, 0, 10)...); err != nil {
		t.Errorf("Put after the kill: %v", err)
	}
}

// After another process writes the file, a store's known set is stale: a
// batch of the other process's peers reads them from the file and merges
// with them, rather than inserting them again.
func TestKnownSetAfterAnotherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.session")
	s := openAt(t, path, withCountedDriver(), WriteCache(0))
	if n := putCounting(t, s, storetest.ResponsePeers(1)...); n != 0 {
		t.Errorf("first batch: %d Loads, want 0", n)
	}
	cmd := child(t, "once", path, 1)
	if out, err := cmd.Output(); err != nil || strings.TrimSpace(string(out)) != "done" {
		t.Fatalf("child: %q, %v\n%s", out, err, cmd.Stderr)
	}
	theirs := childBatch(1, 0, 20)
	again := childBatch(1, 0, 20)
	for i := range again {
		again[i].AccessHash, again[i].HasHash, again[i].Title = 0, false, "renamed"
	}
	if n := putCounting(t, s, again...); n != 1 {
		t.Errorf("a batch of the other process's peers: %d Loads, want 1", n)
	}
	for _, want := range theirs {
		got, found, err := s.Peer(ctx, want.Key)
		if err != nil || !found || got.AccessHash != want.AccessHash || !got.HasHash || got.Title != "renamed" {
			t.Fatalf("Peer(%v) = %+v, %v, %v; want the child's hash kept and the title renamed", want.Key, got, found, err)
		}
	}
	checkConsistent(t, s)
}
