package servecmd

import (
	"io"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/dicomreg/dicomreg/mockgraph"
	"github.com/dicomreg/dicomreg/mockgraph/internal/identity"
	"github.com/dicomreg/dicomreg/mockgraph/internal/propagation"
)

func parseServe(t *testing.T, args ...string) mockgraph.Options {
	t.Helper()
	var o serveOptions
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	bindServeFlags(fs, &o)
	if err := fs.Parse(append([]string{"--addr", "127.0.0.1:0"}, args...)); err != nil {
		t.Fatal(err)
	}
	o.set = fs.Changed
	opts, err := o.options(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return opts
}

func TestRealisticSetsEveryDelayAndFlagsWin(t *testing.T) {
	opts := parseServe(t, "--realistic", "--rbac-delay", "1m", "--fault-429", "0")
	want := propagation.Realistic()
	want.RBAC = time.Minute
	if opts.Propagation != want || opts.ReplicationDelay != want.Graph {
		t.Fatalf("delays %+v, want %+v", opts.Propagation, want)
	}
	if opts.Faults.Rate429 != 0 || opts.Faults.RetryAfter != mockgraph.RealisticFaults().RetryAfter {
		t.Fatalf("faults %+v: --fault-429 0 must win, Retry-After come from --realistic", opts.Faults)
	}
	plain := parseServe(t, "--signin-delay", "3s", "--replication-delay", "2s")
	if plain.Propagation != (propagation.Delays{Graph: 2 * time.Second, SignIn: 3 * time.Second}) || plain.Faults.Rate429 != 0 {
		t.Fatalf("without --realistic only the given delays: %+v %+v", plain.Propagation, plain.Faults)
	}
}

func TestUserConsentFlag(t *testing.T) {
	if opts := parseServe(t, "--user-consent", "adminOnly"); opts.UserConsent != identity.AdminConsentOnly {
		t.Fatalf("--user-consent adminOnly: %q", opts.UserConsent)
	}
	var o serveOptions
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	bindServeFlags(fs, &o)
	_ = fs.Parse([]string{"--addr", "127.0.0.1:0", "--user-consent", "never"})
	if _, err := o.options(io.Discard); err == nil {
		t.Fatal("--user-consent never accepted")
	}
}
