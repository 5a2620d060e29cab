package identity

import (
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// TestIndependentTokenCheck verifies a token the way a resource server would, with golang-jwt
// only: discovery document → jwks_uri → key by kid → signature and claims.
func TestIndependentTokenCheck(t *testing.T) {
	e := newEnv(t)
	app := e.addApp(appOpts{Public: true, Consent: true})
	status, doc := e.get(e.srv.URL + "/" + e.tid + "/v2.0/.well-known/openid-configuration")
	if status != 200 {
		t.Fatalf("discovery: %d", status)
	}
	issuer := doc["issuer"].(string)
	if issuer != e.srv.URL+"/"+e.tid+"/v2.0" || doc["token_endpoint"] != e.tokenURL() {
		t.Fatalf("discovery issuer %v token_endpoint %v", issuer, doc["token_endpoint"])
	}
	status, jwks := e.get(doc["jwks_uri"].(string))
	if status != 200 {
		t.Fatalf("jwks: %d", status)
	}
	keysByKid := map[string]*rsa.PublicKey{}
	for _, k := range jwks["keys"].([]any) {
		m := k.(map[string]any)
		n, _ := base64.RawURLEncoding.DecodeString(m["n"].(string))
		ex, _ := base64.RawURLEncoding.DecodeString(m["e"].(string))
		keysByKid[m["kid"].(string)] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(ex).Int64())}
	}
	status, body := e.post(doc["token_endpoint"].(string), url.Values{"grant_type": {"password"}, "client_id": {app.AppID},
		"scope": {dicomReadWrite + " openid profile"}, "username": {e.seed.TestUsername}, "password": {e.seed.TestPassword}})
	if status != 200 {
		t.Fatalf("token: %d %v", status, body)
	}
	keyfunc := func(tok *jwt.Token) (any, error) { return keysByKid[tok.Header["kid"].(string)], nil }
	now := func() time.Time { return e.clock.Now() }

	at, err := jwt.Parse(body["access_token"].(string), keyfunc, jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(now),
		jwt.WithAudience(tenant.DICOMResource), jwt.WithIssuer("https://sts.windows.net/"+e.tid+"/"), jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	if err != nil {
		t.Fatalf("access token does not verify: %v", err)
	}
	c := at.Claims.(jwt.MapClaims)
	exp, _ := c.GetExpirationTime()
	if life := exp.Sub(e.clock.Now()); life < minTokenLifetime || life > minTokenLifetime+tokenLifetimeJitter {
		t.Errorf("lifetime %v outside 60–90 min", life)
	}
	if c["scp"] != tenant.DICOMReadWriteScope || c["tid"] != e.tid || at.Header["x5t"] != at.Header["kid"] {
		t.Errorf("claims %v header %v", c, at.Header)
	}
	if _, err := jwt.Parse(body["id_token"].(string), keyfunc, jwt.WithTimeFunc(now), jwt.WithAudience(app.AppID), jwt.WithIssuer(issuer)); err != nil {
		t.Errorf("id_token does not verify against the discovery issuer: %v", err)
	}
	// a tampered token fails
	tampered := body["access_token"].(string)
	parts := strings.Split(tampered, ".")
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(`{"aud":"https://dicom.healthcareapis.azure.com","scp":"everything"}`))
	if _, err := jwt.Parse(strings.Join(parts, "."), keyfunc, jwt.WithTimeFunc(now)); err == nil {
		t.Error("tampered token verified")
	}
}

func TestDiscoveryDocuments(t *testing.T) {
	e := newEnv(t)
	domain := strings.SplitN(e.seed.TestUsername, "@", 2)[1]
	tests := []struct {
		path       string
		wantIssuer string
		wantJWKS   string
	}{
		{"/" + e.tid + "/v2.0/.well-known/openid-configuration", e.srv.URL + "/" + e.tid + "/v2.0", e.srv.URL + "/" + e.tid + "/discovery/v2.0/keys"},
		{"/" + domain + "/v2.0/.well-known/openid-configuration", e.srv.URL + "/" + e.tid + "/v2.0", e.srv.URL + "/" + domain + "/discovery/v2.0/keys"},
		{"/organizations/v2.0/.well-known/openid-configuration", e.srv.URL + "/{tenantid}/v2.0", e.srv.URL + "/organizations/discovery/v2.0/keys"},
		{"/common/v2.0/.well-known/openid-configuration", e.srv.URL + "/{tenantid}/v2.0", e.srv.URL + "/common/discovery/v2.0/keys"},
		{"/" + e.tid + "/.well-known/openid-configuration", "https://sts.windows.net/" + e.tid + "/", e.srv.URL + "/" + e.tid + "/discovery/keys"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			status, doc := e.get(e.srv.URL + tt.path)
			if status != 200 || doc["issuer"] != tt.wantIssuer || doc["jwks_uri"] != tt.wantJWKS {
				t.Fatalf("%d issuer %v jwks %v", status, doc["issuer"], doc["jwks_uri"])
			}
		})
	}
	for _, p := range []string{"/common/discovery/keys", "/" + e.tid + "/discovery/v2.0/keys"} {
		if status, jwks := e.get(e.srv.URL + p); status != 200 || len(jwks["keys"].([]any)) != 1 {
			t.Errorf("%s: %d %v", p, status, jwks)
		}
	}
}

func TestInstanceDiscoveryAndUserRealm(t *testing.T) {
	e := newEnv(t)
	host := strings.TrimPrefix(e.srv.URL, "https://")
	status, body := e.get(e.srv.URL + "/common/discovery/instance?api-version=1.1&authorization_endpoint=" +
		url.QueryEscape(e.srv.URL+"/"+e.tid+"/oauth2/v2.0/authorize"))
	meta := body["metadata"].([]any)[0].(map[string]any)
	if status != 200 || body["tenant_discovery_endpoint"] != e.srv.URL+"/"+e.tid+"/v2.0/.well-known/openid-configuration" ||
		meta["preferred_network"] != host || meta["aliases"].([]any)[0] != host {
		t.Fatalf("%d %v", status, body)
	}
	tests := []struct {
		user, version, field, want string
	}{
		{e.seed.TestUsername, "1.0", "account_type", "Managed"},
		{e.seed.TestUsername, "1.0", "cloud_audience_urn", "urn:federation:MicrosoftOnline"},
		{"someone@elsewhere.example", "1.0", "account_type", "Unknown"},
		{e.seed.TestUsername, "2.0", "NameSpaceType", "Managed"},
	}
	for _, tt := range tests {
		status, body := e.get(e.srv.URL + "/common/UserRealm/" + url.PathEscape(tt.user) + "?api-version=" + tt.version)
		if status != 200 || body[tt.field] != tt.want {
			t.Errorf("UserRealm %s v%s: %d %v", tt.user, tt.version, status, body)
		}
	}
}

// TestV1Endpoint: resource= instead of scope=, string numbers in the answer, v1 tokens.
func TestV1Endpoint(t *testing.T) {
	e := newEnv(t)
	app := e.addApp(appOpts{})
	status, body := e.post(e.srv.URL+"/"+e.tid+"/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {app.AppID},
		"client_secret": {app.Secret}, "resource": {tenant.DICOMResource}})
	if status != 200 || body["resource"] != tenant.DICOMResource {
		t.Fatalf("%d %v", status, body)
	}
	if _, ok := body["expires_in"].(string); !ok {
		t.Errorf("v1 expires_in is not a string: %T", body["expires_in"])
	}
	wantClaims(t, claimsOf(t, body["access_token"].(string)), map[string]any{"aud": tenant.DICOMResource, "ver": "1.0"})
	status, body = e.post(e.srv.URL+"/"+e.tid+"/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {app.AppID}, "client_secret": {app.Secret}})
	assertError(t, status, body, 400, errInvalidRequest, codeMissingParameter)
}

// TestV2Resource: an API that asks for v2 tokens gets them.
func TestV2Resource(t *testing.T) {
	e := newEnv(t)
	api := e.addApp(appOpts{})
	two := 2
	_ = e.store.Update(func(d *tenant.Directory) error {
		a := d.ApplicationByAppID(api.AppID).Clone()
		a.API.RequestedAccessTokenVersion = &two
		a.IdentifierURIs = []string{"api://" + api.AppID}
		d.PutApplication(a)
		sp := d.ServicePrincipalByAppID(api.AppID).Clone()
		sp.ServicePrincipalNames = append(sp.ServicePrincipalNames, "api://"+api.AppID)
		d.PutServicePrincipal(sp)
		return nil
	})
	caller := e.addApp(appOpts{})
	status, body := e.post(e.tokenURL(), url.Values{"grant_type": {"client_credentials"}, "client_id": {caller.AppID},
		"client_secret": {caller.Secret}, "scope": {"api://" + api.AppID + "/.default"}})
	if status != 200 {
		t.Fatalf("%d %v", status, body)
	}
	wantClaims(t, claimsOf(t, body["access_token"].(string)), map[string]any{"aud": api.AppID, "ver": "2.0", "azp": caller.AppID,
		"azpacr": "1", "iss": e.srv.URL + "/" + e.tid + "/v2.0"})
}
