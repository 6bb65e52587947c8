package sqlitestore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ReadOnlyError reports a session file that the process cannot write:
// the file itself, or its directory, where SQLite keeps the -wal and -shm
// files beside it and creates a new file. Open checks this before SQLite
// opens anything, so it leaves the file as it was and no -wal or -shm file
// behind.
type ReadOnlyError struct {
	Path string
	Dir  bool  // the directory is read-only, not the file
	Err  error // the operating system's answer
}

func (e *ReadOnlyError) Error() string {
	if e.Dir {
		return fmt.Sprintf("sqlitestore: open %s: its directory %s is read-only, and the store creates the -wal and -shm files there (and the file itself, if new); make the directory writable or put the session file in one: %v", e.Path, filepath.Dir(e.Path), e.Err)
	}
	return fmt.Sprintf("sqlitestore: open %s: the file is read-only, and the store writes to it; make it writable, or copy it to a writable place: %v", e.Path, e.Err)
}

func (e *ReadOnlyError) Unwrap() error { return e.Err }

// checkWritable returns a *ReadOnlyError if the process cannot write the
// session file at path (absolute) or create files in its directory. A
// directory that does not exist is left to SQLite to report.
func checkWritable(path, given string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	switch {
	case err == nil:
		f.Close()
	case errors.Is(err, fs.ErrNotExist):
	case readOnly(err):
		return &ReadOnlyError{Path: given, Err: err}
	}
	if err := dirWritable(filepath.Dir(path)); err != nil && readOnly(err) {
		return &ReadOnlyError{Path: given, Dir: true, Err: err}
	}
	return nil
}
