package graphapi

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
)

// TestConcurrentWrites runs registrations side by side (under -race): every app, secret and
// service principal lands once, and lists stay consistent.
func TestConcurrentWrites(t *testing.T) {
	e := newEnv(t)
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan string, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			app := e.call(http.MethodPost, "/v1.0/applications", map[string]any{"displayName": "par-" + strconv.Itoa(i)})
			if app.status != http.StatusCreated {
				errs <- string(app.raw)
				return
			}
			if r := e.call(http.MethodPost, "/v1.0/applications/"+app.str("id")+"/addPassword", nil); r.status != http.StatusOK {
				errs <- string(r.raw)
			}
			if r := e.call(http.MethodPost, "/v1.0/servicePrincipals", map[string]any{"appId": app.str("appId")}); r.status != http.StatusCreated {
				errs <- string(r.raw)
			}
			if r := e.call(http.MethodGet, "/v1.0/applications?$top=999", nil); r.status != http.StatusOK {
				errs <- string(r.raw)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
	res := e.call(http.MethodGet, "/v1.0/applications?$filter=startswith(displayName,'par-')", nil).must(t, http.StatusOK)
	if n := len(res.values()); n != workers {
		t.Fatalf("%d apps, want %d", n, workers)
	}
}
