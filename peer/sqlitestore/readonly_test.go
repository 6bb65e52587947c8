//go:build unix

package sqlitestore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/tgraw/tgraw/peer"
)

// envReadOnly carries the path the read-only child opens.
const envReadOnly = "TGRAW_SQLITESTORE_READONLY"

// TestReadOnlyChild is the child of TestOpenReadOnly: it opens the session
// file and prints what Open returned. It does nothing in a normal run.
func TestReadOnlyChild(t *testing.T) {
	path := os.Getenv(envReadOnly)
	if path == "" {
		t.Skip("runs only as a child process of TestOpenReadOnly")
	}
	s, err := Open(context.Background(), path)
	var ro *ReadOnlyError
	switch {
	case err == nil:
		fmt.Println("opened")
		s.Close()
	case errors.As(err, &ro):
		fmt.Printf("read-only dir=%t: %v\n", ro.Dir, err)
	default:
		fmt.Printf("other %T: %v\n", err, err)
	}
	os.Exit(0)
}

// A session file the process cannot write, or one in a directory it
// cannot write, fails at Open with a *ReadOnlyError, and Open leaves the
// file as it was and no -wal or -shm file behind. The opening runs in a
// child process; when the tests run as root, which the kernel lets write
// anything, the child runs as the unprivileged user nobody, so that the
// permissions apply.
func TestOpenReadOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes do not make files read-only for Windows' SQLite the same way")
	}
	exe := childExecutable(t)
	for _, c := range []struct {
		name     string
		existing bool // a session file is there already
		fileMode os.FileMode
		dirMode  os.FileMode
		wantDir  bool
	}{
		{"ReadOnlyFile", true, 0o444, 0o777, false},
		{"ReadOnlyDir", true, 0o666, 0o555, true},
		{"NewFileInReadOnlyDir", false, 0, 0o555, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := worldDir(t)
			path := filepath.Join(dir, "account.session")
			var before []byte
			if c.existing {
				s := openAt(t, path)
				if err := s.Put(context.Background(), peer.Record{Key: peer.UserKey(1), Usernames: []string{"one"}}); err != nil {
					t.Fatal(err)
				}
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				var err error
				if before, err = os.ReadFile(path); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, c.fileMode); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chmod(dir, c.dirMode); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(dir, 0o755) })

			out := runReadOnlyChild(t, exe, path)
			want := fmt.Sprintf("read-only dir=%t: ", c.wantDir)
			if !strings.HasPrefix(out, want) {
				t.Fatalf("Open of a file it cannot write: %q; want a *ReadOnlyError (%s)", out, want)
			}
			if !strings.Contains(out, "make it writable") && !strings.Contains(out, "make the directory writable") {
				t.Errorf("the error does not say what to do: %s", out)
			}
			for _, suffix := range []string{"-wal", "-shm", "-journal"} {
				if _, err := os.Stat(path + suffix); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("Open left %s behind (stat: %v)", filepath.Base(path+suffix), err)
				}
			}
			after, err := os.ReadFile(path)
			switch {
			case !c.existing && !errors.Is(err, os.ErrNotExist):
				t.Errorf("Open created the session file in a read-only directory (stat: %v)", err)
			case c.existing && !bytes.Equal(before, after):
				t.Errorf("Open changed the read-only file")
			}
		})
	}
}

// worldDir returns a new directory that every user may enter, removed
// when the test ends.
func worldDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sqlitestore-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
		os.RemoveAll(dir)
	})
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "d")
	if err := os.Mkdir(sub, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(sub, 0o777); err != nil {
		t.Fatal(err)
	}
	return sub
}

// childExecutable returns a copy of this test binary that every user may
// run: go test keeps it in a directory only its user may enter.
func childExecutable(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst := filepath.Join(filepath.Dir(worldDir(t)), "sqlitestore.test")
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, src); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// runReadOnlyChild opens path in a child process, as the user nobody when
// this process is root, and returns what it printed.
func runReadOnlyChild(t *testing.T, exe, path string) string {
	t.Helper()
	cmd := exec.Command(exe, "-test.run=^TestReadOnlyChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envReadOnly+"="+path)
	cmd.Dir = filepath.Dir(exe)
	if os.Geteuid() == 0 {
		const nobody = 65534
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s%s", err, out, stderr.String())
	}
	return strings.TrimSpace(string(out))
}
