package sqlitestore

import (
	"encoding/binary"
	"errors"
	"sync"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	"modernc.org/libc/sys/types"
	sqlite3 "modernc.org/sqlite/lib"
)

// The writer connection opens the file through walVFS: the platform's VFS
// with the log (the -wal file) written in one call per commit rather than
// two per page. SQLite writes each frame of the log as two writes, its
// 24-byte header and then its page, and a commit of 250 new peers writes
// about 44 frames: 88 pwrite calls, each a system call (about a sixth of
// the batch's CPU time, BenchmarkPut250New). walVFS gathers the writes of
// a commit that follow one another in the log in one buffer of C memory,
// and writes the buffer with one call as soon as the commit's last frame
// (the one whose header holds the database's size) is in it: before
// SQLite's write of that frame returns, so before the commit is made
// visible to any reader, and with the write's error, if any, returned to
// SQLite as its own. Any other use of the log (a read, a sync, a
// truncation, its size, a file control, closing it) and any write elsewhere in it
// writes the buffer first, so that what SQLite reads or syncs is always
// what it wrote. The main database file and every other file are the
// platform VFS's, untouched.
//
// Readers open the file with the platform VFS: they read the log only up
// to the last commit made visible, which is in the file.

// walVFSName is the name walVFS is registered under.
const walVFSName = "tgraw-wal"

// walBufMax is the most a log buffer holds: a larger transaction (a
// migration, or a batch that spills pages before its commit) is written
// in pieces of about this size.
const walBufMax = 1 << 20

// writeMax is the most the platform VFS writes in one call: the unix
// VFS writes at most 128 KiB - 1 bytes a call (seekAndWriteFd).
const writeMax = 0x1f000

// frameHeader is the size of a frame's header in the log: the page
// number, the database's size in pages after a commit (0 in every other
// frame), the salts and the checksums.
const frameHeader = 24

var walVFS struct {
	once sync.Once
	name uintptr // C string
	err  error
	orig uintptr // the platform VFS

	mu      sync.Mutex
	files   map[uintptr]*walFile // open logs by sqlite3_file
	methods map[uintptr]uintptr  // wrappers, in C memory, by the platform's methods
}

// walWrites counts the writes walVFS made to logs, and their bytes.
var walWrites struct{ calls, bytes atomic.Int64 }

// walFile is a log opened through walVFS, and the writes it holds.
type walFile struct {
	orig *sqlite3.Tsqlite3_io_methods

	buf    uintptr // C memory, cap bytes
	cap    int
	n      int   // bytes held
	off    int64 // where they go in the file
	commit bool  // the last write held is a commit frame's header
}

// registerWALVFS registers walVFS once and returns its name as a C
// string.
func registerWALVFS(tls *libc.TLS) (uintptr, error) {
	v := &walVFS
	v.once.Do(func() {
		v.orig = sqlite3.Xsqlite3_vfs_find(tls, 0)
		if v.orig == 0 {
			v.err = errors.New("sqlitestore: SQLite has no default VFS")
			return
		}
		name, err := libc.CString(walVFSName)
		if err != nil {
			v.err = err
			return
		}
		// The structure SQLite keeps a pointer to lives in C memory, as
		// long as the process.
		p := libc.Xmalloc(tls, types.Size_t(unsafe.Sizeof(sqlite3.Tsqlite3_vfs{})))
		if p == 0 {
			v.err = errors.New("sqlitestore: out of memory registering the writer's VFS")
			return
		}
		vfs := (*sqlite3.Tsqlite3_vfs)(cptrUnsafe(p))
		*vfs = *(*sqlite3.Tsqlite3_vfs)(cptrUnsafe(v.orig))
		vfs.FpNext = 0
		vfs.FzName = name
		vfs.FxOpen = cfunc(walOpen)
		v.files = map[uintptr]*walFile{}
		v.methods = map[uintptr]uintptr{}
		if rc := sqlite3.Xsqlite3_vfs_register(tls, p, 0); rc != sqlite3.SQLITE_OK {
			v.err = errors.New("sqlitestore: registering the writer's VFS failed")
			return
		}
		v.name = name
	})
	return v.name, v.err
}

// cptrUnsafe converts an address in C memory to a pointer.
func cptrUnsafe(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }

// cfunc returns the function pointer of f as modernc.org/sqlite's
// translated C code calls it.
func cfunc(f any) uintptr { return (*[2]uintptr)(unsafe.Pointer(&f))[1] }

// gofunc returns the function at the C function pointer p, of type F.
func gofunc[F any](p uintptr) F { return *(*F)(unsafe.Pointer(&p)) }

func walOpen(tls *libc.TLS, pVfs, zName, pFile uintptr, flags int32, pOutFlags uintptr) int32 {
	v := &walVFS
	open := gofunc[func(*libc.TLS, uintptr, uintptr, uintptr, int32, uintptr) int32]((*sqlite3.Tsqlite3_vfs)(cptrUnsafe(v.orig)).FxOpen)
	rc := open(tls, v.orig, zName, pFile, flags, pOutFlags)
	if rc != sqlite3.SQLITE_OK || flags&sqlite3.SQLITE_OPEN_WAL == 0 {
		return rc
	}
	file := (*sqlite3.Tsqlite3_file)(cptrUnsafe(pFile))
	if file.FpMethods == 0 {
		return rc
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	m, ok := v.methods[file.FpMethods]
	if !ok {
		// In C memory, as long as the process: SQLite keeps pointers to
		// it.
		if m = libc.Xmalloc(tls, types.Size_t(unsafe.Sizeof(sqlite3.Tsqlite3_io_methods{}))); m == 0 {
			gofunc[func(*libc.TLS, uintptr) int32]((*sqlite3.Tsqlite3_io_methods)(cptrUnsafe(file.FpMethods)).FxClose)(tls, pFile)
			file.FpMethods = 0
			return sqlite3.SQLITE_NOMEM
		}
		*(*sqlite3.Tsqlite3_io_methods)(cptrUnsafe(m)) = wrapMethods((*sqlite3.Tsqlite3_io_methods)(cptrUnsafe(file.FpMethods)))
		v.methods[file.FpMethods] = m
	}
	trackWAL(pFile, &walFile{orig: (*sqlite3.Tsqlite3_io_methods)(cptrUnsafe(file.FpMethods))})
	file.FpMethods = m
	return rc
}

// trackWAL makes f the log at pFile, until untrackWAL. walVFS.mu is
// held.
func trackWAL(pFile uintptr, f *walFile) {
	walVFS.files[pFile] = f
}

// untrackWAL forgets the log at pFile.
func untrackWAL(pFile uintptr) {
	walVFS.mu.Lock()
	defer walVFS.mu.Unlock()
	delete(walVFS.files, pFile)
}

// wrapMethods returns the methods of a log: orig's, with a write that
// holds, and every other method that uses the file's contents or size
// writing what the log holds first. Locks, shared memory and memory
// mapping SQLite uses on the database file only, never on a log: those
// are orig's.
func wrapMethods(orig *sqlite3.Tsqlite3_io_methods) sqlite3.Tsqlite3_io_methods {
	m := *orig
	m.FxClose = cfunc(walClose)
	m.FxRead = cfunc(walRead)
	m.FxWrite = cfunc(walWrite)
	m.FxTruncate = cfunc(walTruncate)
	m.FxSync = cfunc(walSync)
	m.FxFileSize = cfunc(walFileSize)
	m.FxFileControl = cfunc(walFileControl)
	return m
}

// walFileOf returns the log at pFile.
func walFileOf(pFile uintptr) *walFile {
	walVFS.mu.Lock()
	defer walVFS.mu.Unlock()
	return walVFS.files[pFile]
}

// flush writes what f holds.
func (f *walFile) flush(tls *libc.TLS, pFile uintptr) int32 {
	if f.n == 0 {
		return sqlite3.SQLITE_OK
	}
	n, off := f.n, f.off
	f.n, f.commit = 0, false
	for at := 0; at < n; at += writeMax {
		if rc := f.write(tls, pFile, f.buf+uintptr(at), min(n-at, writeMax), off+int64(at)); rc != sqlite3.SQLITE_OK {
			return rc
		}
	}
	return sqlite3.SQLITE_OK
}

// write writes n bytes at p to the log at off, through the platform VFS.
func (f *walFile) write(tls *libc.TLS, pFile, p uintptr, n int, off int64) int32 {
	walWrites.calls.Add(1)
	walWrites.bytes.Add(int64(n))
	return gofunc[func(*libc.TLS, uintptr, uintptr, int32, int64) int32](f.orig.FxWrite)(tls, pFile, p, int32(n), off)
}

func walWrite(tls *libc.TLS, pFile, pBuf uintptr, iAmt int32, iOfst int64) int32 {
	f := walFileOf(pFile)
	n := int(iAmt)
	// A frame's header comes in a write of its own, its page in the
	// next: a commit ends with the page of the frame whose header holds
	// the database's size.
	commitPage := f.commit && f.n > 0 && iOfst == f.off+int64(f.n)
	f.commit = false
	if f.n > 0 && (iOfst != f.off+int64(f.n) || f.n+n > walBufMax || n > writeMax) {
		if rc := f.flush(tls, pFile); rc != sqlite3.SQLITE_OK {
			return rc
		}
	}
	if n > writeMax {
		return f.write(tls, pFile, pBuf, n, iOfst)
	}
	if n == frameHeader && !commitPage && binary.BigEndian.Uint32(cmem(pBuf+4, 4)) != 0 {
		f.commit = true
	}
	if f.n+n > f.cap {
		size := max(f.n+n, 2*f.cap, 64<<10)
		size = min(size, walBufMax)
		p := libc.Xrealloc(tls, f.buf, types.Size_t(size))
		if p == 0 {
			return sqlite3.SQLITE_IOERR_NOMEM
		}
		f.buf, f.cap = p, size
	}
	if f.n == 0 {
		f.off = iOfst
	}
	copy(cmem(f.buf+uintptr(f.n), n), cmem(pBuf, n))
	f.n += n
	if commitPage {
		return f.flush(tls, pFile)
	}
	return sqlite3.SQLITE_OK
}

func walClose(tls *libc.TLS, pFile uintptr) int32 {
	f := walFileOf(pFile)
	rc := f.flush(tls, pFile)
	untrackWAL(pFile)
	if f.buf != 0 {
		libc.Xfree(tls, f.buf)
		f.buf, f.cap = 0, 0
	}
	rc2 := gofunc[func(*libc.TLS, uintptr) int32](f.orig.FxClose)(tls, pFile)
	if rc != sqlite3.SQLITE_OK {
		return rc
	}
	return rc2
}

// then writes what the log at pFile holds and, if that succeeded, calls
// call with the platform's methods.
func (f *walFile) then(tls *libc.TLS, pFile uintptr, call func(m *sqlite3.Tsqlite3_io_methods) int32) int32 {
	if rc := f.flush(tls, pFile); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return call(f.orig)
}

func walRead(tls *libc.TLS, pFile, pBuf uintptr, iAmt int32, iOfst int64) int32 {
	return walFileOf(pFile).then(tls, pFile, func(m *sqlite3.Tsqlite3_io_methods) int32 {
		return gofunc[func(*libc.TLS, uintptr, uintptr, int32, int64) int32](m.FxRead)(tls, pFile, pBuf, iAmt, iOfst)
	})
}

func walTruncate(tls *libc.TLS, pFile uintptr, size int64) int32 {
	return walFileOf(pFile).then(tls, pFile, func(m *sqlite3.Tsqlite3_io_methods) int32 {
		return gofunc[func(*libc.TLS, uintptr, int64) int32](m.FxTruncate)(tls, pFile, size)
	})
}

func walSync(tls *libc.TLS, pFile uintptr, flags int32) int32 {
	return walFileOf(pFile).then(tls, pFile, func(m *sqlite3.Tsqlite3_io_methods) int32 {
		return gofunc[func(*libc.TLS, uintptr, int32) int32](m.FxSync)(tls, pFile, flags)
	})
}

func walFileSize(tls *libc.TLS, pFile, pSize uintptr) int32 {
	return walFileOf(pFile).then(tls, pFile, func(m *sqlite3.Tsqlite3_io_methods) int32 {
		return gofunc[func(*libc.TLS, uintptr, uintptr) int32](m.FxFileSize)(tls, pFile, pSize)
	})
}

func walFileControl(tls *libc.TLS, pFile uintptr, op int32, pArg uintptr) int32 {
	return walFileOf(pFile).then(tls, pFile, func(m *sqlite3.Tsqlite3_io_methods) int32 {
		return gofunc[func(*libc.TLS, uintptr, int32, uintptr) int32](m.FxFileControl)(tls, pFile, op, pArg)
	})
}
