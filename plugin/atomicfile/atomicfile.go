// Package atomicfile writes a file whole or not at all, the one way the plugin writes files: into
// a temporary file beside the target, created with the target's mode, synced, then renamed over
// the target — or, where nothing may be there yet, hard-linked into place, so a file that
// appeared meanwhile is not clobbered.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes what write produces to path with mode. With replace, whatever is at path is
// replaced; without, a file that is there is left alone and the error is fs.ErrExist.
func Write(path string, mode fs.FileMode, replace bool, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed; drops the extra name once linked
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if replace {
		return os.Rename(tmp, path)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		// A file system without hard links: rename, which replaces.
		return os.Rename(tmp, path)
	}
	return nil
}

// WriteBytes is Write of data.
func WriteBytes(path string, mode fs.FileMode, replace bool, data []byte) error {
	return Write(path, mode, replace, func(w io.Writer) error { _, err := w.Write(data); return err })
}
