package graphapi

import (
	"net/http"
	"syscall"
	"testing"
)

// TestCreateNotAcknowledgedUnlessDurable: a POST /applications the state store cannot keep is a
// 500 and leaves no app behind, so a client that retries makes exactly one.
func TestCreateNotAcknowledgedUnlessDurable(t *testing.T) {
	e := newEnv(t)
	e.store.FailWrites(syscall.ENOSPC)
	res := e.call(http.MethodPost, "/v1.0/applications", map[string]any{"displayName": "retried"}).must(t, http.StatusInternalServerError)
	if code, _ := res.errorCode(); code != codeGeneral {
		t.Errorf("error code %s", code)
	}
	e.store.FailWrites(nil)
	e.createApp("retried", nil)
	list := e.call(http.MethodGet, "/v1.0/applications?$filter=displayName%20eq%20'retried'", nil).must(t, http.StatusOK)
	if n := len(list.values()); n != 1 {
		t.Fatalf("%d apps named retried after a failed create and a retry, want 1", n)
	}
}
