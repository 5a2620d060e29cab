package auth

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/dicomreg/dicomreg/mockgraph"
	"github.com/dicomreg/dicomreg/plugin/certs"
	"github.com/dicomreg/dicomreg/plugin/directory"
)

const (
	dicomAppOnly   = "https://dicom.healthcareapis.azure.com/.default"
	dicomDelegated = "https://dicom.healthcareapis.azure.com/Dicom.ReadWrite"
)

// clientApp describes an app registration a test puts straight into the mock's store.
type clientApp struct {
	public          bool     // isFallbackPublicClient
	publicRedirects []string // mobile/desktop platform
	secret          string
	cert            *certs.Pair
	dicomConsent    bool // Dicom.ReadWrite requested and admin-consented
}

// addApp stores the app, its service principal and, if asked, its DICOM permission and admin
// consent; it returns the app id.
func addApp(t *testing.T, srv *mockgraph.Server, c clientApp) string {
	t.Helper()
	app := mockgraph.App{Name: "flow-test", PublicClient: c.public, PublicClientRedirectURIs: c.publicRedirects,
		Secret: c.secret, DICOMPermission: c.dicomConsent}
	if c.cert != nil {
		app.Certificates = append(app.Certificates, c.cert.Cert)
	}
	added, err := srv.AddApplication(app)
	if err != nil {
		t.Fatal(err)
	}
	spID, err := srv.AddServicePrincipal(added.AppID)
	if err == nil && c.dicomConsent {
		err = srv.GrantAdminConsent(spID)
	}
	if err != nil {
		t.Fatal(err)
	}
	return added.AppID
}

// lineWriter hands each written line to a channel, so a test can act on a prompt.
type lineWriter struct {
	pw *io.PipeWriter
}

func newLineWriter(t *testing.T) (*lineWriter, <-chan string) {
	pr, pw := io.Pipe()
	lines := make(chan string, 16)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { pw.Close() })
	return &lineWriter{pw: pw}, lines
}

func (w *lineWriter) Write(p []byte) (int, error) { return w.pw.Write(p) }

var userCodePattern = regexp.MustCompile(`enter the code (\S+)`)

func TestFlowsAgainstMock(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(1))
	seeded := srv.Seeded()
	pair, err := certs.SelfSigned("flow-test", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	certFile := filepath.Join(t.TempDir(), "client.pem")
	if err := certs.WritePEM(certFile, pair); err != nil {
		t.Fatal(err)
	}
	certApp := addApp(t, srv, clientApp{cert: pair})
	publicApp := addApp(t, srv, clientApp{public: true, publicRedirects: []string{"http://localhost"}, dicomConsent: true})

	tests := []struct {
		name     string
		settings Settings
		scope    string
		acr      string
		delegate bool
		// interact answers a prompt line, for flows that need a user.
		interact func(t *testing.T, line string) bool
	}{
		{name: "client secret", settings: Settings{Flow: FlowClientSecret, ClientID: seeded.AdminAppID, Secret: Secret(seeded.AdminSecret)},
			scope: dicomAppOnly, acr: "1"},
		{name: "client certificate", settings: Settings{Flow: FlowCertificate, ClientID: certApp, CertFile: certFile},
			scope: dicomAppOnly, acr: "2"},
		{name: "password", settings: Settings{Flow: FlowPassword, ClientID: publicApp, Username: seeded.TestUsername, Password: Secret(seeded.TestPassword)},
			scope: dicomDelegated, acr: "0", delegate: true},
		{name: "device code", settings: Settings{Flow: FlowDeviceCode, ClientID: publicApp},
			scope: dicomDelegated, acr: "0", delegate: true,
			interact: func(t *testing.T, line string) bool {
				m := userCodePattern.FindStringSubmatch(line)
				if m == nil {
					return false
				}
				if err := srv.ApproveDeviceCode(m[1], seeded.TestUsername); err != nil {
					t.Errorf("ApproveDeviceCode: %v", err)
				}
				return true
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.settings
			s.TenantID, s.AuthorityHost = srv.TenantID(), srv.AuthorityHost()
			in := Interaction{Transport: srv.Client()}
			done := make(chan struct{})
			if tt.interact != nil {
				w, lines := newLineWriter(t)
				in.Prompt = w
				go func() {
					defer close(done)
					for line := range lines {
						if tt.interact(t, line) {
							return
						}
					}
				}()
			} else {
				close(done)
			}
			cred, err := New(s, in)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{tt.scope}})
			if err != nil {
				t.Fatal(err)
			}
			<-done
			checkDICOMToken(t, tok.Token, srv.TenantID(), tt.acr, tt.delegate)
		})
	}
}

func checkDICOMToken(t *testing.T, raw, tenantID, acr string, delegated bool) {
	t.Helper()
	tok, err := DecodeToken(raw)
	if err != nil {
		t.Fatal(err)
	}
	if aud := tok.Audiences(); len(aud) != 1 || aud[0] != "https://dicom.healthcareapis.azure.com" {
		t.Errorf("aud = %v", aud)
	}
	if got := tok.String("tid"); got != tenantID {
		t.Errorf("tid = %q, want %q", got, tenantID)
	}
	if got := tok.String("appidacr"); got != acr {
		t.Errorf("appidacr = %q, want %q", got, acr)
	}
	scp := tok.String("scp")
	if delegated != strings.Contains(scp, "Dicom.ReadWrite") {
		t.Errorf("scp = %q, delegated %v", scp, delegated)
	}
}

// TestAzureCLIFlow asks the Azure CLI on this machine for a DICOM token. It is opt-in
// (`make check-az` sets DICOMREG_CHECK_AZ=1): it needs az, a login and the network, and then it
// must succeed.
func TestAzureCLIFlow(t *testing.T) {
	if os.Getenv("DICOMREG_CHECK_AZ") != "1" {
		t.Skip("talks to the real Azure CLI: run it with `make check-az`")
	}
	cred, err := New(Settings{Flow: FlowAzureCLI, AuthorityHost: DefaultAuthorityHost}, Interaction{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{dicomAppOnly}}); err != nil {
		t.Fatalf("az could not give a DICOM token (is `az login` done?): %v", err)
	}
}

// TestAzureCLIFlowWithAStandInAz runs the azure-cli flow against an `az` on PATH that answers as
// `az account get-access-token` does, and records what it was asked.
func TestAzureCLIFlowWithAStandInAz(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in az is a shell script")
	}
	dir := t.TempDir()
	args := filepath.Join(dir, "args")
	script := "#!/bin/sh\necho \"$@\" > " + args + "\n" +
		`echo '{"accessToken":"stand-in-token","expiresOn":"2030-01-01 00:00:00.000000","expires_on":1893456000,"tenant":"` + testTenant + `","tokenType":"Bearer"}'` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	cred, err := New(Settings{Flow: FlowAzureCLI, TenantID: testTenant, AuthorityHost: DefaultAuthorityHost}, Interaction{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{dicomAppOnly}})
	if err != nil {
		t.Fatal(err)
	}
	asked, _ := os.ReadFile(args)
	if tok.Token != "stand-in-token" || !strings.Contains(string(asked), "account get-access-token") ||
		!strings.Contains(string(asked), "https://dicom.healthcareapis.azure.com") || !strings.Contains(string(asked), testTenant) {
		t.Errorf("token %q; az was asked %q", tok.Token, asked)
	}
}

func TestFlowErrorsAgainstMock(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(3))
	seeded := srv.Seeded()
	confidential := addApp(t, srv, clientApp{secret: "Abc~confidential-secret-value-0001", dicomConsent: true})
	tests := []struct {
		name     string
		settings Settings
		scope    string
		code     int
		hint     string
		hidden   string // must not appear in the error
	}{
		{"secret's id instead of its value", Settings{Flow: FlowClientSecret, ClientID: seeded.AdminAppID, Secret: Secret(seeded.AdminSecretKeyID)},
			dicomAppOnly, 7000215, "secret's ID", seeded.AdminSecretKeyID},
		{"password flow on a confidential app", Settings{Flow: FlowPassword, ClientID: confidential, Username: seeded.TestUsername, Password: Secret(seeded.TestPassword)},
			dicomDelegated, 7000218, "--public-client", seeded.TestPassword},
		{"client credentials with a delegated scope", Settings{Flow: FlowClientSecret, ClientID: seeded.AdminAppID, Secret: Secret(seeded.AdminSecret)},
			dicomDelegated, 1002012, "/.default", seeded.AdminSecret},
		{"unknown client", Settings{Flow: FlowClientSecret, ClientID: testClient, Secret: testSecret},
			dicomAppOnly, 700016, "check --client-id", testSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.settings
			s.TenantID, s.AuthorityHost = srv.TenantID(), srv.AuthorityHost()
			cred, err := New(s, Interaction{Transport: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			_, err = cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{tt.scope}})
			var se *SignInError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *SignInError", err)
			}
			if se.Code != tt.code || !strings.Contains(se.Hint, tt.hint) {
				t.Errorf("code %d hint %q, want %d with %q", se.Code, se.Hint, tt.code, tt.hint)
			}
			if strings.Contains(err.Error(), tt.hidden) {
				t.Errorf("error text reveals a secret: %s", err)
			}
		})
	}
}

// TestSDKLogHidesSecrets turns on every azcore/azidentity log event, as --debug does, and checks
// that neither the client secret nor the token appears in it.
func TestSDKLogHidesSecrets(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(5))
	seeded := srv.Seeded()
	var logged strings.Builder
	var mu sync.Mutex
	log.SetListener(func(ev log.Event, msg string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(&logged, "%s: %s\n", ev, msg)
	})
	t.Cleanup(func() { log.SetListener(nil) })
	cred, err := New(Settings{Flow: FlowClientSecret, TenantID: srv.TenantID(), AuthorityHost: srv.AuthorityHost(),
		ClientID: seeded.AdminAppID, Secret: Secret(seeded.AdminSecret)}, Interaction{Transport: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{dicomAppOnly}})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	out := logged.String()
	if out == "" {
		t.Fatal("nothing was logged; the test would prove nothing")
	}
	for name, secret := range map[string]string{"secret": seeded.AdminSecret, "token": tok.Token} {
		if strings.Contains(out, secret) {
			t.Errorf("the SDK log contains the %s", name)
		}
	}
}

// TestConfidentialPasswordHintWorks: the 7000218 hint for a user flow on a confidential app must
// be one that works. Passing a secret does not (the password flow is a public client's and sends
// none); allowing public client flows, as the hint's command does, does.
func TestConfidentialPasswordHintWorks(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(4))
	seeded := srv.Seeded()
	appID := addApp(t, srv, clientApp{secret: "Abc~confidential-secret-value-0002", dicomConsent: true})
	s := Settings{Flow: FlowPassword, TenantID: srv.TenantID(), AuthorityHost: srv.AuthorityHost(), ClientID: appID,
		Username: seeded.TestUsername, Password: Secret(seeded.TestPassword)}
	getToken := func() error {
		cred, err := New(s, Interaction{Transport: srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{dicomDelegated}})
		return err
	}
	var se *SignInError
	if err := getToken(); !errors.As(err, &se) || se.Code != CodeConfidentialNoSecret {
		t.Fatalf("err = %v, want AADSTS7000218", err)
	}
	if strings.Contains(se.Hint, "--secret") || strings.Contains(se.Hint, "--cert") {
		t.Errorf("hint %q suggests a secret or certificate, which the password flow cannot send", se.Hint)
	}
	if want := "dicomreg app update --app " + appID + " --public-client"; !strings.Contains(se.Hint, want) {
		t.Fatalf("hint %q, want %q", se.Hint, want)
	}
	// What `dicomreg app update --public-client` PATCHes (the CLI's own test runs the command).
	patchApp(t, srv, appID, map[string]any{"isFallbackPublicClient": true})
	if err := getToken(); err != nil {
		t.Fatalf("after following the hint: %v", err)
	}
}

// patchApp PATCHes an app through Graph as the seeded admin, as the dicomreg command a hint names
// would.
func patchApp(t *testing.T, srv *mockgraph.Server, appID string, patch map[string]any) {
	t.Helper()
	seeded := srv.Seeded()
	admin, err := New(Settings{Flow: FlowClientSecret, TenantID: srv.TenantID(), AuthorityHost: srv.AuthorityHost(),
		ClientID: seeded.AdminAppID, Secret: Secret(seeded.AdminSecret)}, Interaction{Transport: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	graph := directory.New(srv.GraphURL(), srv.ARMURL(), admin, directory.Options{Transport: srv.Client()})
	app, err := graph.GetApplicationByAppID(context.Background(), appID)
	if err == nil {
		err = graph.PatchApplication(context.Background(), app.ID, patch)
	}
	if err != nil {
		t.Fatal(err)
	}
}
