package identity

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// The App Service managed identity endpoint (app-service/overview-managed-identity.md, "Using
// the REST protocol"): GET IDENTITY_ENDPOINT?resource=…&api-version=2019-08-01 with the
// X-IDENTITY-HEADER the platform puts in IDENTITY_HEADER; client_id, principal_id (alias
// object_id) or mi_res_id pick a user-assigned identity, none the system-assigned one.
const (
	PathManagedIdentity     = "/msi/token"
	headerIdentity          = "X-IDENTITY-HEADER"
	managedIdentityAPI      = "2019-08-01"
	paramMIClientID         = "client_id"
	paramMIPrincipalID      = "principal_id"
	paramMIObjectID         = "object_id"
	paramMIResourceID       = "mi_res_id"
	paramMIResource         = "resource"
	paramMIAPIVersion       = "api-version"
	managedIdentityTokenVer = v1 // the answer has v1's fields (expires_on, resource, …)
)

// miError is the endpoint's error body. unverified: App Service's exact error shape and texts
// are not documented; this is {statusCode, message} as the platform's local token service answers.
func miError(w http.ResponseWriter, status int, msg string) {
	httpx.WriteJSON(w, status, map[string]any{"statusCode": status, "message": msg})
}

// HandleManagedIdentity serves the endpoint; identityHeader is the value of IDENTITY_HEADER.
func (s *Service) HandleManagedIdentity(identityHeader string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			miError(w, http.StatusMethodNotAllowed, "The token endpoint only accepts GET requests.")
			return
		}
		got := r.Header.Get(headerIdentity)
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(identityHeader)) != 1 {
			// The header exists to stop server-side request forgery: without it, no token.
			miError(w, http.StatusUnauthorized, "The request is missing the "+headerIdentity+" header or its value is wrong.")
			return
		}
		q := r.URL.Query()
		if v := q.Get(paramMIAPIVersion); v != managedIdentityAPI {
			miError(w, http.StatusBadRequest, "Unsupported api-version '"+sanitize(v)+"'; this endpoint serves "+managedIdentityAPI+".")
			return
		}
		resource := q.Get(paramMIResource)
		if resource == "" {
			miError(w, http.StatusBadRequest, "The 'resource' query parameter is required.")
			return
		}
		var ids []string
		for _, p := range []string{paramMIClientID, paramMIPrincipalID, paramMIObjectID, paramMIResourceID} {
			if q.Get(p) != "" {
				ids = append(ids, p)
			}
		}
		if len(ids) > 1 {
			miError(w, http.StatusBadRequest, "Only one of client_id, principal_id, object_id and mi_res_id may be given; the request has "+strings.Join(ids, ", ")+".")
			return
		}
		var in *issue
		var status int
		var msg string
		_ = s.cfg.Store.View(func(d *tenant.Directory) error {
			mi, ok := pickIdentity(d, q)
			if !ok {
				status, msg = http.StatusBadRequest, "No managed identity matches the request; the app has no such identity assigned."
				return nil
			}
			sp := d.ServicePrincipal(mi.PrincipalID)
			if sp == nil || !sp.AccountEnabled {
				status, msg = http.StatusBadRequest, "The managed identity's service principal is missing or disabled."
				return nil
			}
			res, e := resolveResource(d, strings.TrimSuffix(resource, "/.default"))
			if e != nil {
				status, msg = http.StatusBadRequest, e.Error()
				return nil
			}
			in = &issue{TenantID: d.TenantID, Base: httpx.BaseURL(r), Ver: managedIdentityTokenVer,
				Client: &client{AppID: sp.AppID, DisplayName: sp.DisplayName, SP: sp}, ACR: acrCertificate, Resource: res,
				Roles: d.AssignedRoles(sp.ID, res.SP.ID), ManagedIdentityResource: mi.ResourceID}
			return nil
		})
		if in == nil {
			miError(w, status, msg)
			return
		}
		out, err := s.mint(in)
		if err != nil {
			miError(w, http.StatusServiceUnavailable, "Token signing failed.")
			return
		}
		w.Header().Set("Cache-Control", "no-store, no-cache")
		httpx.WriteJSON(w, http.StatusOK, map[string]any{
			"access_token": out["access_token"], "expires_on": out["expires_on"], "not_before": out["not_before"],
			"resource": resource, "token_type": tokenTypeBearer, "client_id": in.Client.AppID,
		})
	}
}

// pickIdentity chooses the identity the query names; none named: the system-assigned one.
func pickIdentity(d *tenant.Directory, q map[string][]string) (tenant.ManagedIdentity, bool) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	for _, mi := range d.ManagedIdentities() {
		switch {
		case get(paramMIClientID) != "":
			if strings.EqualFold(mi.ClientID, get(paramMIClientID)) {
				return mi, true
			}
		case get(paramMIPrincipalID) != "" || get(paramMIObjectID) != "":
			if strings.EqualFold(mi.PrincipalID, get(paramMIPrincipalID)+get(paramMIObjectID)) {
				return mi, true
			}
		case get(paramMIResourceID) != "":
			if strings.EqualFold(mi.ResourceID, get(paramMIResourceID)) {
				return mi, true
			}
		case mi.System:
			return mi, true
		}
	}
	return tenant.ManagedIdentity{}, false
}
