package client_test

import (
	"encoding/binary"
	"net"
	"sync"
)

// watchedConn tells, once, that the client wrote an encrypted MTProto
// message on it: a frame of the intermediate transport whose auth_key_id
// is not 0. Tests count these connections, not dials: a key exchange that
// fails starts again on a new connection, which tgtest makes happen about
// once in 128 exchanges (it derives the temporary AES key as gotd/td
// v0.93.0 does), and that connection carries plain messages only.
type watchedConn struct {
	net.Conn
	onEncrypted func()

	mu      sync.Mutex
	pending []byte // written bytes not yet read as whole frames
	tagged  bool   // the transport's 4-byte tag is behind
	done    bool
}

func (c *watchedConn) Write(p []byte) (int, error) {
	c.watch(p)
	return c.Conn.Write(p)
}

func (c *watchedConn) watch(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return
	}
	c.pending = append(c.pending, p...)
	if !c.tagged {
		if len(c.pending) < 4 {
			return
		}
		c.pending, c.tagged = c.pending[4:], true
	}
	for len(c.pending) >= 4 {
		n := int(binary.LittleEndian.Uint32(c.pending) &^ (1 << 31)) // without the quick-ack bit
		if len(c.pending) < 4+n {
			return
		}
		if n >= 8 && binary.LittleEndian.Uint64(c.pending[4:]) != 0 {
			c.done, c.pending = true, nil
			c.onEncrypted()
			return
		}
		c.pending = c.pending[4+n:]
	}
}
