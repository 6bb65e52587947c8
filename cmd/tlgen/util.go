package main

import "path/filepath"

// baseName is the last element of a directory path, the default package
// name of generated code.
func baseName(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return filepath.Base(dir)
	}
	return filepath.Base(abs)
}
