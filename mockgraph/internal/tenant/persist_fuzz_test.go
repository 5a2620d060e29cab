package tenant

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/rng"
)

// FuzzUnmarshalState feeds the state-file reader arbitrary bytes: it must answer with an error
// or a directory that saves and reads back, never panic.
func FuzzUnmarshalState(f *testing.F) {
	seeded, err := MarshalState(Seed(rng.New(1), SeedOptions{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seeded)
	f.Add([]byte(`{"version":1,"tenantId":"t","applications":[null],"servicePrincipals":[null]}`))
	f.Add([]byte(`{"version":1,"tenantId":"t","dicomInstances":[null],"users":[{}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := UnmarshalState(data)
		if err != nil {
			return
		}
		again, err := MarshalState(d)
		if err != nil {
			t.Fatalf("a state that loads does not save: %v", err)
		}
		if _, err := UnmarshalState(again); err != nil {
			t.Fatalf("a saved state does not load: %v", err)
		}
	})
}

// FuzzOpenStore opens arbitrary bytes as a state store file, as `mockgraph serve --state` does
// with whatever the user points it at: a store or an error, never a panic (bbolt panics on some
// corrupt pages; OpenStore turns that into an error naming the file).
func FuzzOpenStore(f *testing.F) {
	dir := f.TempDir()
	seed := func() (*Directory, error) {
		return Seed(rng.New(1), SeedOptions{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}), nil
	}
	valid := filepath.Join(dir, "valid.db")
	s, err := OpenStore(valid, seed)
	if err != nil {
		f.Fatal(err)
	}
	if err := s.Close(); err != nil {
		f.Fatal(err)
	}
	data, err := os.ReadFile(valid)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add([]byte("not a store"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return // an empty file is refused before bbolt sees it
		}
		path := filepath.Join(t.TempDir(), "state.db")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := OpenStore(path, func() (*Directory, error) { t.Fatal("an existing file was seeded over"); return nil, nil })
		if err != nil {
			return
		}
		_ = s.View(func(d *Directory) error { d.ApplicationByAppID("x"); return nil })
		if err := s.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
	})
}

// TestOpenStoreRefusesACorruptFile: a state store cut short or with a damaged page is an error
// that names the problem — bbolt itself would crash the process on these — and the file is left
// as it was.
func TestOpenStoreRefusesACorruptFile(t *testing.T) {
	dir := t.TempDir()
	valid := filepath.Join(dir, "valid.db")
	s, err := OpenStore(valid, func() (*Directory, error) {
		return Seed(rng.New(1), SeedOptions{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	data, err := os.ReadFile(valid)
	if err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096
	damage := map[string]func([]byte) []byte{
		"cut in half":     func(d []byte) []byte { return d[:len(d)/2] },
		"cut to one page": func(d []byte) []byte { return d[:pageSize] },
		"the root page says it is another": func(d []byte) []byte {
			for _, meta := range []int{0, pageSize} { // each meta page names its root bucket's page
				root := int(binary.LittleEndian.Uint64(d[meta+32:]))
				d[root*pageSize] ^= 0x7f
			}
			return d
		},
		"both meta pages damaged": func(d []byte) []byte {
			d[16] ^= 1
			d[pageSize+16] ^= 1
			return d
		},
	}
	for name, fn := range damage {
		t.Run(name, func(t *testing.T) {
			bad := fn(bytes.Clone(data))
			path := filepath.Join(t.TempDir(), "state.db")
			if err := os.WriteFile(path, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := OpenStore(path, func() (*Directory, error) { t.Fatal("seeded over an existing file"); return nil, nil })
			if !errors.Is(err, errCorrupt) || !strings.Contains(err.Error(), path) {
				t.Fatalf("got %v, want an error naming %s as corrupt", err, path)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, bad) {
				t.Error("the corrupt file was changed")
			}
		})
	}
}
