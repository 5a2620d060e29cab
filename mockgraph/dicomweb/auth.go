package dicomweb

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/dicomreg/dicomreg/mockgraph/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/keys"
	"github.com/dicomreg/dicomreg/mockgraph/tenant"
)

// Data actions of the DICOM data roles (role-based-access-control/built-in-roles).
const (
	actionAll  = "Microsoft.HealthcareApis/workspaces/dicomservices/resources/*"
	actionRead = "Microsoft.HealthcareApis/workspaces/dicomservices/resources/read"
)

// principal is the caller a valid token names.
type principal struct {
	oid   string
	appID string
}

// authenticate validates the bearer token as the DICOM service does: RS256 by our key, audience
// exactly https://dicom.healthcareapis.azure.com, issued by this tenant, within its lifetime.
func (a *API) authenticate(w http.ResponseWriter, r *http.Request) (principal, bool) {
	var tid string
	_ = a.cfg.Store.View(func(d *tenant.Directory) error { tid = d.TenantID; return nil })
	challenge := fmt.Sprintf(`Bearer authorization_uri="%s/%s", resource_id="%s", realm="%s"`, httpx.BaseURL(r), tid, tenant.DICOMResource, tenant.DICOMResource)
	tok, ok := httpx.BearerToken(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", challenge)
		writeError(w, http.StatusUnauthorized, "Authentication failed: no bearer token in the Authorization header.")
		return principal{}, false
	}
	claims, err := a.cfg.Keys.Validate(tok, keys.Expect{
		Audiences: []string{tenant.DICOMResource},
		Issuers:   []string{"https://sts.windows.net/" + tid + "/"},
		Now:       a.cfg.Clock.Now(),
	})
	if err != nil {
		detail := err.Error()
		var ite *keys.InvalidTokenError
		if errors.As(err, &ite) {
			detail = ite.Reason + ": " + ite.Detail
		}
		w.Header().Set("WWW-Authenticate", challenge+`, error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "Authentication failed: the token is not valid for this DICOM service (%s).", detail)
		return principal{}, false
	}
	oid, _ := claims["oid"].(string)
	appID, _ := claims["appid"].(string)
	return principal{oid: oid, appID: appID}, true
}

// authorize checks the caller's DICOM data role on the service for what the request does.
func (a *API) authorize(w http.ResponseWriter, r *http.Request, req *request) bool {
	write := r.Method == http.MethodPost || r.Method == http.MethodDelete || r.Method == http.MethodPut
	var actions []string
	_ = a.cfg.Store.View(func(d *tenant.Directory) error {
		for _, id := range a.roles(d, req.caller.oid, req.service.ResourceID()) {
			if def, ok := tenant.BuiltInRoles[strings.ToLower(id)]; ok {
				actions = append(actions, def.DataActions...)
			}
		}
		return nil
	})
	for _, act := range actions {
		if act == actionAll || (!write && act == actionRead) {
			return true
		}
	}
	need := "DICOM Data Reader or DICOM Data Owner"
	if write {
		need = "DICOM Data Owner"
	}
	writeError(w, http.StatusForbidden, "Authorization failed: principal %s has no data role that allows this on %s (needs %s).", req.caller.oid, req.service.ResourceID(), need)
	return false
}

func (a *API) roles(d *tenant.Directory, principal, scope string) []string {
	if a.cfg.Roles != nil {
		return a.cfg.Roles(d, principal, scope)
	}
	return d.EffectiveRoles(principal, scope)
}

// writeError answers with the DICOM service's plain JSON error shape.
func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	httpx.WriteJSON(w, status, map[string]any{"error": map[string]any{"code": http.StatusText(status), "message": fmt.Sprintf(format, args...)}})
}
