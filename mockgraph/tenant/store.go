package tenant

import (
	"errors"
	"sync"
)

// Store guards one Directory. Many readers or one writer at a time; with a state file, every
// successful Update is on disk before Update returns, so an acknowledged write survives a crash.
type Store struct {
	mu    sync.RWMutex
	dir   *Directory
	state *stateFile // nil: memory only
}

// NewStore returns a memory-only store around d.
func NewStore(d *Directory) *Store { return &Store{dir: d} }

// View runs fn with the directory for reading. fn must not change it, and must not keep pointers
// it will read after returning only if it also reads them under a later View (objects are
// replaced, never changed in place, so an old pointer stays consistent).
func (s *Store) View(fn func(d *Directory) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fn(s.dir)
}

// ErrNotPersisted wraps a failure to write the state file after an Update changed memory.
var ErrNotPersisted = errors.New("tenant: change not written to the state file")

// Update runs fn with the directory for writing. fn should check everything before it changes
// anything: an error returned after a change leaves the change in memory (and it is persisted).
func (s *Store) Update(fn func(d *Directory) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := fn(s.dir)
	if s.state != nil {
		if perr := s.state.save(s.dir); perr != nil {
			return errors.Join(ErrNotPersisted, perr)
		}
	}
	return err
}

// Replace swaps in a whole new directory (the control API's reset) and persists it.
func (s *Store) Replace(d *Directory) error {
	return s.Update(func(cur *Directory) error {
		*cur = *d
		return nil
	})
}
