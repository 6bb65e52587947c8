package session

import (
	"context"
	"sync"
)

// Memory is a Storage in memory: a session lives as long as the process.
// Its zero value is empty and ready.
type Memory struct {
	mu sync.Mutex
	s  *Session
}

// Load returns a copy of the saved session, or ErrNotFound.
func (m *Memory) Load(context.Context) (*Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.s == nil {
		return nil, ErrNotFound
	}
	return m.s.Clone(), nil
}

// Save keeps a copy of s.
func (m *Memory) Save(_ context.Context, s *Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.s = s.Clone()
	return nil
}
