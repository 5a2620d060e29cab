package identity

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	b64enc "encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/clock"
	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
	"github.com/dicomreg/dicomreg/mockgraph/internal/rng"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// env is a seeded tenant behind the identity routes on an httptest TLS server. The clock starts
// at the wall clock (real clients stamp assertions with it) and stands still until advanced.
type env struct {
	t     testing.TB
	clock *clock.Adjustable
	store *tenant.Store
	svc   *Service
	srv   *httptest.Server
	seed  tenant.SeedResult
	tid   string
	rand  *rng.Source
}

func newEnv(t testing.TB, opts ...func(*tenant.SeedOptions)) *env {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	so := tenant.SeedOptions{Now: now.Add(-time.Hour)}
	for _, o := range opts {
		o(&so)
	}
	dir := tenant.Seed(rng.New(1), so)
	e := &env{t: t, clock: clock.Frozen(now), store: tenant.NewStore(dir), seed: dir.Seeded, tid: dir.TenantID, rand: rng.New(2)}
	e.svc = New(Config{Store: e.store, Keys: keys.Shared(), Clock: e.clock, Rand: e.rand})
	r := mux.NewRouter()
	r.UseEncodedPath()
	e.svc.Register(r)
	e.srv = httptest.NewTLSServer(r)
	t.Cleanup(e.srv.Close)
	return e
}

// appOpts shape a test app registration.
type appOpts struct {
	Public         bool     // isFallbackPublicClient
	Consent        bool     // admin consent (AllPrincipals) for Dicom.ReadWrite
	NoSP           bool     // no service principal in the tenant
	NoRRA          bool     // DICOM not in requiredResourceAccess
	WebRedirects   []string // web platform
	PublicRedirect []string // mobile and desktop platform
	SPARedirect    []string // single-page application platform
	SecretLife     time.Duration
}

type testApp struct {
	AppID, ObjectID, SPID, Secret, SecretKeyID string
}

func (e *env) addApp(o appOpts) testApp {
	e.t.Helper()
	now := e.clock.Now()
	a := testApp{AppID: e.rand.GUID(), ObjectID: e.rand.GUID(), SPID: e.rand.GUID(), Secret: e.rand.SecretText(), SecretKeyID: e.rand.GUID()}
	if o.SecretLife == 0 {
		o.SecretLife = 365 * 24 * time.Hour
	}
	pub := o.Public
	app := &tenant.Application{ID: a.ObjectID, AppID: a.AppID, DisplayName: "test-app-" + a.AppID[:8], SignInAudience: "AzureADMyOrg",
		IsFallbackPublicClient: &pub, CreatedDateTime: now,
		Web:                 tenant.Web{RedirectURIs: o.WebRedirects},
		PublicClient:        tenant.PublicClient{RedirectURIs: o.PublicRedirect},
		Spa:                 tenant.Spa{RedirectURIs: o.SPARedirect},
		PasswordCredentials: []tenant.PasswordCredential{{KeyID: a.SecretKeyID, Hint: a.Secret[:3], StartDateTime: now.Add(-time.Minute), EndDateTime: now.Add(o.SecretLife)}},
	}
	if !o.NoRRA {
		app.RequiredResourceAccess = []tenant.RequiredResourceAccess{{ResourceAppID: tenant.DICOMAppID,
			ResourceAccess: []tenant.ResourceAccess{{ID: tenant.DICOMReadWriteID, Type: "Scope"}}}}
	}
	err := e.store.Update(func(d *tenant.Directory) error {
		d.PutApplication(app)
		d.SetSecretHash(a.SecretKeyID, tenant.HashSecret(a.Secret))
		if o.NoSP {
			return nil
		}
		d.PutServicePrincipal(&tenant.ServicePrincipal{ID: a.SPID, AppID: a.AppID, DisplayName: app.DisplayName, AccountEnabled: true,
			ServicePrincipalNames: []string{a.AppID}, ServicePrincipalType: "Application"})
		if o.Consent {
			d.PutGrant(&tenant.OAuth2PermissionGrant{ID: e.rand.Token(32), ClientID: a.SPID, ConsentType: "AllPrincipals",
				ResourceID: d.Seeded.DICOMPrincipalID, Scope: tenant.DICOMReadWriteScope})
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// setPublic flips "Allow public client flows".
func (e *env) setPublic(appID string, public bool) {
	e.t.Helper()
	err := e.store.Update(func(d *tenant.Directory) error {
		a := d.ApplicationByAppID(appID).Clone()
		a.IsFallbackPublicClient = &public
		d.PutApplication(a)
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// selfSignedCert makes a client certificate and uploads it as a keyCredential of the app.
func (e *env) uploadCert(appID string, notAfter time.Time) (*x509.Certificate, *rsa.PrivateKey) {
	e.t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		e.t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "dicomreg test client"},
		NotBefore: e.clock.Now().Add(-time.Hour), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		e.t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	thumb := sha1.Sum(der)
	err = e.store.Update(func(d *tenant.Directory) error {
		a := d.ApplicationByAppID(appID).Clone()
		a.KeyCredentials = append(a.KeyCredentials, tenant.KeyCredential{CustomKeyIdentifier: thumb[:], Key: der, KeyID: e.rand.GUID(),
			Type: "AsymmetricX509Cert", Usage: "Verify", StartDateTime: tmpl.NotBefore, EndDateTime: notAfter})
		d.PutApplication(a)
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return cert, key
}

func (e *env) tokenURL() string { return e.srv.URL + "/" + e.tid + "/oauth2/v2.0/token" }

// post sends a form and decodes the JSON answer.
func (e *env) post(u string, form url.Values) (int, map[string]any) {
	e.t.Helper()
	resp, err := e.srv.Client().PostForm(u, form)
	if err != nil {
		e.t.Fatal(err)
	}
	return decode(e.t, resp)
}

func (e *env) get(u string) (int, map[string]any) {
	e.t.Helper()
	resp, err := e.srv.Client().Get(u)
	if err != nil {
		e.t.Fatal(err)
	}
	return decode(e.t, resp)
}

func decode(t testing.TB, resp *http.Response) (int, map[string]any) {
	t.Helper()
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("status %d, body is not JSON: %s", resp.StatusCode, raw)
	}
	return resp.StatusCode, body
}

// errorCode is the first of error_codes.
func errorCode(body map[string]any) int {
	codes, _ := body["error_codes"].([]any)
	if len(codes) == 0 {
		return 0
	}
	n, _ := codes[0].(float64)
	return int(n)
}

// claimsOf decodes a JWT's claims without verifying it (tests verify separately where it matters).
func claimsOf(t testing.TB, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	raw, err := base64URL(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func base64URL(s string) ([]byte, error) { return b64.DecodeString(s) }

var b64 = b64enc.RawURLEncoding
