package secretfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dicomreg/dicomreg/plugin/atomicfile"
)

// Mode is the permission of every file this package writes: its owner's alone.
const Mode fs.FileMode = 0o600

// maxExisting bounds how much of an existing file is read to decide whether it may be replaced.
const maxExisting = 1 << 20

// Options say when an existing file may be replaced.
type Options struct {
	Force bool // replace whatever is there (--force)
	// Ours says whether an existing file's content is one this write may replace without Force;
	// nil: none is.
	Ours func(existing []byte) bool
}

// ExistsError is a file that is there and may not be replaced without --force.
type ExistsError struct{ Path string }

func (e *ExistsError) Error() string {
	return fmt.Sprintf("%s already exists and holds something dicomreg did not write for this app; choose another file, or pass --force to replace it", e.Path)
}

// Write writes content to path under Options' rules, 0600, whole or not at all.
func Write(path string, content []byte, o Options) error {
	prev, err := claimable(path, o)
	if err != nil {
		return err
	}
	return place(path, content, prev != nil)
}

// Check finds out whether path may be written under o, without writing: a missing directory, a
// directory, or a file o does not allow replacing is an error. Callers check before a remote write
// they cannot undo.
func Check(path string, o Options) error {
	_, err := claimable(path, o)
	return err
}

// Reservation is a path claimed for a secret that does not exist yet.
type Reservation struct {
	path     string
	previous []byte // what was there before Reserve; nil when nothing was
	done     bool
}

// Reserve claims path before an irreversible remote write: it checks that the file may be
// written and writes announcement there, so Commit after the remote write only replaces a file
// that is already there.
func Reserve(path string, announcement []byte, o Options) (*Reservation, error) {
	prev, err := claimable(path, o)
	if err != nil {
		return nil, err
	}
	if err := place(path, announcement, prev != nil); err != nil {
		return nil, err
	}
	return &Reservation{path: path, previous: prev}, nil
}

// Path is the reserved file.
func (r *Reservation) Path() string { return r.path }

// Commit replaces the announcement with the file's content.
func (r *Reservation) Commit(content []byte) error {
	if r.done {
		return errors.New("secretfile: reservation already closed")
	}
	if err := place(r.path, content, true); err != nil {
		return err
	}
	r.done = true
	return nil
}

// Cancel puts back what was at the path before Reserve (or removes the announcement), for a
// remote write that failed and so made nothing.
func (r *Reservation) Cancel() error {
	if r.done {
		return nil
	}
	r.done = true
	if r.previous == nil {
		return os.Remove(r.path)
	}
	return place(r.path, r.previous, true)
}

// claimable checks that path may be written and returns its current content (nil when there is
// no file): its directory must exist, it must not be a directory, and an existing file must be
// replaceable under o.
func claimable(path string, o Options) ([]byte, error) {
	if path == "" {
		return nil, errors.New("no file name given")
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		dir := filepath.Dir(path)
		if di, derr := os.Stat(dir); derr != nil || !di.IsDir() {
			return nil, fmt.Errorf("%s: the directory %s does not exist", path, dir)
		}
		return nil, nil
	case err != nil:
		return nil, err
	case fi.IsDir():
		return nil, fmt.Errorf("%s is a directory; give a file name", path)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file", path)
	case fi.Size() > maxExisting && !o.Force:
		return nil, &ExistsError{Path: path}
	}
	prev, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if prev == nil {
		prev = []byte{}
	}
	if !o.Force && (o.Ours == nil || !o.Ours(prev)) {
		return nil, &ExistsError{Path: path}
	}
	return prev, nil
}

// place writes content 0600, whole or not at all (atomicfile): over the old file when replace,
// else only where nothing is — a file that appeared meanwhile is not clobbered.
func place(path string, content []byte, replace bool) error {
	err := atomicfile.WriteBytes(path, Mode, replace, content)
	if !replace && errors.Is(err, fs.ErrExist) {
		return &ExistsError{Path: path}
	}
	return err
}
