package identity

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// PKCE methods.
const (
	pkceS256  = "S256"
	pkcePlain = "plain"
)

// handleToken is the token endpoint of either version.
func (s *Service) handleToken(ver endpointVersion) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		out, e := s.token(r, ver)
		if e != nil {
			s.writeError(w, r, e)
			return
		}
		w.Header().Set("Cache-Control", "no-store, no-cache")
		httpx.WriteJSON(w, http.StatusOK, out)
	}
}

// tokenCall is one token request with what every grant needs.
type tokenCall struct {
	svc  *Service
	req  *tokenRequest
	ver  endpointVersion
	base string
	seg  string
	now  time.Time
	// origin is the request's Origin header: a browser's cross-origin request (SPA redemption).
	origin string
}

func (s *Service) token(r *http.Request, ver endpointVersion) (map[string]any, *oauthError) {
	seg := tenantSegment(r)
	if e := s.checkTenant(seg); e != nil {
		return nil, e
	}
	req, e := parseTokenForm(r)
	if e != nil {
		return nil, e
	}
	if req.GrantType == "" {
		return nil, missingParam(paramGrantType)
	}
	if req.ClientID == "" && req.Assertion != "" {
		req.ClientID = assertionIssuer(req.Assertion)
	}
	s.warmIssuerKeys(r.Context(), req) // federated credentials: the issuer's keys, before the lock
	call := &tokenCall{svc: s, req: req, ver: ver, base: httpx.BaseURL(r), seg: seg, now: s.cfg.Clock.Now(), origin: r.Header.Get("Origin")}
	var in *issue
	switch req.GrantType {
	case grantClientCredentials:
		in, e = s.clientCredentials(call)
	case grantPassword:
		in, e = s.password(call)
	case grantDeviceCode, grantDeviceCodeV1:
		in, e = s.deviceCodeGrant(call)
	case grantAuthorizationCode:
		in, e = s.authorizationCode(call)
	case grantRefreshToken:
		in, e = s.refreshTokenGrant(call)
	default:
		return nil, badRequest(errUnsupportedGrantType, codeUnsupportedGrant, "The app requested an unsupported grant type '%s'.", sanitize(req.GrantType))
	}
	if e != nil {
		return nil, e
	}
	out, err := s.mint(in)
	if err != nil {
		return nil, newErr(http.StatusServiceUnavailable, "temporarily_unavailable", 0, "Token signing failed: %v", err)
	}
	return out, nil
}

// lookup finds the client and applies the tenant segment's rules to it.
func (c *tokenCall) lookup(d *tenant.Directory) (*client, *oauthError) {
	cl, e := c.svc.lookupClient(d, c.req.ClientID)
	if e != nil {
		return nil, e
	}
	if e := singleTenantOnAlias(c.seg, cl); e != nil {
		return nil, e
	}
	return cl, nil
}

// tokenAudience accepts a client assertion's aud when it is a v1 or v2 token URL of this host
// for a name of this tenant.
// signIn finds the calling client and checks its credential — the first step of every grant.
// public says whether this grant lets the client be a public one (no credential).
func (c *tokenCall) signIn(s *Service, d *tenant.Directory, public func(*client) bool) (*client, string, *oauthError) {
	cl, e := c.lookup(d)
	if e != nil {
		return nil, "", e
	}
	acr, e := s.authenticate(d, cl, c.req, public(cl), c.tokenAudience(d), c.now)
	if e != nil {
		return nil, "", e
	}
	return cl, acr, nil
}

func (c *tokenCall) tokenAudience(d *tenant.Directory) func(string) bool {
	return func(aud string) bool {
		u, err := url.Parse(aud)
		if err != nil || "https://"+u.Host != c.base {
			return false
		}
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		switch {
		case len(parts) == 3 && parts[1] == "oauth2" && parts[2] == "token":
		case len(parts) == 4 && parts[1] == "oauth2" && parts[2] == "v2.0" && parts[3] == "token":
		default:
			return false
		}
		return knownTenant(d, parts[0])
	}
}

// requestedScope reads scope (v2) or resource (v1); fallback is used when the request has none.
func (c *tokenCall) requestedScope(fallback string) (scopeRequest, string, *oauthError) {
	if c.ver == v1 {
		res := c.req.Resource
		if res == "" {
			res = fallback
		}
		if res == "" {
			return scopeRequest{}, "", missingParam(paramResource)
		}
		sr, e := parseScope(c.req.Scope)
		if e != nil {
			return sr, "", e
		}
		sr.Resource, sr.Default, sr.Scopes = res, true, nil
		return sr, res, nil
	}
	raw := c.req.Scope
	if raw == "" {
		raw = fallback
	}
	if strings.TrimSpace(raw) == "" {
		return scopeRequest{}, "", missingParam(paramScope)
	}
	sr, e := parseScope(raw)
	return sr, raw, e
}

func (s *Service) clientCredentials(c *tokenCall) (*issue, *oauthError) {
	sr, _, e := c.requestedScope("")
	if e != nil {
		return nil, e
	}
	if !sr.Default {
		return nil, badRequest(errInvalidScope, codeClientCredsNeedDefault, "The provided value for scope %s is not valid. Client credential flows must have "+
			"a scope value with /.default suffixed to the resource identifier (application ID URI).", sanitize(c.req.Scope))
	}
	var in *issue
	err := s.cfg.Store.View(func(d *tenant.Directory) error {
		cl, acr, e := c.signIn(s, d, func(*client) bool { return false })
		if e != nil {
			return e
		}
		if cl.SP == nil {
			return clientErr(codeMissingClientSP, "The client application %s is missing service principal in the tenant %s. See instructions here: "+
				"https://go.microsoft.com/fwlink/?linkid=2225119", cl.AppID, d.TenantID)
		}
		res, e := resolveResource(d, sr.Resource)
		if e != nil {
			return e
		}
		in = &issue{TenantID: d.TenantID, Base: c.base, Ver: c.ver, Client: cl, ACR: acr, Resource: res,
			Roles: d.AssignedRoles(cl.SP.ID, res.SP.ID)}
		return nil
	})
	if err != nil {
		return nil, asOAuth(err)
	}
	return in, nil
}

// delegated finishes a user flow: resolve the resource, require consent (no prompt possible at
// the token endpoint) and gather the issue.
func (s *Service) delegated(d *tenant.Directory, c *tokenCall, cl *client, acr string, sr scopeRequest, rawScope string, user *tenant.User, public bool) (*issue, *oauthError) {
	dec, e := decideDelegated(d, cl, sr, user.ID)
	if e != nil {
		return nil, e
	}
	if len(dec.Missing) > 0 {
		return nil, consentRequired(cl)
	}
	return &issue{TenantID: d.TenantID, Base: c.base, Ver: c.ver, Client: cl, ACR: acr, Resource: dec.Resource, User: user,
		Scopes: dec.Granted, OIDC: sr, ClientInfo: c.req.ClientInfo,
		Refresh: &refreshGrant{ClientID: cl.AppID, UserID: user.ID, Public: public, Scope: rawScope}}, nil
}

func (s *Service) password(c *tokenCall) (*issue, *oauthError) {
	sr, raw, e := c.requestedScope("")
	if e != nil {
		return nil, e
	}
	if strings.EqualFold(c.seg, tenantCommon) {
		return nil, badRequest(errInvalidRequest, codeGrantNotOnCommon, "The grant type is not supported over the /common or /consumers endpoints. "+
			"Please use the /organizations or tenant-specific endpoint.")
	}
	if c.req.Username == "" {
		return nil, missingParam(paramUsername)
	}
	if c.req.Password == "" {
		return nil, missingParam(paramPassword)
	}
	var in *issue
	err := s.cfg.Store.View(func(d *tenant.Directory) error {
		cl, acr, e := c.signIn(s, d, func(cl *client) bool { return cl.FallbackPublic })
		if e != nil {
			return e
		}
		u, e := checkUser(d, c.req.Username, c.req.Password)
		if e != nil {
			return e
		}
		in, e = s.delegated(d, c, cl, acr, sr, raw, u, cl.FallbackPublic)
		if e != nil {
			return e
		}
		return nil
	})
	return in, asOAuthOrNil(err)
}

// checkUser signs a user in with a password (50126 for an unknown user or a wrong password).
func checkUser(d *tenant.Directory, upn, password string) (*tenant.User, *oauthError) {
	u := d.UserByUPN(upn)
	if u == nil || !d.CheckPassword(u, password) {
		return nil, badRequest(errInvalidGrant, codeBadUserPassword, "Error validating credentials due to invalid username or password.")
	}
	if !u.AccountEnabled {
		return nil, badRequest(errInvalidGrant, codeUserDisabled, "User account is disabled. The account has been disabled by an administrator.")
	}
	return u, nil
}

func (s *Service) authorizationCode(c *tokenCall) (*issue, *oauthError) {
	if c.req.Code == "" {
		return nil, missingParam(paramCode)
	}
	code, expires, ok := s.codes.get(c.req.Code)
	if !ok {
		return nil, badRequest(errInvalidGrant, codeMalformedGrant, "Invalid request. Request is malformed or invalid.")
	}
	if !c.now.Before(expires) {
		return nil, badRequest(errInvalidGrant, codeGrantExpired, "The provided authorization code or refresh token has expired due to inactivity. "+
			"Send a new interactive authorization request for this user and resource.")
	}
	if !strings.EqualFold(code.ClientID, c.req.ClientID) {
		return nil, badRequest(errInvalidGrant, codeInvalidGrant, "Provided grant is invalid or malformed.")
	}
	if c.req.RedirectURI != code.RedirectURI {
		return nil, badRequest(errInvalidGrant, codeRedirectMismatchToken, "The reply address '%s' does not match the reply address '%s' provided when requesting Authorization code.",
			sanitize(c.req.RedirectURI), code.RedirectURI)
	}
	// A code for a single-page-app redirect is redeemed by the browser, cross-origin; any other
	// code never is (reference-error-codes.md, reply-url.md).
	if code.Platform == platformSPA && c.origin == "" {
		return nil, badRequest(errInvalidRequest, codeSPANeedsOrigin, "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.")
	}
	if code.Platform != platformSPA && c.origin != "" {
		return nil, badRequest(errInvalidRequest, codeOriginNotSPA, "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '%s'.", sanitize(c.origin))
	}
	if !pkceMatches(code.Challenge, code.Method, c.req.CodeVerifier) {
		return nil, badRequest(errInvalidGrant, codePKCEMismatch, "The code_verifier does not match the code_challenge supplied in the authorization request.")
	}
	sr, raw, e := c.requestedScope(code.Scope)
	if e != nil {
		return nil, e
	}
	if c.ver == v2 {
		// the code fixes the grant; the token request's scope may only narrow what is returned
		sr, _ = parseScope(code.Scope)
		raw = code.Scope
	}
	var in *issue
	err := s.cfg.Store.View(func(d *tenant.Directory) error {
		cl, acr, e := c.signIn(s, d, func(*client) bool { return code.Platform.public() })
		if e != nil {
			return e
		}
		u := d.User(code.UserID)
		if u == nil {
			return badRequest(errInvalidGrant, codeInvalidGrant, "Provided grant is invalid or malformed.")
		}
		in, e = s.delegated(d, c, cl, acr, sr, raw, u, code.Platform.public())
		if e != nil {
			return e
		}
		return nil
	})
	if err != nil {
		return nil, asOAuth(err)
	}
	if !s.redeemCode(c.req.Code) {
		return nil, badRequest(errInvalidGrant, codeCodeRedeemed, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")
	}
	in.Nonce = code.Nonce
	return in, nil
}

// redeemCode marks a code used; false when it already was (codes are single use).
func (s *Service) redeemCode(code string) bool {
	first := false
	s.codes.update(code, func(c *authCode) (*authCode, bool) {
		if c.Redeemed {
			return c, true
		}
		used := *c
		used.Redeemed, first = true, true
		return &used, true
	})
	return first
}

// pkceMatches checks code_verifier against the challenge the code was issued for (RFC 7636).
func pkceMatches(challenge, method, verifier string) bool {
	if challenge == "" {
		return true
	}
	if verifier == "" {
		return false
	}
	want := verifier
	if method != pkcePlain {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

func (s *Service) refreshTokenGrant(c *tokenCall) (*issue, *oauthError) {
	if c.req.RefreshToken == "" {
		return nil, missingParam(paramRefreshToken)
	}
	g, expires, ok := s.refresh.get(c.req.RefreshToken)
	if !ok {
		return nil, badRequest(errInvalidGrant, codeMalformedGrant, "Invalid request. Request is malformed or invalid.")
	}
	if !c.now.Before(expires) {
		return nil, badRequest(errInvalidGrant, codeRefreshExpired, "The refresh token has expired due to inactivity. The token was issued on %s "+
			"and was inactive for 90.00:00:00.", g.Issued.Format("2006-01-02T15:04:05.0000000Z"))
	}
	if !strings.EqualFold(g.ClientID, c.req.ClientID) {
		return nil, badRequest(errInvalidGrant, codeInvalidGrant, "Provided grant is invalid or malformed.")
	}
	sr, raw, e := c.requestedScope(g.Scope)
	if e != nil {
		return nil, e
	}
	var in *issue
	err := s.cfg.Store.View(func(d *tenant.Directory) error {
		cl, acr, e := c.signIn(s, d, func(*client) bool { return g.Public })
		if e != nil {
			return e
		}
		u := d.User(g.UserID)
		if u == nil || !u.AccountEnabled {
			return badRequest(errInvalidGrant, codeInvalidGrant, "Provided grant is invalid or malformed.")
		}
		in, e = s.delegated(d, c, cl, acr, sr, raw, u, g.Public)
		if e != nil {
			return e
		}
		return nil
	})
	return in, asOAuthOrNil(err)
}

// asOAuth turns an error returned through Store.View back into the oauthError it is.
func asOAuth(err error) *oauthError {
	if e, ok := errorsAsOAuth(err); ok {
		return e
	}
	return newErr(http.StatusServiceUnavailable, "temporarily_unavailable", 0, "%v", err)
}

func asOAuthOrNil(err error) *oauthError {
	if err == nil {
		return nil
	}
	return asOAuth(err)
}
