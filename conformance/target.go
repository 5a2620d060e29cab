package conformance

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DICOMResource is the audience of every Azure DICOM service token.
const DICOMResource = "https://dicom.healthcareapis.azure.com"

// Target is what the suite runs against.
type Target struct {
	Name string // "mock", "live": shown in the report

	AuthorityHost string // AZURE_AUTHORITY_HOST, with its trailing slash
	TenantID      string
	GraphURL      string // Graph's base, …/v1.0
	ARMURL        string // Azure Resource Manager's base
	DICOMURL      string // the DICOMweb base; /v2/studies is appended
	// DICOMServiceID is the DICOM service's ARM resource id, the scope of role assignments.
	DICOMServiceID string

	// AdminClientID and AdminClientSecret sign in an app allowed to manage applications, consent
	// and role assignments on the DICOM service.
	AdminClientID     string
	AdminClientSecret string

	// Username and Password are a test user for the delegated flows (optional).
	Username string
	Password string

	// HTTPClient trusts the target's TLS; nil: http.DefaultClient.
	HTTPClient *http.Client
	// CAFile is a PEM file with the CA the target's TLS chains to (SSL_CERT_FILE for the dicomreg
	// binary); empty: the system roots.
	CAFile string

	// Dicomreg is the path of a built dicomreg binary; when it is empty DicomregError says why.
	Dicomreg      string
	DicomregError error
	// DicomregEnv are extra NAME=value pairs for the binary (e.g. a short retry backoff).
	DicomregEnv []string

	// SignInForm says the authorize endpoint is a plain HTML form a program can fill in; Entra's
	// sign-in page is a script application, so only the mock sets it.
	SignInForm bool
	// ApproveDeviceCode signs the test user in for a pending device code (nil: cannot).
	ApproveDeviceCode func(ctx context.Context, userCode string) error
	// AdvanceClock moves the target's clock by d (nil: cannot). The suite moves it forward
	// within a behaviour and back by as much when the behaviour ends.
	AdvanceClock func(d time.Duration)
	// GraphWrites counts the Graph and ARM writes the target has seen (nil: cannot), so a
	// converged `dicomreg register` can be shown to write nothing.
	GraphWrites func() int
	// PauseFaults stops the target's random 429/503 answers until resume is called (nil:
	// cannot), for a client whose own retries are known to break a request.
	PauseFaults func() (resume func())

	// MintWorkloadToken mints a token from an OIDC issuer the target serves for workload identity
	// federation: kind "github" (subject OWNER/REPO, a job on branch main) or "k8s" (subject
	// NAMESPACE/SERVICEACCOUNT); it returns the issuer URL, the token's sub and the token. nil: the
	// target trusts only real issuers, whose tokens the suite cannot mint.
	MintWorkloadToken func(ctx context.Context, kind, subject string) (issuer, sub, token string, err error)
	// ManagedIdentityEndpoint and ManagedIdentityHeader are IDENTITY_ENDPOINT and IDENTITY_HEADER
	// of an App Service-style managed identity, whose principal (object) id is
	// ManagedIdentityPrincipalID; empty: the suite does not run inside such a host.
	ManagedIdentityEndpoint    string
	ManagedIdentityHeader      string
	ManagedIdentityPrincipalID string
	// RotateSigningKey rolls the token-signing key with the old one valid for grace (nil:
	// Entra rolls its keys on its own schedule).
	RotateSigningKey func(ctx context.Context, grace time.Duration) error

	// Propagation bounds the wait for replication and role assignments to take effect; zero:
	// the target is consistent at once, so every check is made exactly once. A target with
	// AdvanceClock waits by moving its clock.
	Propagation time.Duration
	// Realistic says the target's documented delays always apply in full (the mock with
	// --realistic): a call made at once after a write must fail as it can on Azure.
	Realistic bool

	// Skip names behaviours (or a prefix ending in "/") to skip, with the reason.
	Skip map[string]string
}

// Capability is something a behaviour needs from the target.
type Capability uint

// Capabilities a behaviour may need.
const (
	NeedPlugin       Capability = 1 << iota // a built dicomreg binary
	NeedUser                                // a test user and password
	NeedDICOMService                        // the DICOM service's resource id (role assignments)
	NeedDeviceApproval
	NeedClock
	NeedSignInForm
	NeedWorkloadIssuer
	NeedManagedIdentity
	NeedKeyRotation
)

var capabilityReasons = []struct {
	c      Capability
	reason string
}{
	{NeedUser, "target has no test user (set its username and password)"},
	{NeedDICOMService, "target has no DICOM service resource id, so roles cannot be assigned"},
	{NeedDeviceApproval, "target cannot approve a device code without a person"},
	{NeedClock, "target cannot fast-forward its clock"},
	{NeedSignInForm, "target cannot be signed in to without a browser"},
	{NeedWorkloadIssuer, "target trusts only real OIDC issuers (GitHub, AKS), whose tokens the suite cannot mint; run it in such a workload to test the exchange"},
	{NeedManagedIdentity, "not running where a managed identity endpoint is (IDENTITY_ENDPOINT/IDENTITY_HEADER)"},
	{NeedKeyRotation, "Entra rolls its signing keys on its own schedule; the suite cannot trigger a rollover"},
}

// Capabilities is what the target can do.
func (t *Target) Capabilities() Capability {
	var c Capability
	if t.Dicomreg != "" || t.DicomregError != nil {
		c |= NeedPlugin // a build that failed fails the behaviour rather than skipping it
	}
	if t.Username != "" && t.Password != "" {
		c |= NeedUser
	}
	if t.DICOMServiceID != "" {
		c |= NeedDICOMService
	}
	if t.ApproveDeviceCode != nil {
		c |= NeedDeviceApproval
	}
	if t.AdvanceClock != nil {
		c |= NeedClock
	}
	if t.SignInForm {
		c |= NeedSignInForm
	}
	if t.MintWorkloadToken != nil {
		c |= NeedWorkloadIssuer
	}
	if t.ManagedIdentityEndpoint != "" && t.ManagedIdentityHeader != "" && t.ManagedIdentityPrincipalID != "" {
		c |= NeedManagedIdentity
	}
	if t.RotateSigningKey != nil {
		c |= NeedKeyRotation
	}
	return c
}

// missing says why the target cannot run a behaviour that needs need; empty when it can.
func (t *Target) missing(need Capability) string {
	have := t.Capabilities()
	if need&NeedPlugin != 0 && have&NeedPlugin == 0 {
		return "no dicomreg binary was given"
	}
	for _, r := range capabilityReasons {
		if need&r.c != 0 && have&r.c == 0 {
			return r.reason
		}
	}
	return ""
}

func (t *Target) skipReason(name string) string {
	for k, why := range t.Skip {
		if k == name || (strings.HasSuffix(k, "/") && strings.HasPrefix(name, k)) {
			return why
		}
	}
	return ""
}

func (t *Target) validate() error {
	var errs []error
	for _, f := range []struct{ name, v string }{
		{"AuthorityHost", t.AuthorityHost}, {"GraphURL", t.GraphURL}, {"ARMURL", t.ARMURL}, {"DICOMURL", t.DICOMURL},
	} {
		u, err := url.Parse(f.v)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			errs = append(errs, errors.New("target."+f.name+" must be an https URL, got "+f.v))
		}
	}
	if !strings.HasSuffix(t.AuthorityHost, "/") {
		errs = append(errs, errors.New("target.AuthorityHost must end with a slash"))
	}
	if t.TenantID == "" || t.AdminClientID == "" || t.AdminClientSecret == "" {
		errs = append(errs, errors.New("target needs TenantID, AdminClientID and AdminClientSecret"))
	}
	return errors.Join(errs...)
}

func (t *Target) client() *http.Client {
	if t.HTTPClient != nil {
		return t.HTTPClient
	}
	return http.DefaultClient
}

// tokenURL is the v2.0 token endpoint of tenant.
func (t *Target) tokenURL(tenant string) string {
	return t.AuthorityHost + tenant + "/oauth2/v2.0/token"
}

// authorizeURL is the v2.0 authorize endpoint of the target's tenant.
func (t *Target) authorizeURL() string {
	return t.AuthorityHost + t.TenantID + "/oauth2/v2.0/authorize"
}

// graphHost is the host msgraph-sdk-go may send its token to.
func (t *Target) graphHost() string {
	u, err := url.Parse(t.GraphURL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
