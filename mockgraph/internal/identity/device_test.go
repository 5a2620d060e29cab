package identity

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

func (e *env) startDevice(t *testing.T, clientID, scope string) (userCode, deviceCode string, body map[string]any) {
	t.Helper()
	status, body := e.post(e.srv.URL+"/"+e.tid+"/oauth2/v2.0/devicecode", url.Values{"client_id": {clientID}, "scope": {scope}})
	if status != 200 {
		t.Fatalf("devicecode: %d %v", status, body)
	}
	return body["user_code"].(string), body["device_code"].(string), body
}

func TestDeviceCodePolling(t *testing.T) {
	e := newEnv(t)
	app := e.addApp(appOpts{Public: true, Consent: true})
	poll := func(dc string) (int, map[string]any) {
		return e.post(e.tokenURL(), url.Values{"grant_type": {grantDeviceCode}, "client_id": {app.AppID}, "device_code": {dc}})
	}
	t.Run("answer shape", func(t *testing.T) {
		uc, _, body := e.startDevice(t, app.AppID, dicomReadWrite)
		if body["expires_in"] != float64(900) || body["interval"] != float64(5) ||
			body["verification_uri"] != e.srv.URL+"/common/oauth2/deviceauth" || !strings.Contains(body["message"].(string), uc) || len(uc) != userCodeLength {
			t.Fatalf("%v", body)
		}
	})
	t.Run("pending then approved then gone", func(t *testing.T) {
		uc, dc, _ := e.startDevice(t, app.AppID, dicomReadWrite)
		status, body := poll(dc)
		assertError(t, status, body, 400, errAuthorizationPending, codeAuthorizationPending)
		if err := e.svc.ApproveDeviceCode(uc, e.seed.TestUsername); err != nil {
			t.Fatal(err)
		}
		if status, body := poll(dc); status != 200 || body["access_token"] == nil {
			t.Fatalf("%d %v", status, body)
		}
		status, body = poll(dc)
		assertError(t, status, body, 400, errBadVerificationCode, codeBadVerificationCode)
		if err := e.svc.ApproveDeviceCode(uc, e.seed.TestUsername); err == nil {
			t.Error("a used user code was approved again")
		}
	})
	t.Run("declined", func(t *testing.T) {
		uc, dc, _ := e.startDevice(t, app.AppID, dicomReadWrite)
		if err := e.svc.DenyDeviceCode(uc); err != nil {
			t.Fatal(err)
		}
		status, body := poll(dc)
		assertError(t, status, body, 400, errAuthorizationDecline, codeInvalidGrant)
	})
	t.Run("expired", func(t *testing.T) {
		_, dc, _ := e.startDevice(t, app.AppID, dicomReadWrite)
		e.clock.Advance(deviceCodeLifetime + time.Second)
		status, body := poll(dc)
		assertError(t, status, body, 400, errExpiredToken, codeDeviceCodeExpired)
	})
	t.Run("unknown client at devicecode", func(t *testing.T) {
		status, body := e.post(e.srv.URL+"/"+e.tid+"/oauth2/v2.0/devicecode", url.Values{"client_id": {"11111111-2222-3333-4444-555555555555"}, "scope": {dicomReadWrite}})
		assertError(t, status, body, 400, errUnauthorizedClient, codeUnknownClient)
	})
	t.Run("unknown user code", func(t *testing.T) {
		if err := e.svc.ApproveDeviceCode("NOSUCHCODE", e.seed.TestUsername); err == nil {
			t.Error("unknown user code approved")
		}
	})
}

// TestDeviceLoginPage: a person enters the code, signs in and accepts the consent prompt.
func TestDeviceLoginPage(t *testing.T) {
	e := newEnv(t)
	app := e.addApp(appOpts{Public: true})
	uc, dc, body := e.startDevice(t, app.AppID, dicomReadWrite)
	b := e.browser(t)
	page := body["verification_uri"].(string)
	if resp, html := b.get(page); resp.StatusCode != 200 || !strings.Contains(html, `name="otc"`) {
		t.Fatalf("%d %s", resp.StatusCode, html)
	}
	if _, html := b.postForm(page, url.Values{fieldUserCode: {"WRONGCODE"}}); !strings.Contains(html, "That code didn") {
		t.Fatalf("wrong code accepted:\n%s", html)
	}
	_, html := b.postForm(page, url.Values{fieldUserCode: {strings.ToLower(uc)}})
	_, html = b.postForm(page, url.Values{fieldCtx: {pageCtx(t, html)}, fieldStep: {"signin"}, fieldLogin: {e.seed.TestUsername}, fieldPassword: {e.seed.TestPassword}})
	if !strings.Contains(html, tenant.DICOMResource+"/"+tenant.DICOMReadWriteScope) {
		t.Fatalf("no consent prompt:\n%s", html)
	}
	resp, html := b.postForm(page, url.Values{fieldCtx: {pageCtx(t, html)}, fieldStep: {"consent"}, fieldAccept: {"yes"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(html, "You have signed in") {
		t.Fatalf("%d:\n%s", resp.StatusCode, html)
	}
	status, tok := e.post(e.tokenURL(), url.Values{"grant_type": {grantDeviceCode}, "client_id": {app.AppID}, "device_code": {dc}})
	if status != 200 {
		t.Fatalf("%d %v", status, tok)
	}
	wantClaims(t, claimsOf(t, tok["access_token"].(string)), map[string]any{"scp": tenant.DICOMReadWriteScope, "oid": e.seed.TestUserID})
}

// TestAzureCLIDeviceLogin: the Azure CLI (a Microsoft public client with no app object in the
// tenant) signs in on /organizations for ARM with its double-slash scope.
func TestAzureCLIDeviceLogin(t *testing.T) {
	e := newEnv(t)
	status, dc := e.post(e.srv.URL+"/organizations/oauth2/v2.0/devicecode", url.Values{"client_id": {tenant.AzureCLIAppID},
		"scope": {"https://management.core.windows.net//.default offline_access openid profile"}})
	if status != 200 {
		t.Fatalf("%d %v", status, dc)
	}
	if err := e.svc.ApproveDeviceCode(dc["user_code"].(string), e.seed.TestUsername); err != nil {
		t.Fatal(err)
	}
	status, body := e.post(e.srv.URL+"/organizations/oauth2/v2.0/token", url.Values{"grant_type": {grantDeviceCode},
		"client_id": {tenant.AzureCLIAppID}, "device_code": {dc["device_code"].(string)}, "client_info": {"1"}})
	if status != 200 || body["refresh_token"] == nil || body["id_token"] == nil {
		t.Fatalf("%d %v", status, body)
	}
	wantClaims(t, claimsOf(t, body["access_token"].(string)), map[string]any{"aud": tenant.ARMResourceLegacy, "scp": "user_impersonation",
		"appid": tenant.AzureCLIAppID, "tid": e.tid})
	// Entra echoes the .default asked for; MSAL fails the sign-in ("declined scopes are present")
	// when a requested scope is missing from the answer.
	if got := strings.Fields(body["scope"].(string)); !slices.Contains(got, "https://management.core.windows.net//.default") {
		t.Errorf("scope = %q, want the requested .default among the granted scopes", body["scope"])
	}
}
