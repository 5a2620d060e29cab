package identity

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// Device flow constants (v2-oauth2-device-code.md).
const (
	deviceCodeLifetime = 15 * time.Minute
	devicePollInterval = 5
	userCodeLength     = 9
	userCodeAlphabet   = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
)

type deviceState int

const (
	devicePending deviceState = iota
	deviceApproved
	deviceDeclined
)

// deviceGrant is one device authorization waiting for a person on the device-login page.
type deviceGrant struct {
	ClientID string
	Scope    string // raw scope (v2) or resource (v1)
	Ver      endpointVersion
	UserCode string
	State    deviceState
	UserID   string
}

// ErrUnknownUserCode is returned by ApproveDeviceCode and DenyDeviceCode for a user code that
// does not name a pending device authorization.
var ErrUnknownUserCode = errors.New("identity: no pending device authorization with that user code")

// handleDeviceCode starts a device authorization.
func (s *Service) handleDeviceCode(ver endpointVersion) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		out, e := s.deviceCode(r, ver)
		if e != nil {
			s.writeError(w, r, e)
			return
		}
		httpx.WriteJSON(w, http.StatusOK, out)
	}
}

func (s *Service) deviceCode(r *http.Request, ver endpointVersion) (map[string]any, *oauthError) {
	seg := tenantSegment(r)
	if e := s.checkTenant(seg); e != nil {
		return nil, e
	}
	req, e := parseTokenForm(r)
	if e != nil {
		return nil, e
	}
	call := &tokenCall{svc: s, req: req, ver: ver, seg: seg}
	_, raw, e := call.requestedScope("")
	if e != nil {
		return nil, e
	}
	err := s.cfg.Store.View(func(d *tenant.Directory) error {
		_, e := call.lookup(d)
		if e != nil {
			return e
		}
		return nil
	})
	if err != nil {
		return nil, asOAuth(err)
	}
	now := s.cfg.Clock.Now()
	g := &deviceGrant{ClientID: req.ClientID, Scope: raw, Ver: ver, UserCode: s.newUserCode()}
	deviceCode := "DAQABIQEAAA" + s.cfg.Rand.Token(96)
	s.devices.put(deviceCode, g, now.Add(deviceCodeLifetime), now)
	s.userCodes.put(g.UserCode, deviceCode, now.Add(deviceCodeLifetime), now)
	uri := httpx.BaseURL(r) + "/" + deviceLoginTenant + "/oauth2/deviceauth"
	msg := "To sign in, use a web browser to open the page " + uri + " and enter the code " + g.UserCode + " to authenticate."
	out := map[string]any{"user_code": g.UserCode, "device_code": deviceCode, "message": msg}
	if ver == v1 {
		out["verification_url"] = uri
		out["expires_in"] = strconv.Itoa(int(deviceCodeLifetime / time.Second))
		out["interval"] = strconv.Itoa(devicePollInterval)
	} else {
		out["verification_uri"] = uri
		out["expires_in"] = int(deviceCodeLifetime / time.Second)
		out["interval"] = devicePollInterval
	}
	return out, nil
}

func (s *Service) newUserCode() string {
	b := make([]byte, userCodeLength)
	for i := range b {
		b[i] = userCodeAlphabet[s.cfg.Rand.Intn(len(userCodeAlphabet))]
	}
	return string(b)
}

// deviceCodeGrant is the polling side: pending, declined, expired or a token.
func (s *Service) deviceCodeGrant(c *tokenCall) (*issue, *oauthError) {
	code := c.req.DeviceCode
	if code == "" && c.ver == v1 {
		code = c.req.Code // the v1 endpoint takes the device code as code=
	}
	if code == "" {
		return nil, missingParam(paramDeviceCode)
	}
	g, expires, ok := s.devices.get(code)
	if !ok || !strings.EqualFold(g.ClientID, c.req.ClientID) {
		return nil, badRequest(errBadVerificationCode, codeBadVerificationCode, "The provided value for the input parameter 'device_code' is not valid.")
	}
	if !c.now.Before(expires) {
		return nil, badRequest(errExpiredToken, codeDeviceCodeExpired, "The provided value for the input parameter 'device_code' is not valid. The device code has expired.")
	}
	var in *issue
	err := s.cfg.Store.View(func(d *tenant.Directory) error {
		cl, acr, e := c.signIn(s, d, func(cl *client) bool { return cl.FallbackPublic })
		if e != nil {
			return e
		}
		switch g.State {
		case devicePending:
			return badRequest(errAuthorizationPending, codeAuthorizationPending, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
		case deviceDeclined:
			return badRequest(errAuthorizationDecline, codeInvalidGrant, "The end user denied the authorization request.")
		}
		u := d.User(g.UserID)
		if u == nil {
			return badRequest(errInvalidGrant, codeInvalidGrant, "Provided grant is invalid or malformed.")
		}
		sr, raw, e := c.requestedScope(g.Scope)
		if e != nil {
			return e
		}
		if c.ver == v2 {
			sr, _ = parseScope(g.Scope)
			raw = g.Scope
		}
		in, e = s.delegated(d, c, cl, acr, sr, raw, u, cl.FallbackPublic)
		if e != nil {
			return e
		}
		return nil
	})
	if err != nil {
		return nil, asOAuth(err)
	}
	s.devices.delete(code)
	return in, nil
}

// ApproveDeviceCode signs user in on the device-login page for userCode and accepts the consent
// prompt if one would be shown, as a person clicking through the page would.
func (s *Service) ApproveDeviceCode(userCode, userPrincipalName string) error {
	g, err := s.pendingDevice(userCode)
	if err != nil {
		return err
	}
	var userID string
	err = s.cfg.Store.View(func(d *tenant.Directory) error {
		u := d.UserByUPN(userPrincipalName)
		if u == nil {
			return errors.New("identity: no user " + userPrincipalName)
		}
		userID = u.ID
		return nil
	})
	if err != nil {
		return err
	}
	sr, e := g.scopeRequest()
	if e != nil {
		return e
	}
	if e := s.grantConsent(g.ClientID, sr, userID); e != nil {
		return e
	}
	return s.setDeviceState(userCode, deviceApproved, userID)
}

// DenyDeviceCode declines the device authorization for userCode, as the page's Cancel does.
func (s *Service) DenyDeviceCode(userCode string) error {
	if _, err := s.pendingDevice(userCode); err != nil {
		return err
	}
	return s.setDeviceState(userCode, deviceDeclined, "")
}

// scopeRequest is the device grant's request in scope form.
func (g *deviceGrant) scopeRequest() (scopeRequest, *oauthError) {
	if g.Ver == v1 {
		return scopeRequest{Resource: g.Scope, Default: true}, nil
	}
	return parseScope(g.Scope)
}

func (s *Service) pendingDevice(userCode string) (*deviceGrant, error) {
	code, expires, ok := s.userCodes.get(strings.ToUpper(strings.TrimSpace(userCode)))
	now := s.cfg.Clock.Now()
	if !ok || !now.Before(expires) {
		return nil, ErrUnknownUserCode
	}
	g, _, ok := s.devices.get(code)
	if !ok || g.State != devicePending {
		return nil, ErrUnknownUserCode
	}
	return g, nil
}

func (s *Service) setDeviceState(userCode string, st deviceState, userID string) error {
	code, _, ok := s.userCodes.get(strings.ToUpper(strings.TrimSpace(userCode)))
	if !ok {
		return ErrUnknownUserCode
	}
	changed := false
	s.devices.update(code, func(g *deviceGrant) (*deviceGrant, bool) {
		if g.State == devicePending {
			n := *g
			n.State, n.UserID, changed = st, userID, true
			return &n, true
		}
		return g, true
	})
	s.userCodes.delete(strings.ToUpper(strings.TrimSpace(userCode)))
	if !changed {
		return ErrUnknownUserCode
	}
	return nil
}
