package cli

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph"
	"github.com/dicomreg/dicomreg/plugin/secretfile"
)

// Item 7 of issue 14: retries are told — a line per wait with its length and reason, Graph's
// fractional Retry-After followed — quiet with --only-show-errors, and --verbose adds a line per
// request.
func TestRetriesAreTold(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(21), mockgraph.WithFaults(mockgraph.Faults{Rate503: 1, RetryAfter: 200 * time.Millisecond}))
	f, _, errOut := registerFactory(srv)
	var slept []time.Duration
	f.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	f.Retry.MaxRetries = 2
	if code := run(context.Background(), f, []string{"app", "list"}); code != ExitError {
		t.Fatalf("exit %d under 100%% 503: %s", code, errOut)
	}
	got := errOut.String()
	for _, want := range []string{
		"Waiting 200ms: Microsoft Graph answered 503 Service Unavailable with Retry-After 0.2; then try 2 of 3",
		"Waiting 200ms: Microsoft Graph answered 503 Service Unavailable with Retry-After 0.2; then try 3 of 3",
		"ERROR: ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("stderr lacks %q:\n%s", want, got)
		}
	}
	if len(slept) != 2 || slept[0] != 200*time.Millisecond {
		t.Errorf("slept %v, want 2 × 200ms", slept)
	}

	f, _, errOut = registerFactory(srv)
	f.Retry.MaxRetries = 1
	run(context.Background(), f, []string{"app", "list", "--only-show-errors"})
	if got := errOut.String(); strings.Contains(got, "Waiting") || !strings.HasPrefix(got, "ERROR: ") {
		t.Errorf("--only-show-errors: %q", got)
	}

	srv.SetFaults(mockgraph.Faults{})
	f, _, errOut = registerFactory(srv)
	if code := run(context.Background(), f, []string{"app", "list", "--verbose"}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if got := errOut.String(); !strings.Contains(got, "GET "+srv.GraphURL()+"/applications") || !strings.Contains(got, "→ 200 (") {
		t.Errorf("--verbose shows no request line:\n%s", got)
	}
}

// secretFileVar is a variable of a dotenv file dicomreg wrote.
func secretFileVar(t *testing.T, path, name string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, vars, err := secretfile.ParseDotenv(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return secretfile.Get(vars, name)
}
