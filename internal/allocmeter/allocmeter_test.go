package allocmeter_test

import (
	"testing"

	"github.com/tgraw/tgraw/internal/allocmeter"
)

var sink []byte

// Least counts what f allocates, and nothing of what setup does.
func TestLeast(t *testing.T) {
	bytes, allocs := allocmeter.Least(3, func() { sink = make([]byte, 1<<20) }, func() { sink = make([]byte, 4096) })
	if bytes != 4096 || allocs != 1 {
		t.Errorf("Least = %d bytes, %d allocations; want 4096 and 1", bytes, allocs)
	}
	if bytes, allocs := allocmeter.Least(3, nil, func() {}); bytes != 0 || allocs != 0 {
		t.Errorf("Least of nothing = %d bytes, %d allocations; want 0", bytes, allocs)
	}
}
