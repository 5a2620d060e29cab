package auth

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

const (
	testTenant = "11111111-1111-1111-1111-111111111111"
	testClient = "22222222-2222-2222-2222-222222222222"
	testSecret = "s3cr3t~value.that-must-not-leak"
)

func TestSelect(t *testing.T) {
	tests := []struct {
		name         string
		opts         Options
		env          map[string]string
		wantFlow     Flow
		wantClient   string
		wantTenant   string
		noDiscovery  bool
		wantFallback bool
		wantErr      string
	}{
		{
			name:     "run by az: az's login even with an app in the environment",
			opts:     Options{PreferAzureCLI: true},
			env:      map[string]string{EnvTenantID: testTenant, EnvClientID: testClient, EnvClientSecret: testSecret},
			wantFlow: FlowAzureCLI, wantTenant: testTenant,
		},
		{
			name:     "run by az, --use-device-code still wins",
			opts:     Options{PreferAzureCLI: true, UseDeviceCode: true},
			env:      map[string]string{EnvTenantID: testTenant},
			wantFlow: FlowDeviceCode, wantClient: AzureCLIClientID, wantTenant: testTenant,
		},
		{
			name:       "secret from env, public cloud",
			env:        map[string]string{EnvTenantID: testTenant, EnvClientID: testClient, EnvClientSecret: testSecret},
			wantFlow:   FlowClientSecret,
			wantClient: testClient, wantTenant: testTenant,
		},
		{
			name: "secret with a custom authority disables instance discovery",
			env: map[string]string{EnvTenantID: testTenant, EnvClientID: testClient, EnvClientSecret: testSecret,
				EnvAuthorityHost: "https://127.0.0.1:8443/"},
			wantFlow: FlowClientSecret, wantClient: testClient, wantTenant: testTenant, noDiscovery: true,
		},
		{
			name:     "--authority-host overrides the environment",
			opts:     Options{AuthorityHost: "https://login.microsoftonline.us"},
			env:      map[string]string{EnvTenantID: testTenant, EnvClientID: testClient, EnvClientSecret: testSecret, EnvAuthorityHost: "https://127.0.0.1:8443/"},
			wantFlow: FlowClientSecret, wantClient: testClient, wantTenant: testTenant,
		},
		{
			name:     "--tenant overrides AZURE_TENANT_ID",
			opts:     Options{TenantID: "contoso.onmicrosoft.com"},
			env:      map[string]string{EnvTenantID: testTenant, EnvClientID: testClient, EnvClientSecret: testSecret},
			wantFlow: FlowClientSecret, wantClient: testClient, wantTenant: "contoso.onmicrosoft.com",
		},
		{
			name:     "secret wins over certificate, as EnvironmentCredential",
			env:      map[string]string{EnvTenantID: testTenant, EnvClientID: testClient, EnvClientSecret: testSecret, EnvCertificatePath: "/x.pem"},
			wantFlow: FlowClientSecret, wantClient: testClient, wantTenant: testTenant,
		},
		{
			name:     "certificate",
			env:      map[string]string{EnvTenantID: testTenant, EnvClientID: testClient, EnvCertificatePath: "/x.pem"},
			wantFlow: FlowCertificate, wantClient: testClient, wantTenant: testTenant,
		},
		{
			name:     "username and password",
			env:      map[string]string{EnvTenantID: testTenant, EnvClientID: testClient, EnvUsername: "u@x", EnvPassword: "p"},
			wantFlow: FlowPassword, wantClient: testClient, wantTenant: testTenant,
		},
		{
			name:     "nothing set: Azure CLI, no fallback without a terminal",
			wantFlow: FlowAzureCLI,
		},
		{
			name:     "nothing set on a terminal: Azure CLI then device code",
			opts:     Options{IsTTY: true},
			wantFlow: FlowAzureCLI, wantFallback: true,
		},
		{
			name:     "client id without a secret: Azure CLI",
			env:      map[string]string{EnvClientID: testClient},
			wantFlow: FlowAzureCLI,
		},
		{
			name:       "--use-device-code with the Azure CLI's client",
			opts:       Options{UseDeviceCode: true},
			wantFlow:   FlowDeviceCode,
			wantClient: AzureCLIClientID, wantTenant: organizationsTenant,
		},
		{
			name:    "secret without tenant",
			env:     map[string]string{EnvClientID: testClient, EnvClientSecret: testSecret},
			wantErr: "needs a tenant",
		},
		{
			name:    "http authority",
			env:     map[string]string{EnvAuthorityHost: "http://127.0.0.1:8443/"},
			wantErr: "must use https",
		},
		{
			name:    "authority with a path",
			env:     map[string]string{EnvAuthorityHost: "https://login.microsoftonline.com/contoso"},
			wantErr: "must not have a path",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.Env = envOf(tt.env)
			s, err := Select(o)
			if tt.wantErr != "" {
				var ce *ConfigError
				if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want ConfigError with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Flow != tt.wantFlow || s.ClientID != tt.wantClient || s.TenantID != tt.wantTenant {
				t.Errorf("got flow %s client %q tenant %q, want %s %q %q", s.Flow, s.ClientID, s.TenantID, tt.wantFlow, tt.wantClient, tt.wantTenant)
			}
			if got := s.DisableInstanceDiscovery(); got != tt.noDiscovery {
				t.Errorf("DisableInstanceDiscovery = %v, want %v (authority %s)", got, tt.noDiscovery, s.AuthorityHost)
			}
			if s.DeviceCodeFallback != tt.wantFallback {
				t.Errorf("DeviceCodeFallback = %v, want %v", s.DeviceCodeFallback, tt.wantFallback)
			}
			if _, err := New(s, Interaction{}); err != nil && s.Flow != FlowCertificate {
				t.Errorf("New: %v", err)
			}
		})
	}
}

func TestForFlow(t *testing.T) {
	base := map[string]string{EnvTenantID: testTenant, EnvClientID: testClient}
	tests := []struct {
		name    string
		opts    FlowOptions
		env     map[string]string
		check   func(Settings) bool
		wantErr string
	}{
		{"secret from flag", FlowOptions{Flow: FlowClientSecret, Secret: testSecret}, base,
			func(s Settings) bool { return s.Secret == testSecret }, ""},
		{"secret from env", FlowOptions{Flow: FlowClientSecret}, map[string]string{EnvTenantID: testTenant, EnvClientID: testClient, EnvClientSecret: "e"},
			func(s Settings) bool { return s.Secret == "e" }, ""},
		{"secret missing", FlowOptions{Flow: FlowClientSecret}, base, nil, "needs a client secret (--secret or AZURE_CLIENT_SECRET)"},
		{"secret missing, a workload's environment", FlowOptions{Flow: FlowClientSecret},
			map[string]string{EnvTenantID: testTenant, EnvClientID: testClient, EnvFederatedTokenFile: "/t"}, nil,
			"needs a client secret (--secret or AZURE_CLIENT_SECRET); AZURE_FEDERATED_TOKEN_FILE is set: pass --flow workload-identity"},
		{"secret missing, a certificate's environment", FlowOptions{Flow: FlowClientSecret},
			map[string]string{EnvTenantID: testTenant, EnvClientID: testClient, EnvCertificatePath: "/c.pem"}, nil,
			"AZURE_CLIENT_CERTIFICATE_PATH is set: pass --flow certificate"},
		{"client id flag wins", FlowOptions{Flow: FlowClientSecret, ClientID: "c", Secret: "x"}, base,
			func(s Settings) bool { return s.ClientID == "c" }, ""},
		{"certificate missing", FlowOptions{Flow: FlowCertificate}, base, nil, "needs a certificate file"},
		{"password from flags", FlowOptions{Flow: FlowPassword, Username: "u", Password: "p"}, base,
			func(s Settings) bool { return s.Username == "u" && s.Password == "p" }, ""},
		{"password needs a tenant", FlowOptions{Flow: FlowPassword, Username: "u", Password: "p"}, map[string]string{EnvClientID: testClient}, nil, "needs a tenant"},
		{"device code defaults to organizations", FlowOptions{Flow: FlowDeviceCode}, map[string]string{EnvClientID: testClient},
			func(s Settings) bool { return s.TenantID == organizationsTenant }, ""},
		{"auth code needs a client", FlowOptions{Flow: FlowAuthCode}, nil, nil, "needs a client id"},
		{"auth code port", FlowOptions{Flow: FlowAuthCode, RedirectPort: 70000}, base, nil, "is not a port"},
		{"azure cli ignores client id", FlowOptions{Flow: FlowAzureCLI}, base,
			func(s Settings) bool { return s.ClientID == "" && !s.DeviceCodeFallback }, ""},
		{"unknown flow", FlowOptions{Flow: "implicit"}, base, nil, "unknown flow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.Env = envOf(tt.env)
			s, err := ForFlow(o)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(s) {
				t.Errorf("unexpected settings %+v", s)
			}
		})
	}
}

func TestSecretsNeverFormatted(t *testing.T) {
	s := Settings{Flow: FlowPassword, Secret: testSecret, Password: testSecret, CertPassword: testSecret}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(verb, s); strings.Contains(out, testSecret) {
			t.Errorf("%s prints the secret: %s", verb, out)
		}
	}
}

func TestFlowAppOnly(t *testing.T) {
	for _, f := range Flows {
		want := f == FlowClientSecret || f == FlowCertificate || f == FlowWorkloadIdentity
		if f.AppOnly() != want {
			t.Errorf("%s.AppOnly() = %v", f, !want)
		}
	}
}

func TestIsGUID(t *testing.T) {
	tests := map[string]bool{
		testTenant:                             true,
		"AB6D6B3C-1B2A-4C5D-8E9F-0A1B2C3D4E5F": true,
		"contoso.onmicrosoft.com":              false,
		"11111111-1111-1111-1111-11111111111":  false,
		"11111111x1111-1111-1111-111111111111": false,
		"1111111g-1111-1111-1111-111111111111": false,
		"":                                     false,
	}
	for in, want := range tests {
		if got := IsGUID(in); got != want {
			t.Errorf("IsGUID(%q) = %v", in, got)
		}
	}
}

// A workload's federated token is picked after secrets, certificates and passwords, as
// DefaultAzureCredential tries WorkloadIdentityCredential after EnvironmentCredential.
func TestSelectWorkloadIdentity(t *testing.T) {
	env := map[string]string{EnvTenantID: testTenant, EnvClientID: testClient, EnvFederatedTokenFile: "/var/run/token"}
	s, err := Select(Options{Env: func(n string) string { return env[n] }})
	if err != nil || s.Flow != FlowWorkloadIdentity || s.TokenFile != "/var/run/token" {
		t.Fatalf("%+v %v", s, err)
	}
	env[EnvClientSecret] = testSecret
	if s, _ := Select(Options{Env: func(n string) string { return env[n] }}); s.Flow != FlowClientSecret {
		t.Errorf("a secret beside the token file: %s", s.Flow)
	}
	if _, err := ForFlow(FlowOptions{Flow: FlowWorkloadIdentity, Options: Options{Env: func(n string) string { return map[string]string{EnvTenantID: testTenant, EnvClientID: testClient}[n] }}}); err == nil {
		t.Error("workload-identity without a token file")
	}
}
