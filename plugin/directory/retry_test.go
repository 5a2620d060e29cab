package directory

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

type staticToken struct{}

func (staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "t", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// recorder is an Observer and a sleeper that only records.
type recorder struct {
	mu       sync.Mutex
	waits    []string
	slept    []time.Duration
	requests int
}

func (r *recorder) Waiting(d time.Duration, why string) func() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waits = append(r.waits, fmt.Sprintf("%s: %s", d, why))
	return func() {}
}

func (r *recorder) Request(string, string, int, time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
}

func (r *recorder) sleep(_ context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.slept = append(r.slept, d)
	return nil
}

// scripted answers each request with the next of answers (status, Retry-After), then 200.
func scripted(t *testing.T, answers ...[2]string) *httptest.Server {
	var mu sync.Mutex
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if len(answers) == 0 {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"value":[{"id":"tenant-1"}]}`)
			return
		}
		a := answers[0]
		answers = answers[1:]
		if a[1] != "" {
			w.Header().Set("Retry-After", a[1])
		}
		w.Header().Set("Content-Type", "application/json")
		var status int
		fmt.Sscan(a[0], &status)
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"code":"TooManyRequests","message":"slow down"}}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Item 7 of issue 14: Graph's fractional Retry-After is followed, a wait without one backs off,
// and each wait is told with its length and reason — on the injected clock, so the test does
// not wait.
func TestRetriesWaitAsAskedAndSaySo(t *testing.T) {
	srv := scripted(t, [2]string{"429", "0.2"}, [2]string{"503", ""}, [2]string{"429", "Wed, 21 Oct 2015 07:28:00 GMT"})
	rec := &recorder{}
	c := New(srv.URL+"/v1.0", srv.URL, staticToken{}, Options{Transport: srv.Client(), Sleep: rec.sleep, Observer: rec,
		Retry: policy.RetryOptions{RetryDelay: time.Second}})
	start := time.Now()
	if _, err := c.Organization(context.Background()); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %s: the waits were slept for real", took)
	}
	// 0.2 s as asked; 3 s = (2²−1) × 1 s of backoff; a date in the past: no wait.
	if want := []time.Duration{200 * time.Millisecond, 3 * time.Second, 0}; !slices.Equal(rec.slept, want) {
		t.Errorf("slept %v, want %v", rec.slept, want)
	}
	if len(rec.waits) != 3 || !strings.Contains(rec.waits[0], "200ms: Microsoft Graph answered 429 Too Many Requests with Retry-After 0.2; then try 2 of 7") ||
		!strings.Contains(rec.waits[1], "3s: Microsoft Graph answered 503 Service Unavailable; then try 3 of 7") {
		t.Errorf("waits told:\n%s", strings.Join(rec.waits, "\n"))
	}
	if rec.requests != 4 || c.Requests() != 4 {
		t.Errorf("requests: observer %d, client %d, want 4", rec.requests, c.Requests())
	}
}

func TestRetryStopsAtTheLastTryAndBeyondMaxDelay(t *testing.T) {
	srv := scripted(t, [2]string{"503", "1"}, [2]string{"503", "1"}, [2]string{"503", "1"})
	rec := &recorder{}
	c := New(srv.URL+"/v1.0", srv.URL, staticToken{}, Options{Transport: srv.Client(), Sleep: rec.sleep, Observer: rec,
		Retry: policy.RetryOptions{MaxRetries: 1}})
	if _, err := c.Organization(context.Background()); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("err = %v, want the 503", err)
	}
	if len(rec.slept) != 1 {
		t.Errorf("slept %v: want one wait between two tries, none after the last", rec.slept)
	}

	srv = scripted(t, [2]string{"429", "120"})
	rec = &recorder{}
	c = New(srv.URL+"/v1.0", srv.URL, staticToken{}, Options{Transport: srv.Client(), Sleep: rec.sleep, Observer: rec})
	if _, err := c.Organization(context.Background()); err == nil {
		t.Fatal("want the 429 when the service asks for more than MaxRetryDelay")
	}
	if len(rec.slept) != 0 || len(rec.waits) != 1 || !strings.Contains(rec.waits[0], "asks to wait 2m0s, more than the 1m0s dicomreg waits: giving up") {
		t.Errorf("slept %v, told %q", rec.slept, rec.waits)
	}
}

func TestRetryAfterForms(t *testing.T) {
	for _, tt := range []struct {
		name, value string
		want        time.Duration
		ok          bool
	}{
		{"Retry-After", "0.2", 200 * time.Millisecond, true},
		{"Retry-After", "3", 3 * time.Second, true},
		{"retry-after-ms", "250", 250 * time.Millisecond, true},
		{"x-ms-retry-after-ms", "1.5", 1500 * time.Microsecond, true},
		{"Retry-After", "soon", 0, false},
		{"Retry-After", "-1", 0, false},
		{"Retry-After", "1e300", 0, false},
	} {
		h := http.Header{}
		h.Set(tt.name, tt.value)
		if got, ok := retryAfter(h); got != tt.want || ok != tt.ok {
			t.Errorf("%s: %s = %v %v, want %v %v", tt.name, tt.value, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"0.2", "120", "Wed, 21 Oct 2015 07:28:00 GMT", "NaN", "-0", "1e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{}
		h.Set("Retry-After", v)
		if d, ok := retryAfter(h); d < 0 || (!ok && d != 0) {
			t.Fatalf("%q → %v %v", v, d, ok)
		}
	})
}

type failingCredential struct{}

func (failingCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{}, errors.New("AzureCLICredential: Please run 'az login' to setup account")
}

// A credential's error is not retried by azcore, so nothing may say "retrying": the person
// sees the error once, not a promise of 7 tries.
func TestACredentialErrorIsNotAnnouncedAsARetry(t *testing.T) {
	srv := scripted(t)
	rec := &recorder{}
	c := New(srv.URL+"/v1.0", srv.URL, failingCredential{}, Options{Transport: srv.Client(), Sleep: rec.sleep, Observer: rec})
	if _, err := c.Organization(context.Background()); err == nil || !strings.Contains(err.Error(), "az login") {
		t.Fatalf("err = %v, want the credential's", err)
	}
	if len(rec.waits) != 0 || len(rec.slept) != 0 {
		t.Errorf("told %q, slept %v: want neither", rec.waits, rec.slept)
	}
}
