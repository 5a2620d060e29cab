package identity

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// With user consent turned off a user cannot grant Dicom.ReadWrite on the prompt; an admin's
// grant still lets them sign in.
func TestAdminOnlyConsentPolicy(t *testing.T) {
	e := newEnv(t)
	if e.svc.SetConsentPolicy("sometimes") || e.svc.ConsentPolicy() != UserConsentAllowed {
		t.Fatal("an unknown policy was accepted, or the default is not user consent")
	}
	e.svc.SetConsentPolicy(AdminConsentOnly)
	app := e.addApp(appOpts{PublicRedirect: []string{loopbackRedirect}})
	_, challenge := pkcePair()
	b := e.browser(t)
	authURL := e.srv.URL + "/" + e.tid + "/oauth2/v2.0/authorize"
	resp, html := b.get(authURL + "?" + authQuery(app, loopbackRedirect, challenge).Encode())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("authorize: %d", resp.StatusCode)
	}
	resp, html = b.postForm(authURL, url.Values{fieldCtx: {pageCtx(t, html)}, fieldStep: {"signin"}, fieldLogin: {e.seed.TestUsername}, fieldPassword: {e.seed.TestPassword}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(html, "AADSTS90094") || strings.Contains(html, `value="consent"`) {
		t.Fatalf("sign-in without consent under admin-only: %d, want the AADSTS90094 page:\n%s", resp.StatusCode, html)
	}

	consented := e.addApp(appOpts{PublicRedirect: []string{loopbackRedirect}, Consent: true})
	if loc := b.authorize(authQuery(consented, loopbackRedirect, challenge), e.seed.TestPassword, false); loc.Query().Get("code") == "" {
		t.Fatalf("an app with admin consent: %s", loc)
	}
}
