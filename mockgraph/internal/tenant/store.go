package tenant

import (
	"errors"
	"sync"
)

// Store guards one Directory. Many readers or one writer at a time. An Update is all or
// nothing: with a state store, its changes are durable on disk before Update returns, and an
// Update that fails — by its own error, or because the state store could not take the change —
// leaves the directory, in memory and on disk, as it found it.
type Store struct {
	mu    sync.RWMutex
	dir   *Directory
	state persister // nil: memory only
	fail  error     // FailWrites: every write fails with it, as a full or read-only disk would
}

// persister keeps a directory durable: commit writes the records one Update touched, in one
// transaction; replace writes a whole directory in place of what is stored.
type persister interface {
	commit(d *Directory, changed []record) error
	replace(d *Directory) error
	close() error
}

// NewStore returns a memory-only store around d.
func NewStore(d *Directory) *Store { return &Store{dir: d} }

// View runs fn with the directory for reading. fn must not change it. Objects are replaced,
// never changed in place, so a pointer fn keeps stays consistent after it returns.
func (s *Store) View(fn func(d *Directory) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fn(s.dir)
}

// ErrNotPersisted wraps a failure to write a change to the state store; the change was undone.
var ErrNotPersisted = errors.New("tenant: change not written to the state store")

// Update runs fn with the directory for writing. If fn returns an error, or the change cannot
// be made durable, every change fn made is undone and the error returned.
func (s *Store) Update(fn func(d *Directory) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.dir
	d.j.begin()
	defer func() {
		if d.j.active { // fn panicked: undo its half-made change
			d.j.rollback()
		}
	}()
	err := fn(d)
	if err == nil && len(d.j.dirty) > 0 {
		if perr := s.persist(d); perr != nil {
			err = errors.Join(ErrNotPersisted, perr)
		}
	}
	if err != nil {
		d.j.rollback()
		return err
	}
	d.j.end()
	d.compact()
	return nil
}

func (s *Store) persist(d *Directory) error {
	switch {
	case s.fail != nil:
		return s.fail
	case s.state != nil:
		return s.state.commit(d, d.j.dirty)
	}
	return nil
}

// FailWrites makes every later change fail with err, as a full disk (syscall.ENOSPC) or a
// read-only one would, and be undone; nil ends it. Tests use it to check that a failed write is
// never acknowledged and leaves nothing behind.
func (s *Store) FailWrites(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}

// Replace swaps in a whole new directory (the control API's reset). With a state store the new
// directory is durable first; if it cannot be written, nothing changes.
func (s *Store) Replace(d *Directory) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return errors.Join(ErrNotPersisted, s.fail)
	}
	if s.state != nil {
		if err := s.state.replace(d); err != nil {
			return errors.Join(ErrNotPersisted, err)
		}
	}
	s.dir = d
	return nil
}

// Close releases the state store (a memory-only store has nothing to release).
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == nil {
		return nil
	}
	err := s.state.close()
	s.state = closedState{}
	return err
}

// closedState refuses writes after Close, so a late request cannot change memory alone.
type closedState struct{}

var errClosed = errors.New("tenant: the state store is closed")

func (closedState) commit(*Directory, []record) error { return errClosed }
func (closedState) replace(*Directory) error          { return errClosed }
func (closedState) close() error                      { return nil }
