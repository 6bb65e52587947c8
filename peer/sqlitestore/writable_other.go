//go:build !unix

package sqlitestore

import (
	"errors"
	"io/fs"
)

// dirWritable is left to SQLite where the kernel has no access check that
// Go reaches without cgo: a directory it cannot write makes Open fail
// there.
func dirWritable(string) error { return nil }

// readOnly reports whether err says that a file cannot be written.
func readOnly(err error) bool { return errors.Is(err, fs.ErrPermission) }
