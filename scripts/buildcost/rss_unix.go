//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package main

import (
	"os"
	"runtime"
	"syscall"
)

// maxRSS returns the peak resident set size of the finished process, in
// bytes.
func maxRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss) // already in bytes
	}
	return int64(ru.Maxrss) * 1024 // in kilobytes
}
