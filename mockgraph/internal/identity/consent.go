package identity

import (
	"net/http"
	"slices"
	"strings"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// Consent types of oauth2PermissionGrants.
const consentPrincipal = "Principal"

// grantConsent records what a user accepts on the consent prompt: a Principal
// oauth2PermissionGrant from the client to the resource for the scopes still missing. Like Entra,
// it creates the client's service principal when the app has none in the tenant yet.
func (s *Service) grantConsent(clientID string, sr scopeRequest, userID string) *oauthError {
	if s.ConsentPolicy() == AdminConsentOnly {
		return badRequest(errAccessDenied, codeAdminConsentRequired, "The grant requires admin permission.")
	}
	var out *oauthError
	err := s.cfg.Store.Update(func(d *tenant.Directory) error {
		cl, e := s.lookupClient(d, clientID)
		if e != nil {
			out = e
			return nil
		}
		dec, e := decideDelegated(d, cl, sr, userID)
		if e != nil {
			out = e
			return nil
		}
		missing := slices.DeleteFunc(slices.Clone(dec.Missing), func(v string) bool { return v == scopeDefault })
		if len(missing) == 0 {
			return nil
		}
		if cl.SP == nil {
			if cl.App == nil {
				out = consentRequired(cl)
				return nil
			}
			cl.SP = &tenant.ServicePrincipal{ID: s.cfg.Rand.GUID(), AppID: cl.App.AppID, DisplayName: cl.App.DisplayName, AccountEnabled: true,
				AppOwnerOrganizationID: d.TenantID, ServicePrincipalNames: []string{cl.App.AppID}, ServicePrincipalType: "Application",
				SignInAudience: cl.App.SignInAudience, CreatedDateTime: s.cfg.Clock.Now()}
			d.PutServicePrincipal(cl.SP)
		}
		for _, g := range d.Grants() {
			if g.ConsentType == consentPrincipal && g.PrincipalID != nil && strings.EqualFold(*g.PrincipalID, userID) &&
				strings.EqualFold(g.ClientID, cl.SP.ID) && strings.EqualFold(g.ResourceID, dec.Resource.SP.ID) {
				n := *g
				n.Scope = strings.Join(append(strings.Fields(g.Scope), missing...), " ")
				d.PutGrant(&n)
				return nil
			}
		}
		uid := userID
		d.PutGrant(&tenant.OAuth2PermissionGrant{ID: s.cfg.Rand.Token(32), ClientID: cl.SP.ID, ConsentType: consentPrincipal,
			PrincipalID: &uid, ResourceID: dec.Resource.SP.ID, Scope: strings.Join(missing, " ")})
		return nil
	})
	if out == nil && err != nil {
		out = newErr(http.StatusServiceUnavailable, "temporarily_unavailable", 0, "The consent could not be saved: %v", err)
	}
	return out
}

// clientName is the display name of a client app, or "" when unknown.
func (s *Service) clientName(clientID string) string {
	var name string
	_ = s.cfg.Store.View(func(d *tenant.Directory) error {
		if cl, e := s.lookupClient(d, clientID); e == nil {
			name = cl.DisplayName
		}
		return nil
	})
	return name
}
