//go:build gotdlayer && linux

package oracle_test

import (
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/gotd/td/bin"
)

// BenchmarkEncodePaired measures what BenchmarkEncodeMessages and
// BenchmarkEncodeInputPeerChannel do, for a machine that other work
// shares, where wall time counts the time others hold the CPU:
//
//	go test -tags gotdlayer -run '^$' -bench EncodePaired ./internal/oracle
//
// It encodes with tg and with gotd's tg in alternating blocks, times each
// block by the CPU time of the thread that runs it, and reports the median
// CPU time of an encoding for each (tgraw-ns/op, gotd-ns/op) and their
// ratio. Its own ns/op is that of a pair of blocks.
func BenchmarkEncodePaired(b *testing.B) {
	data := sampleBytes(b)
	for _, bench := range []struct {
		name  string
		value func(i int) bin.Encoder
		block int
	}{
		{"messages", func(i int) bin.Encoder {
			m := impls[i].messages()
			if err := m.Decode(&bin.Buffer{Buf: data}); err != nil {
				b.Fatal(err)
			}
			return m.(bin.Encoder)
		}, 100},
		{"inputPeerChannel", func(i int) bin.Encoder { return impls[i].peer() }, 100_000},
	} {
		b.Run(bench.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			encs := make([]bin.Encoder, len(impls))
			for i := range impls {
				encs[i] = bench.value(i)
			}
			perOp := make([][]float64, len(impls))
			var buf bin.Buffer
			for b.Loop() {
				for i, enc := range encs {
					start := threadCPU(b)
					for range bench.block {
						buf.Reset()
						if err := enc.Encode(&buf); err != nil {
							b.Fatal(err)
						}
					}
					perOp[i] = append(perOp[i], float64(threadCPU(b)-start)/float64(bench.block))
				}
			}
			medians := make([]float64, len(impls))
			for i, impl := range impls {
				medians[i] = median(perOp[i])
				b.ReportMetric(medians[i], impl.name+"-ns/op")
			}
			b.ReportMetric(medians[0]/medians[1], impls[0].name+"/"+impls[1].name)
		})
	}
}

// threadCPU returns the CPU time the calling thread has used, to the
// nanosecond (getrusage counts in scheduler ticks).
func threadCPU(tb testing.TB) time.Duration {
	const clockThreadCPUTime = 3 // CLOCK_THREAD_CPUTIME_ID
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		tb.Fatal(errno)
	}
	return time.Duration(ts.Nano())
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	return v[len(v)/2]
}
