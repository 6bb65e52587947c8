//go:build unix

package sqlitestore

import (
	"errors"
	"io/fs"
	"syscall"
)

// dirWritable returns the error of asking the kernel whether the process
// may create files in dir: it answers as creating one would fail
// (permissions, an immutable directory, a read-only file system).
func dirWritable(dir string) error {
	const wxOK = 0x2 | 0x1 // W_OK | X_OK: create files in it
	if err := syscall.Access(dir, wxOK); err != nil {
		return &fs.PathError{Op: "access", Path: dir, Err: err}
	}
	return nil
}

// readOnly reports whether err says that a file cannot be written.
func readOnly(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EPERM)
}
