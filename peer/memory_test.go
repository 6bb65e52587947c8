package peer_test

import (
	"testing"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/storetest"
)

func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) peer.Store { return peer.NewMemoryStore(peer.MemoryOptions{}) })
}
