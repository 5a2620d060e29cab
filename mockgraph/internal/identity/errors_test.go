package identity

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// TestTokenErrors walks the AADSTS table: each row is one request and the answer Entra gives it.
func TestTokenErrors(t *testing.T) {
	e := newEnv(t)
	conf := e.addApp(appOpts{Consent: true})
	pub := e.addApp(appOpts{Public: true, Consent: true})
	pubNoConsent := e.addApp(appOpts{Public: true})
	pubNoRRA := e.addApp(appOpts{Public: true, NoRRA: true})
	noSP := e.addApp(appOpts{NoSP: true})
	user, pass := e.seed.TestUsername, e.seed.TestPassword

	cc := func(app testApp, secret, scope string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {app.AppID}, "client_secret": {secret}, "scope": {scope}}
	}
	ropc := func(app testApp, scope, username, password string) url.Values {
		return url.Values{"grant_type": {"password"}, "client_id": {app.AppID}, "scope": {scope}, "username": {username}, "password": {password}}
	}
	withSecret := func(v url.Values, secret string) url.Values { v.Set("client_secret", secret); return v }

	tests := []struct {
		name       string
		tenant     string // default e.tid
		form       url.Values
		wantStatus int
		wantError  string
		wantCode   int
	}{
		{"unknown tenant", "no-such-tenant.example", cc(conf, conf.Secret, dicomDefault), 400, errInvalidRequest, codeTenantNotFound},
		{"password flow on /common", "common", ropc(pub, dicomReadWrite, user, pass), 400, errInvalidRequest, codeGrantNotOnCommon},
		{"single-tenant app on /organizations", "organizations", cc(conf, conf.Secret, dicomDefault), 400, errInvalidRequest, codeSingleTenantApp},
		{"verified domain names the tenant", "dicomreg-mock.onmicrosoft.com", cc(conf, "wrong", dicomDefault), 401, errInvalidClient, codeInvalidSecret},
		{"missing grant_type", "", url.Values{"client_id": {conf.AppID}}, 400, errInvalidRequest, codeMissingParameter},
		{"missing client_id", "", url.Values{"grant_type": {"client_credentials"}, "scope": {dicomDefault}, "client_secret": {"x"}}, 400, errInvalidRequest, codeMissingParameter},
		{"missing scope", "", cc(conf, conf.Secret, ""), 400, errInvalidRequest, codeMissingParameter},
		{"unsupported grant", "", url.Values{"grant_type": {"implicit"}, "client_id": {conf.AppID}}, 400, errUnsupportedGrantType, codeUnsupportedGrant},
		{"unknown app", "", cc(testApp{AppID: "11111111-2222-3333-4444-555555555555"}, "s", dicomDefault), 400, errUnauthorizedClient, codeUnknownClient},
		{"no secret from confidential client", "", cc(conf, "", dicomDefault), 401, errInvalidClient, codeMissingClientCredential},
		{"wrong secret", "", cc(conf, "not-the-secret", dicomDefault), 401, errInvalidClient, codeInvalidSecret},
		{"secret id sent as secret", "", cc(conf, conf.SecretKeyID, dicomDefault), 401, errInvalidClient, codeInvalidSecret},
		{"client credentials without .default", "", cc(conf, conf.Secret, dicomReadWrite), 400, errInvalidScope, codeClientCredsNeedDefault},
		{"malformed scope", "", cc(conf, conf.Secret, "https://dicom.healthcareapis.azure.com/"), 400, errInvalidScope, codeInvalidScope},
		{".default mixed with a scope", "", cc(conf, conf.Secret, dicomDefault+" "+dicomReadWrite), 400, errInvalidScope, codeInvalidScope},
		{"two resources", "", cc(conf, conf.Secret, dicomDefault+" https://graph.microsoft.com/.default"), 400, errInvalidScope, codeMultipleResources},
		{"resource not in tenant", "", cc(conf, conf.Secret, "https://nothing.example.com/.default"), 400, errInvalidResource, codeResourceNotFound},
		{"trailing slash is another resource", "", cc(conf, conf.Secret, "https://dicom.healthcareapis.azure.com.x/.default"), 400, errInvalidResource, codeResourceNotFound},
		{"app without service principal", "", cc(noSP, noSP.Secret, dicomDefault), 401, errInvalidClient, codeMissingClientSP},
		{"public client sends secret", "", withSecret(ropc(pub, dicomReadWrite, user, pass), pub.Secret), 401, errInvalidClient, codePublicClientCredential},
		{"password flow, confidential client, no secret", "", ropc(conf, dicomReadWrite, user, pass), 401, errInvalidClient, codeMissingClientCredential},
		{"wrong password", "", ropc(pub, dicomReadWrite, user, "wrong"), 400, errInvalidGrant, codeBadUserPassword},
		{"unknown user", "", ropc(pub, dicomReadWrite, "nobody@example.com", pass), 400, errInvalidGrant, codeBadUserPassword},
		{"no consent", "", ropc(pubNoConsent, dicomReadWrite, user, pass), 400, errInvalidGrant, codeConsentRequired},
		{"no consent for .default", "", ropc(pubNoConsent, dicomDefault, user, pass), 400, errInvalidGrant, codeConsentRequired},
		{".default for a resource not in requiredResourceAccess", "", ropc(pubNoRRA, dicomDefault, user, pass), 400, errInvalidClient, codeResourceNotInRRA},
		{"unknown scope value", "", ropc(pub, tenant.DICOMResource+"/Dicom.Nope", user, pass), 400, errInvalidScope, codeInvalidScope},
		{"missing username", "", ropc(pub, dicomReadWrite, "", pass), 400, errInvalidRequest, codeMissingParameter},
		{"unknown auth code", "", url.Values{"grant_type": {"authorization_code"}, "client_id": {pub.AppID}, "code": {"nope"}, "scope": {dicomReadWrite}}, 400, errInvalidGrant, codeMalformedGrant},
		{"missing code", "", url.Values{"grant_type": {"authorization_code"}, "client_id": {pub.AppID}, "scope": {dicomReadWrite}}, 400, errInvalidRequest, codeMissingParameter},
		{"unknown refresh token", "", url.Values{"grant_type": {"refresh_token"}, "client_id": {pub.AppID}, "refresh_token": {"nope"}}, 400, errInvalidGrant, codeMalformedGrant},
		{"unknown device code", "", url.Values{"grant_type": {grantDeviceCode}, "client_id": {pub.AppID}, "device_code": {"nope"}}, 400, errBadVerificationCode, codeBadVerificationCode},
		{"assertion garbage", "", url.Values{"grant_type": {"client_credentials"}, "client_id": {conf.AppID}, "scope": {dicomDefault},
			"client_assertion_type": {assertionTypeJWTBearer}, "client_assertion": {"a.b.c"}}, 401, errInvalidClient, codeInvalidJWT},
		{"assertion with wrong type", "", url.Values{"grant_type": {"client_credentials"}, "client_id": {conf.AppID}, "scope": {dicomDefault},
			"client_assertion_type": {"urn:other"}, "client_assertion": {"a.b.c"}}, 400, errInvalidRequest, codeInvalidParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seg := tt.tenant
			if seg == "" {
				seg = e.tid
			}
			status, body := e.post(e.srv.URL+"/"+seg+"/oauth2/v2.0/token", tt.form)
			assertError(t, status, body, tt.wantStatus, tt.wantError, tt.wantCode)
		})
	}
}

func assertError(t *testing.T, status int, body map[string]any, wantStatus int, wantError string, wantCode int) {
	t.Helper()
	if status != wantStatus || body["error"] != wantError || errorCode(body) != wantCode {
		t.Fatalf("got %d %v %v, want %d %s [%d]\n%v", status, body["error"], body["error_codes"], wantStatus, wantError, wantCode, body["error_description"])
	}
	desc, _ := body["error_description"].(string)
	if !strings.HasPrefix(desc, "AADSTS") || !strings.Contains(desc, "\r\nTrace ID: ") || !strings.Contains(desc, "\r\nCorrelation ID: ") ||
		!strings.Contains(desc, "\r\nTimestamp: ") {
		t.Errorf("error_description not in Entra's shape: %q", desc)
	}
	for _, k := range []string{"timestamp", "trace_id", "correlation_id", "error_uri"} {
		if s, _ := body[k].(string); s == "" {
			t.Errorf("no %s in error body", k)
		}
	}
	if wantCode == codeConsentRequired && body["suberror"] != suberrorConsentRequired {
		t.Errorf("suberror = %v, want consent_required", body["suberror"])
	}
}

func TestTokenEndpointOnlyPost(t *testing.T) {
	e := newEnv(t)
	status, body := e.get(e.tokenURL())
	assertError(t, status, body, 400, errInvalidRequest, codePostOnly)
}

// TestPublicClientFlowsFollowFallbackSetting: "Allow public client flows" decides whether the
// device-code and password flows may run without a client credential.
func TestPublicClientFlowsFollowFallbackSetting(t *testing.T) {
	e := newEnv(t)
	app := e.addApp(appOpts{Consent: true})
	ropc := url.Values{"grant_type": {"password"}, "client_id": {app.AppID}, "scope": {dicomReadWrite},
		"username": {e.seed.TestUsername}, "password": {e.seed.TestPassword}}
	device := func() url.Values {
		status, dc := e.post(e.srv.URL+"/"+e.tid+"/oauth2/v2.0/devicecode", url.Values{"client_id": {app.AppID}, "scope": {dicomReadWrite}})
		if status != 200 {
			t.Fatalf("devicecode: %d %v", status, dc)
		}
		if err := e.svc.ApproveDeviceCode(dc["user_code"].(string), e.seed.TestUsername); err != nil {
			t.Fatal(err)
		}
		return url.Values{"grant_type": {grantDeviceCode}, "client_id": {app.AppID}, "device_code": {dc["device_code"].(string)}}
	}
	for _, public := range []bool{false, true, false} {
		e.setPublic(app.AppID, public)
		for name, form := range map[string]url.Values{"password": ropc, "device code": device()} {
			status, body := e.post(e.tokenURL(), form)
			if public && status != http.StatusOK {
				t.Errorf("public=%v %s: %d %v", public, name, status, body["error_description"])
			}
			if !public {
				assertError(t, status, body, 401, errInvalidClient, codeMissingClientCredential)
			}
		}
	}
}

func TestExpiredSecret(t *testing.T) {
	e := newEnv(t)
	app := e.addApp(appOpts{SecretLife: 24 * time.Hour})
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {app.AppID}, "client_secret": {app.Secret}, "scope": {dicomDefault}}
	if status, body := e.post(e.tokenURL(), form); status != 200 {
		t.Fatalf("fresh secret: %d %v", status, body)
	}
	e.clock.Advance(25 * time.Hour)
	status, body := e.post(e.tokenURL(), form)
	assertError(t, status, body, 401, errInvalidClient, codeSecretExpired)
}

func TestClientSecretBasic(t *testing.T) {
	e := newEnv(t)
	app := e.addApp(appOpts{})
	for _, tc := range []struct {
		secret string
		want   int
	}{{app.Secret, 200}, {"wrong", 401}} {
		req, _ := http.NewRequest(http.MethodPost, e.tokenURL(), strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {dicomDefault}}.Encode()))
		req.Header.Set("Content-Type", formContentType)
		req.SetBasicAuth(url.QueryEscape(app.AppID), url.QueryEscape(tc.secret))
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		status, body := decode(t, resp)
		if status != tc.want {
			t.Errorf("basic auth with secret %q: %d %v", tc.secret, status, body)
		}
	}
}

func TestUnknownTenantOnEveryEndpoint(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/v2.0/.well-known/openid-configuration", "/.well-known/openid-configuration", "/discovery/v2.0/keys", "/discovery/keys"} {
		status, body := e.get(e.srv.URL + "/contoso.example" + p)
		assertError(t, status, body, 400, errInvalidRequest, codeTenantNotFound)
	}
}
