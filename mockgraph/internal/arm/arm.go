// Package arm is the mock's Azure Resource Manager subset: tenants and subscriptions, the DICOM
// service resource, and Microsoft.Authorization role assignments and role definitions.
package arm

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/clock"
	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
	"github.com/dicomreg/dicomreg/mockgraph/internal/rng"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// Config is what the ARM surface needs from the server that hosts it.
type Config struct {
	Store *tenant.Store
	Keys  *keys.Keys
	Clock clock.Clock
	Rand  *rng.Source
	// RoleEffective says whether a role assignment counts in ARM's own access checks yet (RBAC
	// propagation); nil: at once.
	RoleEffective func(*tenant.RoleAssignment) bool
}

// API serves ARM.
type API struct {
	cfg    Config
	budget *budgets
}

// New returns the ARM surface.
func New(cfg Config) *API { return &API{cfg: cfg, budget: newBudgets(cfg.Clock)} }

// Audiences ARM accepts: the Azure CLI asks for the legacy one, SDKs for the new one.
var audiences = []string{
	tenant.ARMResource, tenant.ARMResource + "/", tenant.ARMResourceLegacy, strings.TrimSuffix(tenant.ARMResourceLegacy, "/"),
}

const (
	authorizationProvider = "/providers/Microsoft.Authorization/"
	roleAssignmentsKind   = "roleAssignments"
	roleDefinitionsKind   = "roleDefinitions"
)

var apiVersionShape = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(-preview)?$`)

// Register adds the ARM routes (/subscriptions…, /tenants, /providers…) to r.
func (a *API) Register(r *mux.Router) {
	r.PathPrefix("/tenants").Handler(a.guard(a.serveTenants))
	r.PathPrefix("/subscriptions").Handler(a.guard(a.serveSubscriptions))
	r.PathPrefix("/providers/").Handler(a.guard(a.serveSubscriptions))
}

// caller is who a request acts as.
type caller struct {
	oid    string
	claims map[string]any
}

// guard checks api-version and the bearer token before a handler runs.
func (a *API) guard(next func(http.ResponseWriter, *http.Request, caller)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := r.URL.Query().Get("api-version")
		if v == "" {
			armError(w, http.StatusBadRequest, codeMissingAPIVersion, "The api-version query parameter (?api-version=) is required for all requests.")
			return
		}
		if !checkAPIVersion(w, r, v) {
			return
		}
		c, ok := a.authenticate(w, r)
		if !ok {
			return
		}
		tid, _ := c.claims["tid"].(string)
		if !a.budget.spend(w, r, SubscriptionInPath(r.URL.Path), tid, c.oid) {
			return
		}
		next(w, r, c)
	})
}

func (a *API) authenticate(w http.ResponseWriter, r *http.Request) (caller, bool) {
	tok, ok := httpx.BearerToken(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="`+httpx.BaseURL(r)+`/", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."`)
		armError(w, http.StatusUnauthorized, codeAuthenticationFailed, "Authentication failed. The 'Authorization' header is missing.")
		return caller{}, false
	}
	var tid string
	_ = a.cfg.Store.View(func(d *tenant.Directory) error { tid = d.TenantID; return nil })
	claims, err := a.cfg.Keys.Validate(tok, keys.Expect{
		Audiences: audiences, Issuers: []string{"https://sts.windows.net/" + tid + "/"}, Now: a.cfg.Clock.Now(),
	})
	if err != nil {
		code, msg := codeInvalidToken, "The access token is invalid."
		var ite *keys.InvalidTokenError
		if errors.As(err, &ite) {
			switch ite.Reason {
			case keys.ReasonExpired:
				code, msg = codeExpiredToken, "The access token expiry UTC time is earlier than current UTC time."
			case keys.ReasonAudience:
				code, msg = codeInvalidAudience, "The access token has been obtained for wrong audience or resource. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'."
			case keys.ReasonIssuer:
				msg = "The access token is from the wrong issuer. It must match the tenant associated with this subscription."
			}
		}
		w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="`+httpx.BaseURL(r)+`/`+tid+`", error="invalid_token", error_description="`+msg+`"`)
		armError(w, http.StatusUnauthorized, code, "%s", msg)
		return caller{}, false
	}
	oid, _ := claims["oid"].(string)
	return caller{oid: oid, claims: claims}, true
}
