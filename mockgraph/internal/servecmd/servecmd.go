// Package servecmd is the `mockgraph` command line: `mockgraph serve` runs the mock as a process
// for CI scripts and for clients written in other languages.
package servecmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/dicomreg/dicomreg/mockgraph"
	"github.com/dicomreg/dicomreg/mockgraph/internal/clock"
	"github.com/dicomreg/dicomreg/mockgraph/internal/identity"
	"github.com/dicomreg/dicomreg/mockgraph/internal/propagation"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

const usage = `mockgraph — an offline stand-in for Microsoft Graph, Entra ID, Azure RBAC and a DICOM service.
It is a TEST SERVER: it issues real-looking tokens for a fake tenant. Never use it in place of Azure.

Usage:
  mockgraph serve [flags]     run the mock until SIGINT/SIGTERM
  mockgraph token github|k8s  mint a GitHub-Actions- or Kubernetes-shaped workload token (see mockgraph token --help)
  mockgraph version

Examples:
  # start, wait for the env file, point everything at the mock
  mockgraph serve --env-file /tmp/mock.env &
  until [ -s /tmp/mock.env ]; do sleep 0.1; done; source /tmp/mock.env
  dicomreg register --name my-viewer --secret --grant-admin-consent

  # a tenant that keeps its state across restarts, with realistic Graph lag and throttling
  mockgraph serve --state ./mock-state.json --replication-delay 10s --fault-429 0.2 --retry-after 2s

  # as slow as Azure (role assignments take 10 minutes); skip the waits by moving the clock
  mockgraph serve --realistic --env-file /tmp/mock.env &
  curl -s --cacert /tmp/mock.env.ca.pem -X POST "$MOCKGRAPH_URL/mock/clock" -d '{"advance":"15m"}'
`

// Version is set at build time with -ldflags "-X …/servecmd.Version=…".
var Version = "dev"

type serveOptions struct {
	addr             string
	envFile          string
	caFile           string
	stateFile        string
	keyFile          string
	tenantID         string
	seed             string
	tlsNames         []string
	trustFwdHost     bool
	replicationDelay time.Duration
	signInDelay      time.Duration
	credentialDelay  time.Duration
	rbacDelay        time.Duration
	dicomCache       time.Duration
	realistic        bool
	userConsent      string
	set              func(name string) bool // whether a flag was given
	rate429          float64
	rate503          float64
	retryAfter       time.Duration
	latency          time.Duration
	noDICOM          bool
	accessLog        bool
	allowRemote      bool
	exitWithParent   bool
	managedIdentity  bool
	rotateKeys       time.Duration
	keyGrace         time.Duration
}

func bindServeFlags(fs *pflag.FlagSet, o *serveOptions) {
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8443", "listen address (port 0 picks a free port)")
	fs.StringVar(&o.envFile, "env-file", "", "write `export NAME=value` lines here once the server is ready")
	fs.StringVar(&o.caFile, "ca-file", "", "write the CA certificate PEM here (default: next to --env-file, else a temporary folder)")
	fs.StringVar(&o.stateFile, "state", "", "keep the tenant in this file across restarts (default: memory only)")
	fs.StringVar(&o.keyFile, "key-file", "", "cache the token-signing key here (default: next to --state, else the user cache folder; - for none)")
	fs.StringVar(&o.tenantID, "tenant", "", "tenant id (default: drawn from the seed)")
	fs.StringVar(&o.seed, "seed", "", "random seed for ids, secrets and faults (default: random, printed at start)")
	fs.StringArrayVar(&o.tlsNames, "tls-name", nil, "extra host name for the TLS certificate (repeatable), e.g. login.microsoftonline.com")
	fs.BoolVar(&o.trustFwdHost, "trust-forwarded-host", false, "follow X-Forwarded-Host in the URLs the server shows (only behind a TLS-terminating proxy)")
	fs.DurationVar(&o.replicationDelay, "replication-delay", 0, "hide new Graph objects from reads by id and SP creation for this long")
	fs.DurationVar(&o.signInDelay, "signin-delay", 0, "the token service learns of a new app or service principal after this long (AADSTS700016 until then)")
	fs.DurationVar(&o.credentialDelay, "credential-delay", 0, "a new secret or certificate works at the token service after this long (AADSTS7000215/700027 until then)")
	fs.DurationVar(&o.rbacDelay, "rbac-delay", 0, "a new role assignment takes effect in access checks after this long")
	fs.DurationVar(&o.dicomCache, "dicom-cache", 0, "the DICOM service keeps each access decision this long")
	fs.StringVar(&o.userConsent, "user-consent", "allowed", "the tenant's user consent: allowed, or adminOnly (users cannot consent; AADSTS90094)")
	fs.BoolVar(&o.realistic, "realistic", false, "as slow as Azure: every delay at its documented magnitude (30s, 30s, 20s, 10m, 5m) and 2% throttling; flags given beside it win")
	fs.Float64Var(&o.rate429, "fault-429", 0, "share of Graph/ARM requests answered 429 (0..1)")
	fs.Float64Var(&o.rate503, "fault-503", 0, "share of Graph/ARM requests answered 503 (0..1)")
	fs.DurationVar(&o.retryAfter, "retry-after", 2*time.Second, "Retry-After of injected faults (sent in whole seconds, as Graph and ARM do)")
	fs.DurationVar(&o.latency, "latency", 0, "latency added to every Graph/ARM request")
	fs.BoolVar(&o.noDICOM, "no-dicom-principal", false, "leave out the Azure API for DICOM principal (a tenant with no DICOM service yet)")
	fs.BoolVar(&o.accessLog, "access-log", false, "log one line per request to stderr (never headers or bodies)")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow listening on a non-loopback address")
	fs.BoolVar(&o.managedIdentity, "managed-identity-env", false, "write IDENTITY_ENDPOINT and IDENTITY_HEADER (App Service managed identity) to the env file")
	fs.DurationVar(&o.rotateKeys, "rotate-keys-every", 0, "roll the token-signing key this often on the mock's clock (0: never; POST /mock/keys rotates now)")
	fs.DurationVar(&o.keyGrace, "key-grace", 0, "how long a replaced signing key stays in the JWKS and valid (default: the rotation period, else 24h)")
	fs.BoolVar(&o.exitWithParent, "exit-with-parent", false, "shut down when the process that started this one exits (no orphaned mocks in CI)")
}

// Main runs the command line and returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	switch args[0] {
	case "version":
		fmt.Fprintln(stdout, "mockgraph", Version)
		return exitOK
	case "token":
		return runTokenCommand(ctx, args[1:], stdout, stderr)
	case "serve":
	default:
		fmt.Fprintf(stderr, "mockgraph: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	var o serveOptions
	fs := pflag.NewFlagSet("mockgraph serve", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	bindServeFlags(fs, &o)
	fs.Usage = func() { fmt.Fprintf(stderr, "%s\nFlags of serve:\n%s", usage, fs.FlagUsages()) }
	o.set = func(name string) bool { return fs.Changed(name) }
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintf(stderr, "mockgraph serve: %v (see mockgraph serve --help)\n", err)
		return exitUsage
	}
	opts, err := o.options(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "mockgraph: %v\n", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.exitWithParent {
		ctx = exitWithParent(ctx, time.Second/5)
	}
	if err := serve(ctx, o, opts, stderr); err != nil {
		fmt.Fprintf(stderr, "mockgraph: %v\n", err)
		return exitError
	}
	return exitOK
}

func (o serveOptions) options(stderr io.Writer) (mockgraph.Options, error) {
	opts := mockgraph.Options{
		Addr: o.addr, TenantID: o.tenantID, StatePath: o.stateFile, KeyFile: o.keyFile, CAFile: o.caFile,
		TLSNames: o.tlsNames, TrustForwardedHost: o.trustFwdHost, NoDICOMPrincipal: o.noDICOM, ReplicationDelay: o.replicationDelay,
		Faults: mockgraph.Faults{Rate429: o.rate429, Rate503: o.rate503, RetryAfter: o.retryAfter, Latency: o.latency},
		Clock:  clock.New(), ManagedIdentityEnv: o.managedIdentity,
		KeyRotation: o.rotateKeys, KeyGrace: o.keyGrace,
	}
	o.applyRealism(&opts)
	if opts.UserConsent = identity.ConsentPolicy(o.userConsent); !opts.UserConsent.Valid() {
		return opts, fmt.Errorf("--user-consent %q: want %s or %s", o.userConsent, identity.UserConsentAllowed, identity.AdminConsentOnly)
	}
	if !opts.Propagation.Valid() {
		return opts, errors.New("delays must not be negative")
	}
	if o.seed != "" {
		n, err := strconv.ParseUint(o.seed, 10, 64)
		if err != nil {
			return opts, fmt.Errorf("--seed %q: not a whole number", o.seed)
		}
		opts.Seed = &n
	}
	if o.rate429 < 0 || o.rate503 < 0 || o.rate429+o.rate503 > 1 {
		return opts, errors.New("--fault-429 and --fault-503 must be in [0,1] with a sum of at most 1")
	}
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		return opts, fmt.Errorf("--addr %q: %v", o.addr, err)
	}
	if ip := net.ParseIP(host); !(host == "localhost" || (ip != nil && ip.IsLoopback())) && !o.allowRemote {
		return opts, fmt.Errorf("--addr %s is not a loopback address; this is a test server (pass --allow-remote if you mean it)", o.addr)
	}
	if opts.KeyFile == "" && opts.StatePath == "" {
		opts.KeyFile = defaultKeyFile()
	}
	if opts.CAFile == "" && o.envFile != "" {
		opts.CAFile = o.envFile + ".ca.pem"
	}
	if o.accessLog {
		opts.AccessLog = stderr
	}
	return opts, nil
}

// applyRealism sets the delays and throttling: --realistic's magnitudes first, then every flag
// the user gave, which wins.
func (o serveOptions) applyRealism(opts *mockgraph.Options) {
	given := o.set
	if given == nil {
		given = func(string) bool { return true }
	}
	if o.realistic {
		var r mockgraph.Options
		mockgraph.WithRealistic()(&r)
		opts.Propagation = r.Propagation
		if !given("fault-429") {
			opts.Faults.Rate429 = r.Faults.Rate429
		}
		if !given("retry-after") {
			opts.Faults.RetryAfter = r.Faults.RetryAfter
		}
	}
	for name, f := range map[string]struct {
		v   time.Duration
		dst *time.Duration
	}{
		"replication-delay": {o.replicationDelay, &opts.Propagation.Graph}, "signin-delay": {o.signInDelay, &opts.Propagation.SignIn},
		"credential-delay": {o.credentialDelay, &opts.Propagation.Credential}, "rbac-delay": {o.rbacDelay, &opts.Propagation.RBAC},
		"dicom-cache": {o.dicomCache, &opts.Propagation.DICOMCache},
	} {
		if given(name) || !o.realistic {
			*f.dst = f.v
		}
	}
	opts.ReplicationDelay = opts.Propagation.Graph
}

func defaultKeyFile() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "-"
	}
	return dir + "/dicomreg/mockgraph-signing-key.pem"
}

func serve(ctx context.Context, o serveOptions, opts mockgraph.Options, stderr io.Writer) error {
	srv, err := mockgraph.NewWithOptions(opts)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(stderr, "mockgraph: TEST SERVER (not Microsoft Entra ID) listening on %s\n", strings.Join(servedURLs(srv.Addr(), srv.URL()), ", "))
	fmt.Fprintf(stderr, "mockgraph: tenant %s, seed %d, CA %s\n", srv.TenantID(), srv.Seed(), srv.CAFile())
	if f := srv.Faults(); f.Rate429 > 0 || f.Rate503 > 0 || f.Latency > 0 {
		fmt.Fprintf(stderr, "mockgraph: faults %s\n", f)
	}
	if p := srv.Propagation(); p != (propagation.Delays{}) {
		fmt.Fprintf(stderr, "mockgraph: propagation: Graph %s, sign-in %s, credentials %s, RBAC %s, DICOM cache %s (advance the clock: POST /mock/clock {\"advance\":\"%s\"})\n",
			p.Graph, p.SignIn, p.Credential, p.RBAC, p.DICOMCache, p.Longest())
	}
	if o.envFile != "" {
		// Written last, once serving: a script that waits for this file may use the server at once.
		if err := srv.WriteEnvFile(o.envFile); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "mockgraph: env file %s (source it)\n", o.envFile)
	}
	<-ctx.Done()
	fmt.Fprintln(stderr, "mockgraph: shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// exitWithParent ends ctx once this process is re-parented, which is what happens when the
// script or test that started it dies, even by SIGKILL.
func exitWithParent(ctx context.Context, every time.Duration) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	parent := os.Getppid()
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if os.Getppid() != parent {
					cancel()
					return
				}
			}
		}
	}()
	return ctx
}

// servedURLs names every address the server answers on: on an unspecified address (0.0.0.0, ::)
// that is every interface's, not just the loopback one its URL uses.
func servedURLs(addr net.Addr, url string) []string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return []string{url}
	}
	ifaddrs, err := net.InterfaceAddrs()
	if err != nil {
		return []string{url, "every address of this host (port " + strconv.Itoa(tcp.Port) + ")"}
	}
	var out []string
	for _, a := range ifaddrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLinkLocalUnicast() {
			out = append(out, "https://"+net.JoinHostPort(ipn.IP.String(), strconv.Itoa(tcp.Port)))
		}
	}
	return out
}
