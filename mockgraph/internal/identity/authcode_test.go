package identity

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

const loopbackRedirect = "http://localhost"

var ctxField = regexp.MustCompile(`name="ctx" value="([^"]+)"`)

// browser drives the sign-in pages like a person would, without following the final redirect.
type browser struct {
	t *testing.T
	e *env
	c *http.Client
}

func (e *env) browser(t *testing.T) *browser {
	c := *e.srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: t, e: e, c: &c}
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *browser) get(u string) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return b.do(req)
}

func (b *browser) postForm(u string, v url.Values) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", formContentType)
	return b.do(req)
}

func pageCtx(t *testing.T, html string) string {
	t.Helper()
	m := ctxField.FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("no sign-in form on the page:\n%s", html)
	}
	return m[1]
}

func pkcePair() (verifier, challenge string) {
	verifier = "a-very-long-code-verifier-for-the-dicomreg-mock-0123456789abcdef"
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorize runs GET authorize, the sign-in form and (when shown) the consent prompt, and returns
// the final redirect's URL.
func (b *browser) authorize(q url.Values, password string, accept bool) *url.URL {
	b.t.Helper()
	authURL := b.e.srv.URL + "/" + b.e.tid + "/oauth2/v2.0/authorize"
	resp, html := b.get(authURL + "?" + q.Encode())
	if resp.StatusCode != 200 {
		b.t.Fatalf("authorize: %d %s", resp.StatusCode, html)
	}
	resp, html = b.postForm(authURL, url.Values{fieldCtx: {pageCtx(b.t, html)}, fieldStep: {"signin"},
		fieldLogin: {b.e.seed.TestUsername}, fieldPassword: {password}})
	if strings.Contains(html, `name="step" value="consent"`) {
		answer := "no"
		if accept {
			answer = "yes"
		}
		resp, html = b.postForm(authURL, url.Values{fieldCtx: {pageCtx(b.t, html)}, fieldStep: {"consent"}, fieldAccept: {answer}})
	}
	if resp.StatusCode != http.StatusFound {
		b.t.Fatalf("expected a redirect, got %d:\n%s", resp.StatusCode, html)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		b.t.Fatal(err)
	}
	return loc
}

func authQuery(app testApp, redirect, challenge string) url.Values {
	return url.Values{"client_id": {app.AppID}, "response_type": {"code"}, "redirect_uri": {redirect},
		"scope": {dicomReadWrite + " openid profile offline_access"}, "state": {"st-123"}, "nonce": {"n-456"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}}
}

func TestAuthCodePKCEOverHTTP(t *testing.T) {
	e := newEnv(t)
	app := e.addApp(appOpts{PublicRedirect: []string{loopbackRedirect}})
	verifier, challenge := pkcePair()
	b := e.browser(t)
	redirect := "http://localhost:53117" // Entra ignores the port of a loopback redirect URI
	loc := b.authorize(authQuery(app, redirect, challenge), e.seed.TestPassword, true)
	if got := loc.Scheme + "://" + loc.Host; got != redirect || loc.Query().Get("state") != "st-123" || loc.Query().Get("code") == "" {
		t.Fatalf("redirect %s", loc)
	}
	code := loc.Query().Get("code")
	redeem := url.Values{"grant_type": {"authorization_code"}, "client_id": {app.AppID}, "code": {code}, "redirect_uri": {redirect},
		"code_verifier": {verifier}, "scope": {dicomReadWrite + " openid offline_access"}, "client_info": {"1"}}

	status, body := e.post(e.tokenURL(), redeem)
	if status != 200 {
		t.Fatalf("redeem: %d %v", status, body)
	}
	at := claimsOf(t, body["access_token"].(string))
	wantClaims(t, at, map[string]any{"aud": tenant.DICOMResource, "scp": tenant.DICOMReadWriteScope, "oid": e.seed.TestUserID, "appidacr": "0"})
	id := claimsOf(t, body["id_token"].(string))
	wantClaims(t, id, map[string]any{"aud": app.AppID, "nonce": "n-456", "iss": e.srv.URL + "/" + e.tid + "/v2.0",
		"preferred_username": e.seed.TestUsername, "tid": e.tid, "ver": "2.0"})
	if body["refresh_token"] == nil || body["client_info"] == nil {
		t.Errorf("no refresh_token or client_info: %v", body)
	}

	// the consent the user accepted is a Principal grant now
	_ = e.store.View(func(d *tenant.Directory) error {
		sp := d.ServicePrincipalByAppID(app.AppID)
		if got := d.ConsentedScopes(sp.ID, e.seed.DICOMPrincipalID, e.seed.TestUserID); len(got) != 1 {
			t.Errorf("consented scopes after accepting: %v", got)
		}
		return nil
	})

	status, body = e.post(e.tokenURL(), redeem)
	assertError(t, status, body, 400, errInvalidGrant, codeCodeRedeemed)
}

func TestAuthCodeErrors(t *testing.T) {
	e := newEnv(t)
	web := e.addApp(appOpts{Consent: true, WebRedirects: []string{"https://app.example.com/cb"}})
	pub := e.addApp(appOpts{Consent: true, PublicRedirect: []string{loopbackRedirect}})
	verifier, challenge := pkcePair()
	codeFor := func(app testApp, redirect string) string {
		loc := e.browser(t).authorize(authQuery(app, redirect, challenge), e.seed.TestPassword, true)
		return loc.Query().Get("code")
	}
	redeem := func(app testApp, code, redirect, verifier, secret string) url.Values {
		v := url.Values{"grant_type": {"authorization_code"}, "client_id": {app.AppID}, "code": {code}, "redirect_uri": {redirect},
			"code_verifier": {verifier}, "scope": {dicomReadWrite}}
		if secret != "" {
			v.Set("client_secret", secret)
		}
		return v
	}
	tests := []struct {
		name       string
		form       func() url.Values
		wantStatus int
		wantErr    string
		wantCode   int
	}{
		{"PKCE mismatch", func() url.Values {
			return redeem(pub, codeFor(pub, loopbackRedirect), loopbackRedirect, verifier+"x", "")
		}, 400, errInvalidGrant, codePKCEMismatch},
		{"no verifier", func() url.Values { return redeem(pub, codeFor(pub, loopbackRedirect), loopbackRedirect, "", "") }, 400, errInvalidGrant, codePKCEMismatch},
		{"web redirect without secret", func() url.Values {
			return redeem(web, codeFor(web, "https://app.example.com/cb"), "https://app.example.com/cb", verifier, "")
		}, 401, errInvalidClient, codeMissingClientCredential},
		{"public redirect with secret", func() url.Values {
			return redeem(pub, codeFor(pub, loopbackRedirect), loopbackRedirect, verifier, pub.Secret)
		}, 401, errInvalidClient, codePublicClientCredential},
		{"other redirect at redemption", func() url.Values {
			return redeem(pub, codeFor(pub, loopbackRedirect), "http://localhost/other", verifier, "")
		}, 400, errInvalidGrant, codeRedirectMismatchToken},
		{"code of another client", func() url.Values {
			return redeem(web, codeFor(pub, loopbackRedirect), loopbackRedirect, verifier, web.Secret)
		}, 400, errInvalidGrant, codeInvalidGrant},
		{"expired code", func() url.Values {
			c := codeFor(pub, loopbackRedirect)
			e.clock.Advance(codeLifetime + time.Second)
			return redeem(pub, c, loopbackRedirect, verifier, "")
		}, 400, errInvalidGrant, codeGrantExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.post(e.tokenURL(), tt.form())
			assertError(t, status, body, tt.wantStatus, tt.wantErr, tt.wantCode)
		})
	}
	// the web platform with its secret works
	code := codeFor(web, "https://app.example.com/cb")
	if status, body := e.post(e.tokenURL(), redeem(web, code, "https://app.example.com/cb", verifier, web.Secret)); status != 200 {
		t.Fatalf("web redemption with secret: %d %v", status, body)
	}
}

func TestAuthorizePageErrors(t *testing.T) {
	e := newEnv(t)
	app := e.addApp(appOpts{PublicRedirect: []string{loopbackRedirect}, WebRedirects: []string{"https://app.example.com/cb"}})
	b := e.browser(t)
	authURL := e.srv.URL + "/" + e.tid + "/oauth2/v2.0/authorize?"
	tests := []struct {
		name     string
		query    url.Values
		wantCode string
	}{
		{"unregistered redirect", url.Values{"client_id": {app.AppID}, "response_type": {"code"}, "redirect_uri": {"https://evil.example.com/cb"}, "scope": {dicomReadWrite}}, "AADSTS50011"},
		{"redirect differs in case", url.Values{"client_id": {app.AppID}, "response_type": {"code"}, "redirect_uri": {"https://app.example.com/CB"}, "scope": {dicomReadWrite}}, "AADSTS50011"},
		{"https loopback is not the http one", url.Values{"client_id": {app.AppID}, "response_type": {"code"}, "redirect_uri": {"https://localhost:8400"}, "scope": {dicomReadWrite}}, "AADSTS50011"},
		{"unknown client", url.Values{"client_id": {"11111111-2222-3333-4444-555555555555"}, "response_type": {"code"}, "redirect_uri": {loopbackRedirect}}, "AADSTS700016"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, html := b.get(authURL + tt.query.Encode())
			if resp.StatusCode != 400 || resp.Header.Get("Location") != "" || !strings.Contains(html, tt.wantCode) {
				t.Fatalf("%d Location=%q, want a 400 page with %s:\n%s", resp.StatusCode, resp.Header.Get("Location"), tt.wantCode, html)
			}
		})
	}
	t.Run("wrong password stays on the page", func(t *testing.T) {
		_, html := b.get(authURL + authQuery(app, loopbackRedirect, "").Encode())
		resp, html := b.postForm(e.srv.URL+"/"+e.tid+"/oauth2/v2.0/authorize", url.Values{fieldCtx: {pageCtx(t, html)}, fieldStep: {"signin"},
			fieldLogin: {e.seed.TestUsername}, fieldPassword: {"wrong"}})
		if resp.StatusCode != 200 || !strings.Contains(html, "AADSTS50126") || !strings.Contains(html, `value="signin"`) {
			t.Fatalf("%d:\n%s", resp.StatusCode, html)
		}
	})
	t.Run("declined consent redirects with access_denied", func(t *testing.T) {
		loc := b.authorize(authQuery(app, loopbackRedirect, ""), e.seed.TestPassword, false)
		if loc.Query().Get("error") != errAccessDenied || loc.Query().Get("state") != "st-123" {
			t.Fatalf("redirect %s", loc)
		}
	})
	t.Run("bad scope redirects with invalid_scope", func(t *testing.T) {
		q := authQuery(app, loopbackRedirect, "")
		q.Set("scope", "https://x.example.com/")
		resp, _ := b.get(authURL + q.Encode())
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || loc.Query().Get("error") != errInvalidScope {
			t.Fatalf("%d %s", resp.StatusCode, loc)
		}
	})
}

func TestAuthorizeResponseModes(t *testing.T) {
	e := newEnv(t)
	app := e.addApp(appOpts{Consent: true, PublicRedirect: []string{loopbackRedirect}})
	for _, mode := range []string{modeFragment, modeFormPost} {
		t.Run(mode, func(t *testing.T) {
			b := e.browser(t)
			q := authQuery(app, loopbackRedirect, "")
			q.Set("response_mode", mode)
			authURL := e.srv.URL + "/" + e.tid + "/oauth2/v2.0/authorize"
			_, html := b.get(authURL + "?" + q.Encode())
			resp, html := b.postForm(authURL, url.Values{fieldCtx: {pageCtx(t, html)}, fieldStep: {"signin"},
				fieldLogin: {e.seed.TestUsername}, fieldPassword: {e.seed.TestPassword}})
			switch mode {
			case modeFragment:
				loc, _ := url.Parse(resp.Header.Get("Location"))
				frag, _ := url.ParseQuery(loc.Fragment)
				if resp.StatusCode != http.StatusFound || frag.Get("code") == "" || frag.Get("state") != "st-123" {
					t.Fatalf("%d %s", resp.StatusCode, loc)
				}
			case modeFormPost:
				if resp.StatusCode != 200 || !strings.Contains(html, `action="http://localhost"`) || !strings.Contains(html, `name="code"`) {
					t.Fatalf("%d:\n%s", resp.StatusCode, html)
				}
			}
		})
	}
}

// TestMSALAcquireTokenByAuthCode redeems a code from the pages through MSAL Go's public client.
func TestMSALAcquireTokenByAuthCode(t *testing.T) {
	e := newEnv(t)
	app := e.addApp(appOpts{Consent: true, PublicRedirect: []string{loopbackRedirect}})
	verifier, challenge := pkcePair()
	loc := e.browser(t).authorize(authQuery(app, loopbackRedirect, challenge), e.seed.TestPassword, true)
	pca, err := public.New(app.AppID, public.WithAuthority(e.srv.URL+"/"+e.tid), public.WithHTTPClient(e.srv.Client()), public.WithInstanceDiscovery(false))
	if err != nil {
		t.Fatal(err)
	}
	res, err := pca.AcquireTokenByAuthCode(context.Background(), loc.Query().Get("code"), loopbackRedirect, []string{dicomReadWrite}, public.WithChallenge(verifier))
	if err != nil {
		t.Fatal(err)
	}
	wantClaims(t, claimsOf(t, res.AccessToken), map[string]any{"aud": tenant.DICOMResource, "scp": tenant.DICOMReadWriteScope})
	if res.Account.PreferredUsername != e.seed.TestUsername {
		t.Errorf("account %+v", res.Account)
	}
	// MSAL's silent path redeems its refresh token for another resource; without consent for it
	// the mock answers 65001 as Entra does
	accts, err := pca.Accounts(context.Background())
	if err != nil || len(accts) != 1 {
		t.Fatalf("accounts %v %v", accts, err)
	}
	if _, err := pca.AcquireTokenSilent(context.Background(), []string{"https://graph.microsoft.com/User.Read"}, public.WithSilentAccount(accts[0])); err == nil {
		t.Error("silent Graph token without Graph consent succeeded")
	} else if !strings.Contains(err.Error(), "AADSTS65001") {
		t.Errorf("silent Graph token: %v", errors.Unwrap(err))
	}
}

func TestRefreshTokenRotationAndExpiry(t *testing.T) {
	e := newEnv(t)
	app := e.addApp(appOpts{Public: true, Consent: true})
	status, body := e.post(e.tokenURL(), url.Values{"grant_type": {"password"}, "client_id": {app.AppID}, "scope": {dicomReadWrite + " offline_access"},
		"username": {e.seed.TestUsername}, "password": {e.seed.TestPassword}})
	if status != 200 {
		t.Fatalf("%d %v", status, body)
	}
	rt := body["refresh_token"].(string)
	seen := map[string]bool{rt: true}
	for i := 0; i < 3; i++ {
		e.clock.Advance(24 * time.Hour)
		status, body = e.post(e.tokenURL(), url.Values{"grant_type": {"refresh_token"}, "client_id": {app.AppID}, "refresh_token": {rt},
			"scope": {dicomReadWrite + " offline_access"}})
		if status != 200 {
			t.Fatalf("refresh %d: %d %v", i, status, body)
		}
		rt = body["refresh_token"].(string)
		if seen[rt] {
			t.Fatalf("refresh token not rotated")
		}
		seen[rt] = true
	}
	e.clock.Advance(refreshTokenLifetime + time.Hour)
	status, body = e.post(e.tokenURL(), url.Values{"grant_type": {"refresh_token"}, "client_id": {app.AppID}, "refresh_token": {rt}, "scope": {dicomReadWrite}})
	assertError(t, status, body, 400, errInvalidGrant, codeRefreshExpired)
}
