package auth

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// Flow is a way to get a token: one per flow an app registration enables.
type Flow string

// The flows, named as `token get --flow` takes them.
const (
	FlowClientSecret Flow = "client-credentials"
	FlowCertificate  Flow = "certificate"
	FlowDeviceCode   Flow = "device-code"
	FlowAuthCode     Flow = "auth-code"
	FlowPassword     Flow = "password"
	FlowAzureCLI     Flow = "azure-cli"
	// FlowWorkloadIdentity exchanges a workload's OIDC token (AZURE_FEDERATED_TOKEN_FILE) through
	// a federated identity credential, as azidentity's WorkloadIdentityCredential does.
	FlowWorkloadIdentity Flow = "workload-identity"
)

// Flows lists every flow, in the order help text shows them.
var Flows = []Flow{FlowClientSecret, FlowCertificate, FlowWorkloadIdentity, FlowDeviceCode, FlowAuthCode, FlowPassword, FlowAzureCLI}

// AppOnly reports whether the flow signs in the app itself (a /.default scope, no user).
func (f Flow) AppOnly() bool {
	return f == FlowClientSecret || f == FlowCertificate || f == FlowWorkloadIdentity
}

// Environment variables read, the ones azidentity's EnvironmentCredential reads.
const (
	EnvTenantID            = "AZURE_TENANT_ID"
	EnvClientID            = "AZURE_CLIENT_ID"
	EnvClientSecret        = "AZURE_CLIENT_SECRET"
	EnvCertificatePath     = "AZURE_CLIENT_CERTIFICATE_PATH"
	EnvCertificatePassword = "AZURE_CLIENT_CERTIFICATE_PASSWORD"
	EnvUsername            = "AZURE_USERNAME"
	EnvPassword            = "AZURE_PASSWORD"
	EnvAuthorityHost       = "AZURE_AUTHORITY_HOST"
	EnvFederatedTokenFile  = "AZURE_FEDERATED_TOKEN_FILE"
)

// AzureCLIClientID is the Azure CLI's first-party public client, which device code sign-in for
// Graph/ARM calls uses when no app of the user's own is named (as `az login --use-device-code`).
const AzureCLIClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

// organizationsTenant is the authority segment for "any work or school tenant".
const organizationsTenant = "organizations"

// Secret is a value that must never be printed: %v and %s show it redacted.
type Secret string

const redacted = "[REDACTED]"

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the value too.
func (s Secret) GoString() string { return s.String() }

// Settings is everything a credential is built from, resolved from flags and environment.
type Settings struct {
	Flow          Flow
	TenantID      string
	ClientID      string
	AuthorityHost string // normalized, with trailing slash

	Secret       Secret // client-credentials
	CertFile     string // certificate: PEM (cert + key) or PKCS#12
	CertPassword Secret
	Username     string // password
	Password     Secret
	TokenFile    string // workload-identity: the workload's OIDC token

	RedirectPort int  // auth-code: loopback port, 0 for any free port
	NoBrowser    bool // auth-code: print the sign-in URL instead of opening a browser

	// DeviceCodeFallback: when the Azure CLI has no login, sign in with device code instead
	// (only when a terminal can show the code).
	DeviceCodeFallback bool
}

// DisableInstanceDiscovery is true for an authority host outside Microsoft's clouds: MSAL would
// otherwise ask login.microsoftonline.com to vouch for it and fail.
func (s Settings) DisableInstanceDiscovery() bool { return !isMicrosoftAuthority(s.AuthorityHost) }

// Options are the inputs to Select: global flags, environment and terminal.
type Options struct {
	TenantID      string // --tenant; overrides AZURE_TENANT_ID
	AuthorityHost string // --authority-host; overrides AZURE_AUTHORITY_HOST
	Env           func(string) string
	UseDeviceCode bool // --use-device-code
	// PreferAzureCLI signs in with the Azure CLI's login even when the environment names an app:
	// run as `az dicomreg`, the user is signed in to az, and that login is the one meant.
	PreferAzureCLI bool
	IsTTY          bool // a terminal is attached to show a device code
	Transport      policy.Transporter
	Prompt         io.Writer // where device-code instructions go (stderr)
}

func (o Options) getenv(name string) string {
	if o.Env != nil {
		return o.Env(name)
	}
	return os.Getenv(name)
}

// resolveCommon fills tenant and authority host from flags, then the environment.
func resolveCommon(o Options) (tenant, host string, err error) {
	tenant = firstNonEmpty(o.TenantID, o.getenv(EnvTenantID))
	host, err = normalizeAuthorityHost(firstNonEmpty(o.AuthorityHost, o.getenv(EnvAuthorityHost), DefaultAuthorityHost))
	return tenant, host, err
}

// Select picks the credential for Graph/ARM calls as azidentity's EnvironmentCredential would
// (secret, then certificate, then username/password, each with AZURE_CLIENT_ID), then a
// workload's federated token (AZURE_FEDERATED_TOKEN_FILE) as DefaultAzureCredential would, unless
// --use-device-code asks for device code or PreferAzureCLI for the Azure CLI's login; with none of
// those, the Azure CLI's login, falling back to device code when a terminal is attached.
func Select(o Options) (Settings, error) {
	tenant, host, err := resolveCommon(o)
	if err != nil {
		return Settings{}, err
	}
	s := Settings{TenantID: tenant, AuthorityHost: host, ClientID: o.getenv(EnvClientID)}
	switch {
	case o.UseDeviceCode:
		s.Flow = FlowDeviceCode
		s.ClientID = firstNonEmpty(s.ClientID, AzureCLIClientID)
		s.TenantID = firstNonEmpty(s.TenantID, organizationsTenant)
	case o.PreferAzureCLI:
		s.Flow, s.ClientID = FlowAzureCLI, ""
		s.DeviceCodeFallback = o.IsTTY
	case s.ClientID != "" && o.getenv(EnvClientSecret) != "":
		s.Flow, s.Secret = FlowClientSecret, Secret(o.getenv(EnvClientSecret))
	case s.ClientID != "" && o.getenv(EnvCertificatePath) != "":
		s.Flow, s.CertFile = FlowCertificate, o.getenv(EnvCertificatePath)
		s.CertPassword = Secret(o.getenv(EnvCertificatePassword))
	case s.ClientID != "" && o.getenv(EnvUsername) != "" && o.getenv(EnvPassword) != "":
		s.Flow, s.Username, s.Password = FlowPassword, o.getenv(EnvUsername), Secret(o.getenv(EnvPassword))
	case s.ClientID != "" && o.getenv(EnvFederatedTokenFile) != "":
		s.Flow, s.TokenFile = FlowWorkloadIdentity, o.getenv(EnvFederatedTokenFile)
	default:
		s.Flow, s.ClientID = FlowAzureCLI, ""
		s.DeviceCodeFallback = o.IsTTY
	}
	return s, s.validate()
}

// FlowOptions are `token get`'s flags, for a flow named outright. Empty fields fall back to the
// environment as in Select.
type FlowOptions struct {
	Options
	Flow         Flow
	ClientID     string
	Secret       Secret
	CertFile     string
	Username     string
	Password     Secret
	RedirectPort int
	NoBrowser    bool
}

// ForFlow resolves the settings for the flow named in o.
func ForFlow(o FlowOptions) (Settings, error) {
	tenant, host, err := resolveCommon(o.Options)
	if err != nil {
		return Settings{}, err
	}
	s := Settings{
		Flow:          o.Flow,
		TenantID:      tenant,
		AuthorityHost: host,
		ClientID:      firstNonEmpty(o.ClientID, o.getenv(EnvClientID)),
		RedirectPort:  o.RedirectPort,
		NoBrowser:     o.NoBrowser,
	}
	switch o.Flow {
	case FlowClientSecret:
		s.Secret = Secret(firstNonEmpty(string(o.Secret), o.getenv(EnvClientSecret)))
	case FlowCertificate:
		s.CertFile = firstNonEmpty(o.CertFile, o.getenv(EnvCertificatePath))
		s.CertPassword = Secret(o.getenv(EnvCertificatePassword))
	case FlowPassword:
		s.Username = firstNonEmpty(o.Username, o.getenv(EnvUsername))
		s.Password = Secret(firstNonEmpty(string(o.Password), o.getenv(EnvPassword)))
	case FlowWorkloadIdentity:
		s.TokenFile = o.getenv(EnvFederatedTokenFile)
	case FlowDeviceCode, FlowAuthCode:
		if s.TenantID == "" {
			s.TenantID = organizationsTenant
		}
	case FlowAzureCLI:
		s.ClientID = ""
	default:
		return Settings{}, &ConfigError{Msg: fmt.Sprintf("unknown flow %q; want one of %s", o.Flow, flowNames())}
	}
	err = s.validate()
	var cerr *ConfigError
	if s.Flow == FlowClientSecret && s.Secret == "" && errors.As(err, &cerr) {
		// client-credentials is the default flow, so a workload's or a certificate's environment
		// lands here: name the flow it holds.
		switch {
		case o.getenv(EnvFederatedTokenFile) != "":
			cerr.Msg += "; " + EnvFederatedTokenFile + " is set: pass --flow " + string(FlowWorkloadIdentity)
		case o.getenv(EnvCertificatePath) != "":
			cerr.Msg += "; " + EnvCertificatePath + " is set: pass --flow " + string(FlowCertificate)
		}
	}
	return s, err
}

// validate names the first thing the flow needs and does not have.
func (s Settings) validate() error {
	need := func(ok bool, what string) error {
		if ok {
			return nil
		}
		return &ConfigError{Msg: fmt.Sprintf("the %s flow needs %s", s.Flow, what)}
	}
	checks := []error{}
	switch s.Flow {
	case FlowClientSecret:
		checks = append(checks, need(s.TenantID != "", "a tenant (--tenant or "+EnvTenantID+")"),
			need(s.ClientID != "", "a client id (--client-id or "+EnvClientID+")"),
			need(s.Secret != "", "a client secret (--secret or "+EnvClientSecret+")"))
	case FlowCertificate:
		checks = append(checks, need(s.TenantID != "", "a tenant (--tenant or "+EnvTenantID+")"),
			need(s.ClientID != "", "a client id (--client-id or "+EnvClientID+")"),
			need(s.CertFile != "", "a certificate file (--cert-file or "+EnvCertificatePath+")"))
	case FlowPassword:
		checks = append(checks, need(s.TenantID != "" && s.TenantID != organizationsTenant, "a tenant (--tenant or "+EnvTenantID+")"),
			need(s.ClientID != "", "a client id (--client-id or "+EnvClientID+")"),
			need(s.Username != "", "a username (--username or "+EnvUsername+")"),
			need(s.Password != "", "a password (--password or "+EnvPassword+")"))
	case FlowWorkloadIdentity:
		checks = append(checks, need(s.TenantID != "", "a tenant (--tenant or "+EnvTenantID+")"),
			need(s.ClientID != "", "a client id (--client-id or "+EnvClientID+")"),
			need(s.TokenFile != "", "a federated token file ("+EnvFederatedTokenFile+")"))
	case FlowDeviceCode, FlowAuthCode:
		checks = append(checks, need(s.ClientID != "", "a client id (--client-id or "+EnvClientID+")"))
	}
	if s.RedirectPort < 0 || s.RedirectPort > 65535 {
		checks = append(checks, &ConfigError{Msg: fmt.Sprintf("--redirect-port %d is not a port", s.RedirectPort)})
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}

func flowNames() string {
	names := make([]string, len(Flows))
	for i, f := range Flows {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// IsGUID reports whether s has a GUID's shape (8-4-4-4-12 hex digits), as tenant, app and object
// ids do; a tenant may also be named by a domain, an app by its display name.
func IsGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
