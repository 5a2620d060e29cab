package dicomweb

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dicomreg/dicomreg/mockgraph/dicomweb/part10"
	"github.com/dicomreg/dicomreg/mockgraph/tenant"
)

// TestFailedWritesAreNotAcknowledged: when the store cannot write, a STOW-RS reports the
// instances as processing failures (272, 409) and a delete answers 503, never success.
func TestFailedWritesAreNotAcknowledged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	f := newFixtureWith(t, func(d *tenant.Directory) *tenant.Store {
		st, err := tenant.OpenStore(path, func() (*tenant.Directory, error) { return d, nil })
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
	owner := f.token(t, ownerOID, nil)
	f.storeOK(t, part10.Build(instance))
	// A non-empty folder where the state file goes: every save's rename fails.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(path, "blocker"), 0o700); err != nil {
		t.Fatal(err)
	}
	other := instance
	other.SOPInstanceUID += ".7"
	ct, body := multipartBody(part10.Build(other))
	resp, out := f.do(t, http.MethodPost, "/v2/studies", owner, ct, body, "")
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(out), "[272]") || strings.Contains(string(out), "00081199") {
		t.Fatalf("store with a failing write: %d %s", resp.StatusCode, out)
	}
	resp, out = f.do(t, http.MethodDelete, "/v2/studies/"+instance.StudyInstanceUID, owner, "", nil, "")
	if resp.StatusCode != http.StatusServiceUnavailable || string(out) != msgDataStoreFailed {
		t.Fatalf("delete with a failing write: %d %s", resp.StatusCode, out)
	}
}
