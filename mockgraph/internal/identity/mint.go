package identity

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// Lifetimes as Entra issues them: access tokens live a random 60–90 minutes, refresh tokens
// 90 days of inactivity, id_tokens one hour.
const (
	minTokenLifetime     = 60 * time.Minute
	tokenLifetimeJitter  = 30 * time.Minute
	idTokenLifetime      = time.Hour
	refreshTokenLifetime = 90 * 24 * time.Hour
	codeLifetime         = 10 * time.Minute
	tokenTypeBearer      = "Bearer"
)

// issue is everything one token answer needs, gathered under the store's read lock so signing
// can happen after it is released.
type issue struct {
	TenantID string
	Base     string
	Ver      endpointVersion // the endpoint's shape (answer fields, id_token version)
	Client   *client
	ACR      string
	Resource *resource
	User     *tenant.User // nil for app-only tokens
	Scopes   []string     // scp
	Roles    []string     // app-only roles
	OIDC     scopeRequest
	Nonce    string
	// ClientInfo asks for client_info (MSAL sends client_info=1).
	ClientInfo bool
	// Refresh is the grant a new refresh token continues; nil when none is issued.
	Refresh *refreshGrant
	// ManagedIdentityResource is the ARM id of a managed identity's resource (xms_mirid).
	ManagedIdentityResource string
}

// refreshGrant is what a refresh token stands for.
type refreshGrant struct {
	ClientID string
	UserID   string
	Public   bool
	Scope    string // the original scope (v2) or resource (v1) request
	Issued   time.Time
}

// mint signs the access token (and id_token) and builds the answer in the endpoint's shape.
func (s *Service) mint(in *issue) (map[string]any, error) {
	now := s.cfg.Clock.Now()
	lifetime := minTokenLifetime + time.Duration(s.cfg.Rand.Intn(int(tokenLifetimeJitter/time.Second)))*time.Second
	exp := now.Add(lifetime)
	at, err := s.cfg.Keys.Sign(s.accessClaims(in, now, exp))
	if err != nil {
		return nil, err
	}
	secs := int(lifetime / time.Second)
	out := map[string]any{"token_type": tokenTypeBearer, "access_token": at}
	if in.Ver == v1 {
		out["expires_in"] = strconv.Itoa(secs)
		out["ext_expires_in"] = strconv.Itoa(secs)
		out["expires_on"] = strconv.FormatInt(exp.Unix(), 10)
		out["not_before"] = strconv.FormatInt(now.Unix(), 10)
		out["resource"] = in.Resource.Display
		if in.User != nil {
			out["scope"] = strings.Join(in.Scopes, " ")
		}
	} else {
		out["expires_in"] = secs
		out["ext_expires_in"] = secs
		if in.User != nil {
			out["scope"] = grantedScopeString(in)
		}
	}
	if in.User == nil {
		return out, nil
	}
	if in.OIDC.has(scopeOpenID) || in.Ver == v1 {
		idt, err := s.cfg.Keys.Sign(s.idClaims(in, now))
		if err != nil {
			return nil, err
		}
		out["id_token"] = idt
	}
	if in.ClientInfo {
		ci, _ := json.Marshal(map[string]string{"uid": in.User.ID, "utid": in.TenantID})
		out["client_info"] = base64.RawURLEncoding.EncodeToString(ci)
	}
	if in.Refresh != nil && (in.OIDC.has(scopeOfflineAccess) || in.Ver == v1) {
		rt := "1.A" + s.cfg.Rand.Token(48)
		g := *in.Refresh
		g.Issued = now
		s.refresh.put(rt, &g, now.Add(refreshTokenLifetime), now)
		out["refresh_token"] = rt
	}
	return out, nil
}

// grantedScopeString is the v2 answer's scope: resource-qualified values (bare for Graph), the
// <resource>/.default that was asked for, and the OIDC scopes granted. Entra echoes a requested
// .default ("https://management.azure.com/user_impersonation https://management.azure.com/.default"),
// and MSAL counts a requested scope missing from the answer as declined and fails the sign-in.
func grantedScopeString(in *issue) string {
	var parts []string
	for _, v := range in.Scopes {
		if in.Resource.Graph {
			parts = append(parts, v)
		} else {
			parts = append(parts, in.Resource.Display+"/"+v)
		}
	}
	if in.OIDC.Default && in.OIDC.Resource != "" {
		parts = append(parts, in.OIDC.Resource+"/"+scopeDefault)
	}
	for _, o := range in.OIDC.OIDC {
		parts = append(parts, o)
	}
	return strings.Join(parts, " ")
}

// accessClaims shapes the access token by the resource's token version.
func (s *Service) accessClaims(in *issue, now, exp time.Time) map[string]any {
	c := map[string]any{
		"aud": in.Resource.Audience,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": exp.Unix(),
		"tid": in.TenantID,
		"uti": s.cfg.Rand.Token(16),
		"aio": s.cfg.Rand.Token(40),
		"rh":  "0.A" + s.cfg.Rand.Token(24),
	}
	if in.Resource.V2 {
		c["iss"], c["ver"], c["azp"], c["azpacr"] = issuerV2(in.Base, in.TenantID), "2.0", in.Client.AppID, in.ACR
	} else {
		c["iss"], c["ver"], c["appid"], c["appidacr"] = issuerV1(in.TenantID), "1.0", in.Client.AppID, in.ACR
	}
	if in.User == nil {
		oid := ""
		if in.Client.SP != nil {
			oid = in.Client.SP.ID
		}
		c["oid"], c["sub"], c["idtyp"] = oid, oid, "app"
		if !in.Resource.V2 {
			c["idp"] = issuerV1(in.TenantID)
		}
		if len(in.Roles) > 0 {
			c["roles"] = in.Roles
		}
		if in.ManagedIdentityResource != "" {
			c["xms_mirid"] = in.ManagedIdentityResource
		}
		return c
	}
	u := in.User
	c["oid"], c["sub"], c["name"] = u.ID, pairwiseSub(u.ID, in.Client.AppID), u.DisplayName
	c["scp"] = strings.Join(in.Scopes, " ")
	c["amr"] = []string{"pwd"}
	if u.GivenName != nil {
		c["given_name"] = *u.GivenName
	}
	if u.Surname != nil {
		c["family_name"] = *u.Surname
	}
	if in.Resource.V2 {
		c["preferred_username"] = u.UserPrincipalName
	} else {
		c["upn"], c["unique_name"], c["acr"] = u.UserPrincipalName, u.UserPrincipalName, "1"
	}
	return c
}

// idClaims is the id_token: v2 on the v2 endpoint, v1 on the v1 endpoint; aud is the client.
func (s *Service) idClaims(in *issue, now time.Time) map[string]any {
	u := in.User
	c := map[string]any{
		"aud": in.Client.AppID, "tid": in.TenantID, "oid": u.ID, "name": u.DisplayName,
		"sub": pairwiseSub(u.ID, in.Client.AppID),
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(idTokenLifetime).Unix(),
		"uti": s.cfg.Rand.Token(16),
	}
	if in.Nonce != "" {
		c["nonce"] = in.Nonce
	}
	if in.Ver == v1 {
		c["iss"], c["ver"], c["upn"], c["unique_name"] = issuerV1(in.TenantID), "1.0", u.UserPrincipalName, u.UserPrincipalName
		return c
	}
	c["iss"], c["ver"], c["preferred_username"] = issuerV2(in.Base, in.TenantID), "2.0", u.UserPrincipalName
	if in.OIDC.has(scopeEmail) && u.Mail != nil {
		c["email"] = *u.Mail
	}
	return c
}

// pairwiseSub is the user's subject as one app sees it: stable, and different for each app.
func pairwiseSub(userID, appID string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(userID) + "|" + strings.ToLower(appID)))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
