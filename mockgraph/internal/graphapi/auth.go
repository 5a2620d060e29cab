package graphapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// graphAudiences are the aud values Graph accepts: its resource URI, the same with a trailing
// slash (what a v1 token for the resource "https://graph.microsoft.com/" carries), and its appId.
var graphAudiences = []string{tenant.GraphResource, tenant.GraphResource + "/", tenant.GraphAppID}

// caller is who a validated token speaks for.
type caller struct {
	appOnly bool            // roles claim, no scp
	perms   map[string]bool // app role values (app-only) or delegated scope values
	oid     string
	appID   string
}

type callerKey struct{}

func callerOf(r *http.Request) *caller {
	c, _ := r.Context().Value(callerKey{}).(*caller)
	return c
}

// permission lists what grants an operation: any one of the app roles for app-only tokens, any
// one of the delegated scopes for user tokens (the permissions tables of Graph's API pages).
type permission struct {
	roles  []string
	scopes []string
}

var (
	permAppRead = permission{
		roles:  []string{"Application.Read.All", "Application.ReadWrite.All", "Application.ReadWrite.OwnedBy", "Directory.Read.All", "Directory.ReadWrite.All"},
		scopes: []string{"Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"},
	}
	permAppWrite = permission{
		roles:  []string{"Application.ReadWrite.All"},
		scopes: []string{"Application.ReadWrite.All", "Directory.AccessAsUser.All"},
	}
	permGrantRead = permission{
		roles:  []string{"DelegatedPermissionGrant.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"},
		scopes: []string{"DelegatedPermissionGrant.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"},
	}
	permGrantWrite = permission{
		roles:  []string{"DelegatedPermissionGrant.ReadWrite.All"},
		scopes: []string{"DelegatedPermissionGrant.ReadWrite.All", "Directory.AccessAsUser.All"},
	}
	permAssignRead = permission{
		roles:  []string{"AppRoleAssignment.ReadWrite.All", "Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"},
		scopes: []string{"AppRoleAssignment.ReadWrite.All", "Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"},
	}
	permAssignWrite = permission{
		roles:  []string{"AppRoleAssignment.ReadWrite.All"},
		scopes: []string{"AppRoleAssignment.ReadWrite.All", "Directory.AccessAsUser.All"},
	}
	permOrgRead = permission{
		roles:  []string{"Organization.Read.All", "Directory.Read.All", "Directory.ReadWrite.All", "Application.Read.All", "Application.ReadWrite.All"},
		scopes: []string{"User.Read", "Organization.Read.All", "Directory.Read.All", "Directory.AccessAsUser.All"},
	}
)

// require answers 403 unless the caller holds one of p's permissions.
func require(r *http.Request, p permission) error {
	c := callerOf(r)
	if c == nil {
		return denied()
	}
	want := p.scopes
	if c.appOnly {
		want = p.roles
	}
	for _, v := range want {
		if c.perms[v] {
			return nil
		}
	}
	return denied()
}

// authenticate validates the bearer token as Graph does and records the caller; failures are 401
// InvalidAuthenticationToken with a WWW-Authenticate challenge naming the authority.
func (a *API) authenticate(r *http.Request) (*http.Request, error) {
	tok, ok := httpx.BearerToken(r)
	if !ok {
		return nil, newErr(http.StatusUnauthorized, codeInvalidToken, msgTokenEmpty)
	}
	var tid string
	_ = a.cfg.Store.View(func(d *tenant.Directory) error {
		tid = d.TenantID
		return nil
	})
	claims, err := a.cfg.Keys.Validate(tok, keys.Expect{
		Audiences: graphAudiences,
		Issuers:   []string{"https://sts.windows.net/" + tid + "/"},
		Now:       a.cfg.Clock.Now(),
	})
	if err != nil {
		var ite *keys.InvalidTokenError
		msg := msgTokenFailure
		if errors.As(err, &ite) {
			switch ite.Reason {
			case keys.ReasonExpired, keys.ReasonNotYet:
				msg = msgTokenExpired
			case keys.ReasonAudience:
				msg = msgTokenAud
			case keys.ReasonMalformed:
				msg = "IDX14100: JWT is not well formed, there are no dots (.)."
				if strings.Count(tok, ".") == 2 {
					msg = msgTokenFailure
				}
			}
		}
		return nil, newErr(http.StatusUnauthorized, codeInvalidToken, "%s", msg)
	}
	c := &caller{perms: map[string]bool{}}
	c.oid, _ = claims["oid"].(string)
	c.appID, _ = claims["appid"].(string)
	if scp, ok := claims["scp"].(string); ok && scp != "" {
		for _, s := range strings.Fields(scp) {
			c.perms[s] = true
		}
	} else {
		c.appOnly = true
		roles, _ := claims["roles"].([]any)
		for _, v := range roles {
			if s, ok := v.(string); ok {
				c.perms[s] = true
			}
		}
	}
	return r.WithContext(context.WithValue(r.Context(), callerKey{}, c)), nil
}

// challenge is the WWW-Authenticate value Graph sends with a 401.
func challenge(r *http.Request) string {
	return `Bearer realm="", authorization_uri="` + httpx.BaseURL(r) + `/common/oauth2/authorize", client_id="` + tenant.GraphAppID + `"`
}
