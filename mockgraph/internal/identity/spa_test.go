package identity

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A code for a single-page-app redirect URI is redeemed only cross-origin (AADSTS9002327), and
// only such a code may be (AADSTS9002326).
func TestSPACodeNeedsOrigin(t *testing.T) {
	e := newEnv(t)
	const spa, native = "https://viewer.example.org/callback", "http://localhost"
	app := e.addApp(appOpts{SPARedirect: []string{spa}, PublicRedirect: []string{native}, Consent: true})
	redeem := func(redirect, origin string) (int, map[string]any) {
		verifier, challenge := pkcePair()
		loc := e.browser(t).authorize(authQuery(app, redirect, challenge), e.seed.TestPassword, true)
		form := url.Values{"grant_type": {"authorization_code"}, "client_id": {app.AppID}, "code": {loc.Query().Get("code")},
			"redirect_uri": {redirect}, "code_verifier": {verifier}, "scope": {dicomReadWrite}}
		req, _ := http.NewRequest(http.MethodPost, e.tokenURL(), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", formContentType)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return decode(t, resp)
	}
	status, body := redeem(spa, "")
	assertError(t, status, body, 400, errInvalidRequest, codeSPANeedsOrigin)
	if status, body := redeem(spa, "https://viewer.example.org"); status != 200 {
		t.Fatalf("a cross-origin SPA redemption: %d %v", status, body)
	}
	status, body = redeem(native, "https://viewer.example.org")
	assertError(t, status, body, 400, errInvalidRequest, codeOriginNotSPA)
}
