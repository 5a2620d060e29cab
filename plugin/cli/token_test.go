package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph"
	"github.com/dicomreg/dicomreg/plugin/auth"
	"github.com/dicomreg/dicomreg/plugin/certs"
	"github.com/dicomreg/dicomreg/plugin/dicom"
	"github.com/dicomreg/dicomreg/plugin/iostreams"
	"github.com/dicomreg/dicomreg/plugin/output"
)

var update = flag.Bool("update", false, "rewrite golden files")

// mockApp describes an app registration a test puts straight into the mock's store.
type mockApp struct {
	name            string
	public          bool
	publicRedirects []string
	webRedirects    []string
	secret          string
	secretEnd       time.Time // zero: a year from now
	cert            *certs.Pair
	permission      bool // Dicom.ReadWrite in requiredResourceAccess
	consent         bool // admin consent for Dicom.ReadWrite
	noSP            bool
	role            string // DICOM role definition id assigned on the seeded DICOM service
}

// addMockApp puts the app (and what it asks for) into the mock through its fixture API and
// returns its app id and service principal object id ("" with noSP).
func addMockApp(t *testing.T, srv *mockgraph.Server, c mockApp) (appID, spID string) {
	t.Helper()
	if c.name == "" {
		c.name = "cli-test"
	}
	app := mockgraph.App{Name: c.name, PublicClient: c.public, PublicClientRedirectURIs: c.publicRedirects, WebRedirectURIs: c.webRedirects,
		Secret: c.secret, SecretExpires: c.secretEnd, DICOMPermission: c.permission}
	if c.cert != nil {
		app.Certificates = append(app.Certificates, c.cert.Cert)
	}
	added, err := srv.AddApplication(app)
	if err != nil {
		t.Fatal(err)
	}
	if c.noSP {
		return added.AppID, ""
	}
	if spID, err = srv.AddServicePrincipal(added.AppID); err != nil {
		t.Fatal(err)
	}
	if c.consent {
		err = srv.GrantAdminConsent(spID)
	}
	if err == nil && c.role != "" {
		err = srv.AssignRole(spID, c.role, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	return added.AppID, spID
}

// mockFactory is a Factory pointed at the mock, with an environment holding only env, and
// buffers for stdin, stdout and stderr.
func mockFactory(srv *mockgraph.Server, env map[string]string) (*Factory, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	ios, in, out, errOut := iostreams.Test()
	f := &Factory{
		IO: ios,
		Global: GlobalOptions{Tenant: srv.TenantID(), AuthorityHost: srv.AuthorityHost(), Output: output.JSON,
			GraphURL: srv.GraphURL(), ARMURL: srv.ARMURL()},
		Getenv:        func(k string) string { return env[k] },
		Now:           srv.Clock().Now,
		BaseTransport: srv.Client(),
	}
	return f, in, out, errOut
}

func TestTokenGet(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(11))
	seeded := srv.Seeded()
	pair, err := certs.SelfSigned("token-get", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	certFile := filepath.Join(t.TempDir(), "client.pem")
	if err := certs.WritePEM(certFile, pair); err != nil {
		t.Fatal(err)
	}
	certApp, _ := addMockApp(t, srv, mockApp{cert: pair})
	publicApp, _ := addMockApp(t, srv, mockApp{public: true, permission: true, consent: true})
	tests := []struct {
		name  string
		flags flowFlags
		env   map[string]string
		acr   string
		scp   bool
	}{
		{"secret from flags", flowFlags{Flow: "client-credentials", ClientID: seeded.AdminAppID, Secret: seeded.AdminSecret}, nil, "1", false},
		{"secret from env", flowFlags{Flow: "client-credentials"},
			map[string]string{auth.EnvClientID: seeded.AdminAppID, auth.EnvClientSecret: seeded.AdminSecret}, "1", false},
		{"certificate", flowFlags{Flow: "certificate", ClientID: certApp, CertFile: certFile}, nil, "2", false},
		{"password from env", flowFlags{Flow: "password", ClientID: publicApp},
			map[string]string{auth.EnvUsername: seeded.TestUsername, auth.EnvPassword: seeded.TestPassword}, "0", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, stdout, stderr := mockFactory(srv, tt.env)
			f.Global.Debug = true
			if err := tokenGetRun(context.Background(), &TokenGetOptions{IO: f, SignIn: f.SignIn, flowFlags: tt.flags}); err != nil {
				t.Fatal(err)
			}
			var out accessToken
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatalf("%v: %s", err, stdout)
			}
			if out.TokenType != "Bearer" || out.Tenant != srv.TenantID() {
				t.Errorf("tokenType %q tenant %q", out.TokenType, out.Tenant)
			}
			exp, err := time.ParseInLocation(azExpiresOnLayout, out.ExpiresOn, time.Local)
			if err != nil || exp.Unix() != out.ExpiresOnTS {
				t.Errorf("expiresOn %q does not match expires_on %d (%v)", out.ExpiresOn, out.ExpiresOnTS, err)
			}
			tok, err := auth.DecodeToken(out.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			if got := tok.String("appidacr"); got != tt.acr {
				t.Errorf("appidacr = %q, want %q", got, tt.acr)
			}
			if _, has := tok.Claims["scp"]; has != tt.scp {
				t.Errorf("scp present = %v, want %v", has, tt.scp)
			}
			if !strings.Contains(stderr.String(), "DEBUG: POST") {
				t.Fatalf("--debug logged nothing; the checks below would prove nothing:\n%s", stderr)
			}
			for name, secret := range map[string]string{"token": out.AccessToken, "secret": seeded.AdminSecret, "password": seeded.TestPassword} {
				if strings.Contains(stderr.String(), secret) {
					t.Errorf("the %s appears in --debug output", name)
				}
			}
		})
	}
}

func TestTokenGetErrorsHideSecrets(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(12))
	seeded := srv.Seeded()
	wrong := "Xyz~not-the-secret-0123456789abcdef"
	f, _, _, stderr := mockFactory(srv, nil)
	f.Global.Debug = true
	err := tokenGetRun(context.Background(), &TokenGetOptions{IO: f, SignIn: f.SignIn,
		flowFlags: flowFlags{Flow: "client-credentials", ClientID: seeded.AdminAppID, Secret: wrong},
	})
	var se *auth.SignInError
	if !errors.As(err, &se) || se.Code != 7000215 {
		t.Fatalf("err = %v, want AADSTS7000215", err)
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(stderr.String(), wrong) {
		t.Errorf("the secret appears in the error or --debug output: %s\n%s", err, stderr)
	}
	if ExitCode(err) != ExitError {
		t.Errorf("exit code %d, want %d", ExitCode(err), ExitError)
	}
}

func TestTokenScopeDefaults(t *testing.T) {
	tests := map[string]string{
		"client-credentials": dicom.AppOnlyScope,
		"certificate":        dicom.AppOnlyScope,
		"device-code":        dicom.DelegatedScope,
		"auth-code":          dicom.DelegatedScope,
		"password":           dicom.DelegatedScope,
		"azure-cli":          dicom.DelegatedScope,
	}
	for flow, want := range tests {
		ff := flowFlags{Flow: flow}
		if got := ff.scope(); got != want {
			t.Errorf("%s: scope %q, want %q", flow, got, want)
		}
	}
	ff := flowFlags{Flow: "client-credentials", Scope: "https://graph.microsoft.com/.default"}
	if ff.scope() != "https://graph.microsoft.com/.default" {
		t.Error("--scope ignored")
	}
}

// decodeFixture is a v1 delegated DICOM token with a stray trailing slash in aud, expired.
func decodeFixture() string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	header := map[string]any{"alg": "RS256", "typ": "JWT", "kid": "mock-key-1", "x5t": "mock-key-1"}
	claims := map[string]any{
		"aud": "https://dicom.healthcareapis.azure.com/", "iss": "https://sts.windows.net/11111111-1111-1111-1111-111111111111/",
		"iat": 1767225600, "nbf": 1767225600, "exp": 1767229200, "ver": "1.0",
		"appid": "22222222-2222-2222-2222-222222222222", "appidacr": "0", "scp": "Dicom.ReadWrite",
		"oid": "33333333-3333-3333-3333-333333333333", "sub": "s", "tid": "11111111-1111-1111-1111-111111111111",
		"upn": "dicom.tester@contoso.example", "uti": "u",
	}
	return enc(header) + "." + enc(claims) + ".c2lnbmF0dXJl"
}

func TestTokenDecodeGolden(t *testing.T) {
	now := time.Date(2026, 1, 1, 1, 30, 0, 0, time.UTC) // 30 minutes after exp
	tests := []struct {
		name, golden, format, stdin string
		args                        []string
	}{
		{"argument", "token_decode.json", output.JSON, "", []string{decodeFixture()}},
		{"stdin", "token_decode.json", output.JSON, "Bearer " + decodeFixture() + "\n", []string{"-"}},
		{"checks as a table", "token_decode_checks.table", output.Table, decodeFixture(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, in, out, _ := iostreams.Test()
			in.WriteString(tt.stdin)
			f := &Factory{IO: ios, Getenv: func(string) string { return "" }, Now: func() time.Time { return now }}
			args := append([]string{"token", "decode"}, tt.args...)
			args = append(args, "-o", tt.format)
			if tt.format == output.Table {
				args = append(args, "--query", "checks")
			}
			// The fixture expired 30 minutes ago: its exp check is an error, so the exit code says
			// a DICOM service would refuse it, while the output shows every check (issue 14 item 9).
			if code := run(context.Background(), f, args); code != ExitError {
				t.Fatalf("exit %d, want %d", code, ExitError)
			}
			golden(t, tt.golden, out.Bytes())
		})
	}
}

func TestTokenDecodeErrors(t *testing.T) {
	tests := []struct {
		name, arg, stdin, want string
	}{
		{"not a JWT", "abc", "", "not a JWT"},
		{"empty stdin", "", "", "no token given"},
		{"huge stdin", "-", strings.Repeat("a", maxTokenInput+1), "more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, in, _, _ := iostreams.Test()
			in.WriteString(tt.stdin)
			f := &Factory{IO: ios, Getenv: func(string) string { return "" }, Now: time.Now, Global: GlobalOptions{Output: output.JSON}}
			err := tokenDecodeRun(context.Background(), &TokenDecodeOptions{IO: f, In: ios.In, Now: f.Now, Tenant: f.namedTenant, Token: tt.arg})
			if err == nil || !strings.Contains(err.Error(), tt.want) || ExitCode(err) != ExitUsage {
				t.Errorf("err = %v (exit %d), want usage error %q", err, ExitCode(err), tt.want)
			}
		})
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
