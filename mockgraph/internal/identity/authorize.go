package identity

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// Authorize request parameters and values.
const (
	paramResponseType  = "response_type"
	paramResponseMode  = "response_mode"
	paramState         = "state"
	paramNonce         = "nonce"
	paramPrompt        = "prompt"
	paramLoginHint     = "login_hint"
	paramChallenge     = "code_challenge"
	paramChallengeMeth = "code_challenge_method"

	responseTypeCode = "code"
	modeQuery        = "query"
	modeFragment     = "fragment"
	modeFormPost     = "form_post"
	promptNone       = "none"

	interactionLifetime = time.Hour

	// maxQueryString bounds an authorize request's query string. Entra refuses long ones with
	// AADSTS90015 QueryStringTooLong; its limit is not documented (reports show ~7 KB URLs
	// refused), so the mock takes 8 KB.
	maxQueryString = 8 << 10
)

// authorizeRequest is a sign-in under way on the pages: an authorize request, or a device code
// being approved.
type authorizeRequest struct {
	Device   bool
	UserCode string

	ClientID   string
	ClientName string
	Scope      string // raw scope (v2) or resource (v1)
	Ver        endpointVersion
	Action     string // where the pages post back

	RedirectURI  string
	Platform     platform
	State        string
	Nonce        string
	Challenge    string
	Method       string
	ResponseMode string

	UserID string
}

func (a *authorizeRequest) scopeRequest() (scopeRequest, *oauthError) {
	return (&deviceGrant{Scope: a.Scope, Ver: a.Ver}).scopeRequest()
}

// authCode is an issued authorization code.
type authCode struct {
	ClientID    string
	RedirectURI string
	Platform    platform
	Scope       string
	UserID      string
	Nonce       string
	Challenge   string
	Method      string
	Redeemed    bool
}

// handleAuthorize is the authorize endpoint: GET starts a sign-in, POST continues it.
func (s *Service) handleAuthorize(ver endpointVersion) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if e := s.checkTenant(tenantSegment(r)); e != nil {
			s.renderError(w, r, e)
			return
		}
		if r.Method == http.MethodPost {
			s.continueInteraction(w, r)
			return
		}
		s.startAuthorize(w, r, ver)
	}
}

func (s *Service) startAuthorize(w http.ResponseWriter, r *http.Request, ver endpointVersion) {
	if len(r.URL.RawQuery) > maxQueryString {
		s.renderError(w, r, badRequest(errInvalidRequest, codeQueryTooLong, "Requested query string is too long."))
		return
	}
	q := r.URL.Query()
	a := &authorizeRequest{ClientID: q.Get(paramClientID), Ver: ver, Action: r.URL.Path,
		RedirectURI: q.Get(paramRedirectURI), State: q.Get(paramState), Nonce: q.Get(paramNonce),
		Challenge: q.Get(paramChallenge), Method: q.Get(paramChallengeMeth), ResponseMode: q.Get(paramResponseMode)}
	if a.ClientID == "" {
		s.renderError(w, r, missingParam(paramClientID))
		return
	}
	var pageErr *oauthError
	_ = s.cfg.Store.View(func(d *tenant.Directory) error {
		cl, e := s.lookupClient(d, a.ClientID)
		if e != nil {
			pageErr = e
			return nil
		}
		if e := singleTenantOnAlias(tenantSegment(r), cl); e != nil {
			pageErr = e
			return nil
		}
		a.ClientName = cl.DisplayName
		if a.RedirectURI == "" {
			uri, pl, ok := cl.Redirects.first()
			if !ok {
				pageErr = badRequest(errInvalidRequest, codeNoReplyAddress, "No reply address is registered for the application.")
				return nil
			}
			a.RedirectURI, a.Platform = uri, pl
			return nil
		}
		pl, ok := matchRedirect(cl.Redirects, a.RedirectURI)
		if !ok {
			pageErr = badRequest(errInvalidRequest, codeRedirectMismatch, "The redirect URI '%s' specified in the request does not match the redirect URIs "+
				"configured for the application '%s'. Make sure the redirect URI sent in the request matches one added to your application in "+
				"the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.", sanitize(a.RedirectURI), a.ClientID)
			return nil
		}
		a.Platform = pl
		return nil
	})
	if pageErr != nil {
		s.renderError(w, r, pageErr)
		return
	}
	// From here the redirect URI is trusted: errors go back to the app.
	if a.ResponseMode == "" {
		a.ResponseMode = modeQuery
	}
	if a.ResponseMode != modeQuery && a.ResponseMode != modeFragment && a.ResponseMode != modeFormPost {
		a.ResponseMode = modeQuery
		s.redirectError(w, r, a, badRequest(errInvalidRequest, codeInvalidParameter, "The response_mode '%s' is not supported.", sanitize(q.Get(paramResponseMode))))
		return
	}
	if rt := q.Get(paramResponseType); rt != responseTypeCode {
		s.redirectError(w, r, a, badRequest("unsupported_response_type", codeUnsupportedResponseType,
			"The provided value for the input parameter 'response_type' is not allowed for this request. Expected value is 'code'."))
		return
	}
	if a.Challenge != "" {
		if a.Method == "" {
			a.Method = pkcePlain
		}
		if a.Method != pkceS256 && a.Method != pkcePlain {
			s.redirectError(w, r, a, badRequest(errInvalidRequest, codeInvalidParameter, "The code_challenge_method '%s' is not supported.", sanitize(a.Method)))
			return
		}
	}
	if ver == v1 {
		a.Scope = q.Get(paramResource)
		if a.Scope == "" {
			a.Scope = graphResource
		}
	} else {
		a.Scope = q.Get(paramScope)
		if strings.TrimSpace(a.Scope) == "" {
			s.redirectError(w, r, a, missingParam(paramScope))
			return
		}
	}
	if _, e := a.scopeRequest(); e != nil {
		s.redirectError(w, r, a, e)
		return
	}
	if q.Get(paramPrompt) == promptNone {
		s.redirectError(w, r, a, badRequest(errLoginRequired, codeLoginRequired, "A silent sign-in request was sent but no user is signed in. "+
			"The cookies used to represent the user's session were not sent in the request to Azure AD."))
		return
	}
	s.showSignIn(w, a, q.Get(paramLoginHint), "")
}

// showSignIn stores the interaction and renders the sign-in form.
func (s *Service) showSignIn(w http.ResponseWriter, a *authorizeRequest, login, errText string) {
	now := s.cfg.Clock.Now()
	ctx := s.cfg.Rand.Token(24)
	s.pending.put(ctx, a, now.Add(interactionLifetime), now)
	s.renderPage(w, http.StatusOK, page{Title: "Sign in", Step: "signin", Action: a.Action, Ctx: ctx, Login: login, Error: errText,
		Message: "to continue to " + a.ClientName})
}

// continueInteraction handles the sign-in and consent forms of both the authorize and the
// device-login pages.
func (s *Service) continueInteraction(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, badRequest(errInvalidRequest, codeInvalidParameter, "The form could not be read."))
		return
	}
	ctx := r.PostForm.Get(fieldCtx)
	a, expires, ok := s.pending.get(ctx)
	if !ok || !s.cfg.Clock.Now().Before(expires) {
		s.renderError(w, r, badRequest(errInvalidRequest, codeInvalidParameter, "Your sign-in session expired or was not found. Start again."))
		return
	}
	switch r.PostForm.Get(fieldStep) {
	case "signin":
		var userID string
		var e *oauthError
		_ = s.cfg.Store.View(func(d *tenant.Directory) error {
			u, ue := checkUser(d, r.PostForm.Get(fieldLogin), r.PostForm.Get(fieldPassword))
			if ue != nil {
				e = ue
				return nil
			}
			userID = u.ID
			return nil
		})
		if e != nil {
			ids := s.newErrorIDs(r)
			s.renderPage(w, http.StatusOK, page{Title: "Sign in", Step: "signin", Action: a.Action, Ctx: ctx,
				Login: r.PostForm.Get(fieldLogin), Error: ids.describe(e)})
			return
		}
		n := *a
		n.UserID = userID
		s.pending.update(ctx, func(*authorizeRequest) (*authorizeRequest, bool) { return &n, true })
		s.afterSignIn(w, r, ctx, &n)
	case "consent":
		if a.UserID == "" {
			s.renderError(w, r, badRequest(errInvalidRequest, codeInvalidParameter, "Sign in first."))
			return
		}
		if r.PostForm.Get(fieldAccept) != "yes" {
			s.pending.delete(ctx)
			s.declined(w, r, a)
			return
		}
		sr, e := a.scopeRequest()
		if e == nil {
			e = s.grantConsent(a.ClientID, sr, a.UserID)
		}
		if e != nil {
			s.failInteraction(w, r, a, e)
			return
		}
		s.afterSignIn(w, r, ctx, a)
	default:
		s.renderError(w, r, badRequest(errInvalidRequest, codeInvalidParameter, "Unknown step."))
	}
}

// afterSignIn shows the consent prompt when consent is missing, else finishes the interaction.
func (s *Service) afterSignIn(w http.ResponseWriter, r *http.Request, ctx string, a *authorizeRequest) {
	sr, e := a.scopeRequest()
	var dec *consentDecision
	if e == nil {
		err := s.cfg.Store.View(func(d *tenant.Directory) error {
			cl, ce := s.lookupClient(d, a.ClientID)
			if ce != nil {
				return ce
			}
			var de *oauthError
			dec, de = decideDelegated(d, cl, sr, a.UserID)
			if de != nil {
				return de
			}
			return nil
		})
		e = asOAuthOrNil(err)
	}
	if e != nil {
		s.pending.delete(ctx)
		s.failInteraction(w, r, a, e)
		return
	}
	if len(dec.Missing) > 0 {
		var scopes []string
		for _, v := range dec.Missing {
			if v != scopeDefault {
				scopes = append(scopes, dec.Resource.Display+"/"+v)
			}
		}
		if len(scopes) == 0 {
			s.pending.delete(ctx)
			s.failInteraction(w, r, a, consentRequired(&client{AppID: a.ClientID, DisplayName: a.ClientName}))
			return
		}
		if s.ConsentPolicy() == AdminConsentOnly {
			// Users may not consent: Entra shows "Need admin approval" instead of the prompt.
			s.pending.delete(ctx)
			s.renderError(w, r, badRequest(errAccessDenied, codeAdminConsentRequired, "The grant requires admin permission."))
			return
		}
		s.renderPage(w, http.StatusOK, page{Title: "Permissions requested", Step: "consent", Action: a.Action, Ctx: ctx, AppName: a.ClientName, Scopes: scopes})
		return
	}
	s.pending.delete(ctx)
	if a.Device {
		if err := s.setDeviceState(a.UserCode, deviceApproved, a.UserID); err != nil {
			s.renderPage(w, http.StatusBadRequest, page{Title: "Device sign-in", Error: err.Error()})
			return
		}
		s.renderPage(w, http.StatusOK, page{Title: "You're signed in", Message: "You have signed in to " + a.ClientName + " on your device. You may now close this window."})
		return
	}
	now := s.cfg.Clock.Now()
	code := "1.A" + s.cfg.Rand.Token(64)
	s.codes.put(code, &authCode{ClientID: a.ClientID, RedirectURI: a.RedirectURI, Platform: a.Platform, Scope: a.Scope, UserID: a.UserID,
		Nonce: a.Nonce, Challenge: a.Challenge, Method: a.Method}, now.Add(codeLifetime), now)
	s.redirectTo(w, r, a, url.Values{"code": {code}})
}

// declined is the Cancel on the consent prompt.
func (s *Service) declined(w http.ResponseWriter, r *http.Request, a *authorizeRequest) {
	if a.Device {
		_ = s.setDeviceState(a.UserCode, deviceDeclined, "")
		s.renderPage(w, http.StatusOK, page{Title: "Device sign-in", Message: "You declined to sign in to " + a.ClientName + " on your device."})
		return
	}
	e := badRequest(errAccessDenied, codeUserDeclinedConsent, "The user has declined to consent to access the app.")
	s.redirectError(w, r, a, e)
}

// failInteraction reports an error: on the page for the device flow, to the app otherwise.
func (s *Service) failInteraction(w http.ResponseWriter, r *http.Request, a *authorizeRequest, e *oauthError) {
	if a.Device {
		s.renderError(w, r, e)
		return
	}
	s.redirectError(w, r, a, e)
}

// redirectError sends an OAuth error to the (already validated) redirect URI.
func (s *Service) redirectError(w http.ResponseWriter, r *http.Request, a *authorizeRequest, e *oauthError) {
	ids := s.newErrorIDs(r)
	v := url.Values{"error": {e.Err}, "error_description": {ids.describe(e)}, "error_uri": {httpx.BaseURL(r) + "/error?code=" + itoa(e.Code)}}
	if e.Suberror != "" {
		v.Set("error_subcode", e.Suberror)
	}
	s.redirectTo(w, r, a, v)
}

// redirectTo answers to the redirect URI in the requested response mode, with state.
func (s *Service) redirectTo(w http.ResponseWriter, r *http.Request, a *authorizeRequest, v url.Values) {
	if a.State != "" {
		v.Set(paramState, a.State)
	}
	switch a.ResponseMode {
	case modeFormPost:
		fields := map[string]string{}
		for k := range v {
			fields[k] = v.Get(k)
		}
		s.renderPage(w, http.StatusOK, page{Title: "Working...", FormPost: &formPost{URL: a.RedirectURI, Fields: fields}})
	case modeFragment:
		http.Redirect(w, r, strings.SplitN(a.RedirectURI, "#", 2)[0]+"#"+v.Encode(), http.StatusFound)
	default:
		target := a.RedirectURI
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		http.Redirect(w, r, target+sep+v.Encode(), http.StatusFound)
	}
}
