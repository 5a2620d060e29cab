package dicomweb

import (
	"net/http"
	"strings"
	"syscall"
	"testing"

	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/part10"
)

// TestStoreNotAcknowledgedUnlessDurable: a STOW the state store cannot keep (a full disk) reports
// the instance as a processing failure (272, 409 as the only instance), never a 200, and the
// instance is not there afterwards; a DELETE answers 503 and keeps what it could not delete.
func TestStoreNotAcknowledgedUnlessDurable(t *testing.T) {
	f := newFixture(t)
	owner := f.token(t, ownerOID, nil)
	ct, body := multipartBody(part10.Build(instance))
	f.store.FailWrites(syscall.ENOSPC)
	if resp, out := f.do(t, http.MethodPost, "/v2/studies", owner, ct, body, ""); resp.StatusCode != http.StatusConflict || !strings.Contains(string(out), "[272]") || strings.Contains(string(out), "00081199") {
		t.Fatalf("STOW on a full disk: %d %s", resp.StatusCode, out)
	}
	if resp, _ := f.do(t, http.MethodGet, "/v2/studies?PatientID=PAT-7", owner, "", nil, ""); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("the refused instance is searchable: %d", resp.StatusCode)
	}
	f.store.FailWrites(nil)
	if resp, out := f.do(t, http.MethodPost, "/v2/studies", owner, ct, body, ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("STOW: %d %s", resp.StatusCode, out)
	}
	f.store.FailWrites(syscall.ENOSPC)
	if resp, out := f.do(t, http.MethodDelete, "/v2/studies/"+instance.StudyInstanceUID, owner, "", nil, ""); resp.StatusCode != http.StatusServiceUnavailable || string(out) != msgDataStoreFailed {
		t.Fatalf("DELETE on a full disk: %d %s", resp.StatusCode, out)
	}
	f.store.FailWrites(nil)
	if resp, _ := f.do(t, http.MethodGet, "/v2/studies?PatientID=PAT-7", owner, "", nil, ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("the instance a failed delete kept is gone: %d", resp.StatusCode)
	}
}
