package conformance

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// maxSignInPages bounds the pages a sign-in may show (sign-in, consent, …) before the redirect.
const maxSignInPages = 6

// pkce is a PKCE S256 pair (RFC 7636).
type pkce struct{ Verifier, Challenge string }

func newPKCE() pkce {
	v := base64.RawURLEncoding.EncodeToString([]byte(randomHex(32)))
	sum := sha256.Sum256([]byte(v))
	return pkce{Verifier: v, Challenge: base64.RawURLEncoding.EncodeToString(sum[:])}
}

// authorizeRequest builds a v2.0 authorize URL for the code flow with PKCE.
func (c *Case) authorizeRequest(clientID, redirectURI string, p pkce) string {
	q := url.Values{
		"client_id": {clientID}, "response_type": {"code"}, "redirect_uri": {redirectURI},
		"scope": {dicomDelegatedScope + " offline_access"}, "state": {randomHex(8)},
		"code_challenge": {p.Challenge}, "code_challenge_method": {"S256"},
		"login_hint": {c.tgt().Username}, "response_mode": {"query"},
	}
	return c.tgt().authorizeURL() + "?" + q.Encode()
}

// signInError is a sign-in that did not end at the redirect URI with a code.
type signInError struct {
	Status int
	Page   string
	Reason string
}

func (e *signInError) Error() string {
	return fmt.Sprintf("sign-in: %s (status %d): %.300s", e.Reason, e.Status, e.Page)
}

// signIn goes through the authorize endpoint as a person with a browser would — fills in the
// user's name and password, accepts consent — and returns the code it redirects to redirectURI.
func (c *Case) signIn(authorizeURL, redirectURI string) (string, error) {
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{
		Transport: c.tgt().client().Transport,
		Jar:       jar,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if strings.HasPrefix(req.URL.String(), redirectURI) || len(via) > 10 {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	req, err := http.NewRequestWithContext(c.ctx, http.MethodGet, authorizeURL, nil)
	if err != nil {
		return "", err
	}
	for range maxSignInPages {
		resp, err := browser.Do(req)
		if err != nil {
			return "", err
		}
		page, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
		resp.Body.Close()
		if err != nil {
			return "", err
		}
		if loc := resp.Header.Get("Location"); resp.StatusCode/100 == 3 && strings.HasPrefix(loc, redirectURI) {
			return codeFromRedirect(loc)
		}
		forms, err := parseForms(bytes.NewReader(page))
		if err != nil || len(forms) == 0 {
			return "", &signInError{Status: resp.StatusCode, Page: string(page), Reason: "a page without a form"}
		}
		if req, err = c.submit(resp.Request.URL, pickForm(forms)); err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("sign-in did not reach %s after %d pages", redirectURI, maxSignInPages)
}

// codeFromRedirect reads the code, or the error Entra sent instead, off the redirect.
func codeFromRedirect(loc string) (string, error) {
	u, err := url.Parse(loc)
	if err != nil {
		return "", err
	}
	q := u.Query()
	if q.Get("error") != "" {
		return "", fmt.Errorf("sign-in redirected with error %s: %s", q.Get("error"), q.Get("error_description"))
	}
	if q.Get("code") == "" {
		return "", errors.New("sign-in redirected without a code: " + loc)
	}
	return q.Get("code"), nil
}

// pickForm prefers the sign-in form (it has a password field), then the first.
func pickForm(forms []form) form {
	for _, f := range forms {
		if f.hasType("password") {
			return f
		}
	}
	return forms[0]
}

// submit fills a form as the test user and builds its request.
func (c *Case) submit(page *url.URL, f form) (*http.Request, error) {
	vals := url.Values{}
	var submits []field
	for _, fl := range f.Fields {
		switch fl.Type {
		case "password":
			vals.Set(fl.Name, c.tgt().Password)
		case "text", "email":
			vals.Set(fl.Name, c.tgt().Username)
		case "hidden":
			vals.Add(fl.Name, fl.Value)
		case "submit":
			submits = append(submits, fl)
		}
	}
	if b, ok := acceptButton(submits); ok {
		vals.Add(b.Name, b.Value)
	}
	action, err := page.Parse(f.Action)
	if err != nil {
		return nil, fmt.Errorf("form action %q: %v", f.Action, err)
	}
	if f.Method == http.MethodGet {
		action.RawQuery = vals.Encode()
		return http.NewRequestWithContext(c.ctx, http.MethodGet, action.String(), nil)
	}
	req, err := http.NewRequestWithContext(c.ctx, http.MethodPost, action.String(), strings.NewReader(vals.Encode()))
	if err == nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req, err
}

// acceptButton is the button a person who agrees would press.
func acceptButton(submits []field) (field, bool) {
	for _, b := range submits {
		s := strings.ToLower(b.Name + " " + b.Value)
		for _, w := range []string{"accept", "allow", "yes", "continue", "sign", "next"} {
			if strings.Contains(s, w) {
				return b, true
			}
		}
	}
	if len(submits) > 0 {
		return submits[0], true
	}
	return field{}, false
}

// authorizePage fetches the authorize endpoint once, without following redirects.
func (c *Case) authorizePage(authorizeURL string) (status int, location string, page []byte) {
	c.t.Helper()
	client := &http.Client{Transport: c.tgt().client().Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(c.ctx, http.MethodGet, authorizeURL, nil)
	c.must(err, "authorize request")
	resp, err := client.Do(req)
	c.must(err, "authorize request")
	defer resp.Body.Close()
	page, err = io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	c.must(err, "read authorize page")
	return resp.StatusCode, resp.Header.Get("Location"), page
}
