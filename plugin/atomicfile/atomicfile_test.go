package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := WriteBytes(path, 0o644, false, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := WriteBytes(path, 0o600, false, []byte("two")); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("writing where a file is, without replace: %v, want fs.ErrExist", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "one" {
		t.Fatalf("the file there was changed: %q", b)
	}
	failed := errors.New("disk full")
	if err := Write(path, 0o600, true, func(w io.Writer) error { w.Write([]byte("half")); return failed }); !errors.Is(err, failed) {
		t.Fatalf("a failing write: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "one" {
		t.Fatalf("a failed write changed the file: %q", b)
	}
	if err := WriteBytes(path, 0o600, true, []byte("three")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if b, _ := os.ReadFile(path); err != nil || string(b) != "three" || st.Mode().Perm() != 0o600 {
		t.Fatalf("replaced file: %q, %v, %v; want \"three\" 0600", b, st, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}
