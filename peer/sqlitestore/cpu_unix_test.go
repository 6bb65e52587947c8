//go:build unix

package sqlitestore

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used, user and system:
// on a shared machine it follows the work done far more closely than the
// wall clock. ok is false where it cannot be read.
func processCPU() (d time.Duration, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
