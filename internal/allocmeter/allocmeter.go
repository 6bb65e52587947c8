// Package allocmeter measures what a function allocates, for the tests
// that assert how many bytes and allocations a decoding takes.
//
// The runtime's counters (runtime.MemStats) are the whole process's: what
// other goroutines allocate meanwhile is counted too, and so is what the
// runtime allocates for itself, such as the state of an OS thread it
// starts (about 5 KB) when the machine is busy, or the workers of a
// process's first collection. What the function itself allocates is the
// same from one run to the next, give or take a value a sync.Pool held or
// not, so the least of several runs is its own.
package allocmeter

import "runtime"

// Least runs setup, then f, runs times, and returns the bytes and the
// allocations of the run of f that allocated the fewest bytes. setup,
// which may be nil, is not measured.
func Least(runs int, setup, f func()) (bytes, allocs uint64) {
	for i := range max(runs, 1) {
		if setup != nil {
			setup()
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		b, a := after.TotalAlloc-before.TotalAlloc, after.Mallocs-before.Mallocs
		if i == 0 || b < bytes {
			bytes, allocs = b, a
		}
	}
	return bytes, allocs
}
