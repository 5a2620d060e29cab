package identity

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// maxFormBytes bounds a token or device-code request body; real ones are a few kilobytes
// (a client assertion with a certificate chain is the largest).
const maxFormBytes = 64 << 10

// Token request parameters.
const (
	paramGrantType     = "grant_type"
	paramClientID      = "client_id"
	paramClientSecret  = "client_secret"
	paramAssertionType = "client_assertion_type"
	paramAssertion     = "client_assertion"
	paramScope         = "scope"
	paramResource      = "resource"
	paramCode          = "code"
	paramRedirectURI   = "redirect_uri"
	paramCodeVerifier  = "code_verifier"
	paramDeviceCode    = "device_code"
	paramRefreshToken  = "refresh_token"
	paramUsername      = "username"
	paramPassword      = "password"
	paramClientInfo    = "client_info"

	assertionTypeJWTBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	formContentType        = "application/x-www-form-urlencoded"
)

// Grant types.
const (
	grantClientCredentials = "client_credentials"
	grantAuthorizationCode = "authorization_code"
	grantRefreshToken      = "refresh_token"
	grantPassword          = "password"
	grantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	grantDeviceCodeV1      = "device_code" // the v1 endpoint's name for it
)

// tokenRequest is a parsed token (or device-code) request.
type tokenRequest struct {
	GrantType     string
	ClientID      string
	ClientSecret  string
	AssertionType string
	Assertion     string
	Scope         string
	Resource      string
	Code          string
	RedirectURI   string
	CodeVerifier  string
	DeviceCode    string
	RefreshToken  string
	Username      string
	Password      string
	ClientInfo    bool
	// Basic is set when the client authenticated with HTTP Basic (client_secret_basic).
	Basic bool
}

// hasCredential reports whether the client presented a secret or an assertion.
func (t *tokenRequest) hasCredential() bool { return t.ClientSecret != "" || t.Assertion != "" }

// parseTokenForm reads a form-encoded POST body (bounded) and the optional HTTP Basic client
// credentials. Anything unreadable is invalid_request, never a server error.
func parseTokenForm(r *http.Request) (*tokenRequest, *oauthError) {
	if r.Method != http.MethodPost {
		return nil, badRequest(errInvalidRequest, codePostOnly, "The endpoint only accepts POST requests. Received a %s request.", sanitize(r.Method))
	}
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != formContentType {
		return nil, missingParam(paramGrantType)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxFormBytes+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, badRequest(errInvalidRequest, codeInvalidParameter, "The request body is too large.")
		}
		return nil, badRequest(errInvalidRequest, codeInvalidParameter, "The request body could not be read.")
	}
	if len(body) > maxFormBytes {
		return nil, badRequest(errInvalidRequest, codeInvalidParameter, "The request body is too large.")
	}
	return parseTokenValues(string(body), r.Header.Get("Authorization"))
}

// parseTokenValues is the pure part of parseTokenForm (and its fuzz target).
func parseTokenValues(body, authorization string) (*tokenRequest, *oauthError) {
	v, err := url.ParseQuery(body)
	if err != nil {
		return nil, badRequest(errInvalidRequest, codeInvalidParameter, "The request body is not valid form data.")
	}
	t := &tokenRequest{
		GrantType:     v.Get(paramGrantType),
		ClientID:      strings.TrimSpace(v.Get(paramClientID)),
		ClientSecret:  v.Get(paramClientSecret),
		AssertionType: v.Get(paramAssertionType),
		Assertion:     v.Get(paramAssertion),
		Scope:         v.Get(paramScope),
		Resource:      strings.TrimSpace(v.Get(paramResource)),
		Code:          v.Get(paramCode),
		RedirectURI:   v.Get(paramRedirectURI),
		CodeVerifier:  v.Get(paramCodeVerifier),
		DeviceCode:    v.Get(paramDeviceCode),
		RefreshToken:  v.Get(paramRefreshToken),
		Username:      v.Get(paramUsername),
		Password:      v.Get(paramPassword),
		ClientInfo:    v.Get(paramClientInfo) == "1",
	}
	if authorization != "" {
		if id, secret, ok := parseBasic(authorization); ok {
			if t.ClientID != "" && !strings.EqualFold(t.ClientID, id) {
				return nil, badRequest(errInvalidRequest, codeInvalidParameter, "The client_id in the body does not match the Authorization header.")
			}
			t.ClientID, t.ClientSecret, t.Basic = id, secret, true
		}
	}
	if t.Assertion != "" && t.AssertionType != assertionTypeJWTBearer {
		return nil, badRequest(errInvalidRequest, codeInvalidParameter,
			"The client_assertion_type must be '%s'.", assertionTypeJWTBearer)
	}
	return t, nil
}

// parseBasic reads client_secret_basic credentials; RFC 6749 §2.3.1 form-encodes both parts.
func parseBasic(h string) (id, secret string, ok bool) {
	r := http.Request{Header: http.Header{"Authorization": {h}}}
	u, p, ok := r.BasicAuth()
	if !ok {
		return "", "", false
	}
	if du, err := url.QueryUnescape(u); err == nil {
		u = du
	}
	if dp, err := url.QueryUnescape(p); err == nil {
		p = dp
	}
	return u, p, u != ""
}

// sanitize keeps only printable ASCII of outside input echoed in an error, bounded in length.
func sanitize(s string) string {
	const max = 200
	var b strings.Builder
	for _, c := range s {
		if b.Len() >= max {
			break
		}
		if c >= 0x20 && c < 0x7f {
			b.WriteRune(c)
		}
	}
	return b.String()
}
