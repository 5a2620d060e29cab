package mockgraph

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestSigningKeyCacheWrittenSideBySide: servers that start together with the same key cache file
// (parallel jobs sharing the user cache) all start, and the file they leave holds a whole key.
func TestSigningKeyCacheWrittenSideBySide(t *testing.T) {
	cache := filepath.Join(t.TempDir(), "cache", "signing-key.pem")
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := signingKey(cache); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	k, err := signingKey(cache)
	if err != nil || k == nil {
		t.Fatalf("the key file left behind does not load: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(cache), "*.tmp"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if st, err := os.Stat(cache); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, mode %v, want 0600", err, st)
	}
}
