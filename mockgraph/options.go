package mockgraph

import (
	"io"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/clock"
	"github.com/dicomreg/dicomreg/mockgraph/internal/identity"
	"github.com/dicomreg/dicomreg/mockgraph/internal/propagation"
)

// Options configure a Server. The zero value is a loopback server on a free port with a fresh
// random tenant.
type Options struct {
	Addr     string  // listen address; default 127.0.0.1:0
	TenantID string  // default: drawn from the seed
	Seed     *uint64 // nil: a random seed (reported by Server.Seed so a run can be replayed)
	// StatePath keeps the directory and DICOM data in a file across restarts; empty: memory only.
	StatePath string
	// KeyFile caches the token-signing key (RSA generation is the slowest part of start-up).
	// Empty: next to StatePath when set, else the user cache folder; "-" disables the cache.
	KeyFile string
	// CAFile is where the CA certificate PEM is written; empty: a temporary folder.
	CAFile string
	// TLSNames are extra host names for the server certificate (e.g. login.microsoftonline.com).
	TLSNames []string
	// TrustForwardedHost follows X-Forwarded-Host in the URLs the server shows (discovery, the
	// DICOM service's WWW-Authenticate): only for a TLS-terminating proxy in front of it. Off, a
	// client cannot make the server advertise a host of its choosing.
	TrustForwardedHost bool
	// Clock is the server's clock; nil: the wall clock (adjustable through the control API).
	Clock *clock.Adjustable
	// NoDICOMPrincipal models a tenant with no DICOM service deployed yet.
	NoDICOMPrincipal bool
	// ReplicationDelay hides new Graph objects from reads by id and SP creation for this long
	// (the same as Propagation.Graph; the longer of the two wins).
	ReplicationDelay time.Duration
	// ManagedIdentityEnv puts IDENTITY_ENDPOINT and IDENTITY_HEADER in the env file, so
	// ManagedIdentityCredential (and DefaultAzureCredential without AZURE_CLIENT_SECRET) uses the
	// mock's App Service-style managed identity endpoint.
	ManagedIdentityEnv bool
	// KeyRotation rotates the token-signing key this often on the server's clock (0: never);
	// KeyGrace is how long a replaced key stays published and accepted (default: KeyRotation,
	// else 24 h for rotations through the control API).
	KeyRotation time.Duration
	KeyGrace    time.Duration
	// Propagation is how long each reader (Graph, the token service, RBAC, the DICOM service's
	// cache) lags behind a write; zero: consistent at once.
	Propagation propagation.Delays
	Faults      Faults
	// UserConsent is the tenant's user-consent setting; empty: users may consent.
	UserConsent identity.ConsentPolicy
	// AccessLog, when set, gets one line per request.
	AccessLog io.Writer
	// ReadHeaderTimeout bounds how long a client may take to send its request headers (slow
	// clients are cut off); default 10 s.
	ReadHeaderTimeout time.Duration
}

// Option changes Options; Start and New take them.
type Option func(*Options)

// WithSeed makes ids, secrets and fault decisions repeat from run to run.
func WithSeed(seed uint64) Option { return func(o *Options) { o.Seed = &seed } }

// WithTenantID fixes the tenant id.
func WithTenantID(id string) Option { return func(o *Options) { o.TenantID = id } }

// WithFrozenClock starts the server's clock stopped at t; tests move it with Clock().Advance.
func WithFrozenClock(t time.Time) Option { return func(o *Options) { o.Clock = clock.Frozen(t) } }

// WithClock gives the server a clock the caller controls.
func WithClock(c *clock.Adjustable) Option { return func(o *Options) { o.Clock = c } }

// WithReplicationDelay sets the Graph replication delay.
func WithReplicationDelay(d time.Duration) Option { return func(o *Options) { o.ReplicationDelay = d } }

// WithPropagation sets every propagation delay.
func WithPropagation(d propagation.Delays) Option { return func(o *Options) { o.Propagation = d } }

// WithRealistic makes the mock as slow and as strict as Azure: every propagation delay at its
// documented magnitude (propagation.Realistic) and throttling with the real services' headers
// (RealisticFaults). Tests advance Clock() past Propagation().Longest() instead of waiting.
func WithRealistic() Option {
	return func(o *Options) {
		o.Propagation = propagation.Realistic()
		o.Faults = RealisticFaults()
	}
}

// WithAdminConsentOnly turns user consent off in the tenant ("Do not allow user consent"): users
// cannot consent on the sign-in prompt, only an admin's grant lets them in.
func WithAdminConsentOnly() Option {
	return func(o *Options) { o.UserConsent = identity.AdminConsentOnly }
}

// WithFaults injects throttling, outages and latency into Graph and ARM.
func WithFaults(f Faults) Option { return func(o *Options) { o.Faults = f } }

// WithoutDICOMPrincipal leaves the Azure API for DICOM principal out of the tenant.
func WithoutDICOMPrincipal() Option { return func(o *Options) { o.NoDICOMPrincipal = true } }

// WithStateFile persists the directory in path.
func WithStateFile(path string) Option { return func(o *Options) { o.StatePath = path } }

// WithTrustForwardedHost makes the server follow X-Forwarded-Host (behind a TLS-terminating proxy).
func WithTrustForwardedHost() Option { return func(o *Options) { o.TrustForwardedHost = true } }

// WithTLSNames adds host names to the server certificate.
func WithTLSNames(names ...string) Option {
	return func(o *Options) { o.TLSNames = append(o.TLSNames, names...) }
}

// WithAddr sets the listen address.
func WithAddr(addr string) Option { return func(o *Options) { o.Addr = addr } }

// WithKeyFile sets where the signing key is cached ("-": not cached).
func WithKeyFile(path string) Option { return func(o *Options) { o.KeyFile = path } }

// WithCAFile sets where the CA certificate is written.
func WithCAFile(path string) Option { return func(o *Options) { o.CAFile = path } }

// WithAccessLog writes a line per request to w.
func WithAccessLog(w io.Writer) Option { return func(o *Options) { o.AccessLog = w } }
