package dicomload

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/part10"
)

// TestRunDrivesEveryOperation: seeds, then sends each operation's requests with its Accept
// header and token, and reports a line per operation.
func TestRunDrivesEveryOperation(t *testing.T) {
	var stows, gets atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost {
			stows.Add(1)
		} else {
			gets.Add(1)
		}
		_, _ = w.Write([]byte("{}"))
	}))
	defer srv.Close()
	var out bytes.Buffer
	err := Run(context.Background(), Options{Base: srv.URL + "/dicom-web", Token: "tok", Clients: 2, Duration: 50 * time.Millisecond,
		Instances: 3, Ops: allOps, Prefix: "2.25.1"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range allOps {
		if !strings.Contains(out.String(), op) {
			t.Errorf("no line for %s:\n%s", op, out.String())
		}
	}
	if stows.Load() < 4 || gets.Load() < 7 {
		t.Errorf("stows %d, gets %d", stows.Load(), gets.Load())
	}
}

func TestRefusesRemoteTargets(t *testing.T) {
	err := Run(context.Background(), Options{Base: "https://example.com/dicom-web", Clients: 1, Duration: time.Second, Instances: 1}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("err %v", err)
	}
}

func TestBenchFilesAreValid(t *testing.T) {
	f, err := part10.Parse(build(ids{"1.2.3", "1.2.3.1", "1.2.3.1.1"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, im, err := f.Frame(1); err != nil || im.Rows != 64 || im.BitsAllocated != 16 {
		t.Fatalf("frame: %+v %v", im, err)
	}
}
