package sqlitestore

import (
	"sync"

	"modernc.org/libc"
	"modernc.org/libc/sys/types"
)

// SQLite's memory comes from modernc.org/libc's malloc, which carves
// blocks of each power-of-two size up to 16 KiB out of 64 KiB pages mapped
// from the operating system, and unmaps a page as soon as its last block
// is freed. A batch allocates and frees buffers that no long-lived block
// shares a page with: the scratch space of every B-tree page split, the
// program and registers of every statement. Each then maps a fresh page,
// faults it in and unmaps it again, several dozen times per batch of 250
// new peers, and an unmap interrupts every processor that ran a thread of
// the process to flush its address translations. On a busy machine (load
// average 10 on 2 cores) holding the blocks took BenchmarkPut250New, in
// statements of at most 96 parameters, from 9-14 ms of CPU to 5-7 ms, and
// its pages mapped from 29 per batch to 2.
//
// heapReserve holds one block of each size while stores are open, so that
// the page it lies in stays mapped and the buffers of a batch reuse its
// free blocks. It holds 32 KiB in all, whatever the number of stores.
var heapReserve struct {
	sync.Mutex
	stores int
	tls    *libc.TLS
	blocks []uintptr
}

// reserveHeap takes the reserve for a store being opened.
func reserveHeap() {
	heapReserve.Lock()
	defer heapReserve.Unlock()
	heapReserve.stores++
	if heapReserve.stores > 1 {
		return
	}
	heapReserve.tls = libc.NewTLS()
	// 16 bytes, the allocator's alignment, to 16 KiB, its largest block.
	for size := 16; size <= 16<<10; size *= 2 {
		if p := libc.Xmalloc(heapReserve.tls, types.Size_t(size)); p != 0 {
			heapReserve.blocks = append(heapReserve.blocks, p)
		}
	}
}

// releaseHeap gives the reserve back for a store being closed, and frees
// it with the last one.
func releaseHeap() {
	heapReserve.Lock()
	defer heapReserve.Unlock()
	heapReserve.stores--
	if heapReserve.stores > 0 {
		return
	}
	for _, p := range heapReserve.blocks {
		libc.Xfree(heapReserve.tls, p)
	}
	heapReserve.blocks = nil
	heapReserve.tls.Close()
	heapReserve.tls = nil
}
