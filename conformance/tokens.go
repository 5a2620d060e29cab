package conformance

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// tokenError is Entra's token-endpoint error body (reference-error-codes.md).
type tokenError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes"`
	Suberror         string `json:"suberror"`
	TraceID          string `json:"trace_id"`
	CorrelationID    string `json:"correlation_id"`
	Timestamp        string `json:"timestamp"`
}

// parseTokenError decodes an error answer; it fails on anything that is not one.
func parseTokenError(body []byte) (tokenError, error) {
	var e tokenError
	if err := json.Unmarshal(body, &e); err != nil {
		return e, fmt.Errorf("error body is not JSON: %v", err)
	}
	if e.Error == "" {
		return e, errors.New("error body has no \"error\"")
	}
	return e, nil
}

// tokenAnswer is a raw token-endpoint answer.
type tokenAnswer struct {
	Status int
	Body   []byte
}

// postToken sends form to the token endpoint of tenant, as a client would.
func (c *Case) postToken(tenant string, form url.Values) tokenAnswer {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.ctx, http.MethodPost, c.tgt().tokenURL(tenant), strings.NewReader(form.Encode()))
	c.must(err, "token request")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.tgt().client().Do(req)
	c.must(err, "token request")
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	c.must(err, "read token answer")
	return tokenAnswer{Status: resp.StatusCode, Body: body}
}

// accessToken is the access_token of a successful answer.
func (c *Case) accessToken(a tokenAnswer) string {
	c.t.Helper()
	var ok struct {
		AccessToken string `json:"access_token"`
	}
	if a.Status != http.StatusOK || json.Unmarshal(a.Body, &ok) != nil || ok.AccessToken == "" {
		c.Fatalf("want a token, got %d %s", a.Status, a.Body)
	}
	return ok.AccessToken
}

// wantAADSTS checks an error answer against Entra's: status, error and error_codes, and the
// AADSTS code at the start of error_description.
func (c *Case) wantAADSTS(a tokenAnswer, status int, errValue string, code int) tokenError {
	c.t.Helper()
	e, err := parseTokenError(a.Body)
	if err != nil {
		c.Fatalf("want AADSTS%d (%d %s), got %d: %v: %s", code, status, errValue, a.Status, err, a.Body)
	}
	if a.Status != status || e.Error != errValue || !slices.Contains(e.ErrorCodes, code) {
		c.Errorf("want %d %s [%d], got %d %s %v: %s", status, errValue, code, a.Status, e.Error, e.ErrorCodes, firstLine(e.ErrorDescription))
	}
	if want := fmt.Sprintf("AADSTS%d:", code); !strings.HasPrefix(e.ErrorDescription, want) {
		c.Errorf("error_description should start with %q: %q", want, firstLine(e.ErrorDescription))
	}
	if e.TraceID == "" || e.CorrelationID == "" {
		c.Errorf("error answer lacks trace_id or correlation_id: %s", a.Body)
	}
	return e
}

// wantCredentialError checks the error azidentity returned for a refused sign-in: Entra's
// answer is in its RawResponse.
func (c *Case) wantCredentialError(err error, status int, errValue string, code int) {
	c.t.Helper()
	if err == nil {
		c.Fatalf("want AADSTS%d, got a token", code)
	}
	// azidentity wraps the token endpoint's answer in an AuthenticationFailedError; azcore
	// pipelines in a ResponseError. Both keep the raw response.
	var resp *http.Response
	var re *azcore.ResponseError
	var afe *azidentity.AuthenticationFailedError
	switch {
	case errors.As(err, &afe):
		resp = afe.RawResponse
	case errors.As(err, &re):
		resp = re.RawResponse
	}
	if resp == nil || resp.Body == nil {
		c.Fatalf("want an Entra answer with AADSTS%d, got %v", code, err)
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	c.must(rerr, "read error answer")
	resp.Body = io.NopCloser(bytes.NewReader(body))
	c.wantAADSTS(tokenAnswer{Status: resp.StatusCode, Body: body}, status, errValue, code)
}

// claims decodes a JWT's payload without checking it (the DICOM endpoint checks it).
func claims(token string) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("a JWT has three dot-separated parts")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("payload is not base64url: %v", err)
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("payload is not a JSON object: %v", err)
	}
	return m, nil
}

// numericClaim reads a NumericDate claim.
func numericClaim(m map[string]any, name string) (time.Time, bool) {
	n, ok := m[name].(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}

// wantToken says what a DICOM access token must claim.
type wantToken struct {
	appID     string
	appidacr  string // "0" public, "1" secret, "2" certificate
	delegated bool   // carries scp with Dicom.ReadWrite (and a user's oid)
}

// checkDICOMToken checks a token's claims as the Azure DICOM service reads them: v1, the DICOM
// audience, the tenant's v1 issuer, the app and how it authenticated.
func (c *Case) checkDICOMToken(token string, w wantToken) map[string]any {
	c.t.Helper()
	m, err := claims(token)
	c.must(err, "decode token")
	tid := c.tgt().TenantID
	want := map[string]string{
		"aud": DICOMResource, "iss": "https://sts.windows.net/" + tid + "/", "ver": "1.0", "tid": tid,
		"appid": w.appID, "appidacr": w.appidacr,
	}
	for k, v := range want {
		if got := fmt.Sprint(m[k]); got != v {
			c.Errorf("claim %s = %q, want %q", k, got, v)
		}
	}
	if oid, _ := m["oid"].(string); oid == "" {
		c.Errorf("token has no oid")
	}
	scp, hasScp := m["scp"].(string)
	switch {
	case w.delegated && !slices.Contains(strings.Fields(scp), dicomReadWriteValue):
		c.Errorf("delegated token scp = %q, want it to hold %s", scp, dicomReadWriteValue)
	case !w.delegated && hasScp:
		c.Errorf("app-only token carries scp %q", scp)
	}
	iat, ok1 := numericClaim(m, "iat")
	exp, ok2 := numericClaim(m, "exp")
	if !ok1 || !ok2 || !exp.After(iat) {
		c.Errorf("token iat/exp missing or out of order: %v %v", m["iat"], m["exp"])
	}
	return m
}

// getToken asks cred for scope and fails the behaviour if it cannot.
func (c *Case) getToken(cred azcore.TokenCredential, scope string) string {
	c.t.Helper()
	tok, err := cred.GetToken(c.ctx, tokenOptions(scope))
	c.must(err, "get token for "+scope)
	return tok.Token
}

func tokenOptions(scope string) policy.TokenRequestOptions {
	return policy.TokenRequestOptions{Scopes: []string{scope}}
}

// serverNow is the target's time as its token service sees it: a fresh token's iat.
func (c *Case) serverNow(a *app, s secret) time.Time {
	c.t.Helper()
	tok := c.accessToken(c.postToken(c.tgt().TenantID, url.Values{
		"grant_type": {"client_credentials"}, "client_id": {a.AppID}, "client_secret": {s.SecretText}, "scope": {dicomScope},
	}))
	m, err := claims(tok)
	c.must(err, "decode token")
	iat, ok := numericClaim(m, "iat")
	if !ok {
		c.Fatalf("token has no iat")
	}
	return iat
}
