//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package main

import "os"

// maxRSS returns 0: this system reports no peak resident set size.
func maxRSS(*os.ProcessState) int64 { return 0 }
