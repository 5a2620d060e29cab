package arm

import (
	"net/http"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

func (a *API) tenantID() string {
	var tid string
	_ = a.cfg.Store.View(func(d *tenant.Directory) error { tid = d.TenantID; return nil })
	return tid
}

// serveTenants answers GET /tenants (what `az login` lists).
func (a *API) serveTenants(w http.ResponseWriter, r *http.Request, _ caller) {
	if r.Method != http.MethodGet || strings.Trim(r.URL.Path, "/") != "tenants" {
		armError(w, http.StatusNotFound, codeResourceNotFound, "The resource '%s' was not found.", r.URL.Path)
		return
	}
	_ = a.cfg.Store.View(func(d *tenant.Directory) error {
		var domains []string
		def := ""
		for _, v := range d.Organization.VerifiedDomains {
			domains = append(domains, v.Name)
			if v.IsDefault {
				def = v.Name
			}
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"value": []any{map[string]any{
			"id": "/tenants/" + d.TenantID, "tenantId": d.TenantID, "countryCode": "US", "displayName": d.Organization.DisplayName,
			"domains": domains, "tenantCategory": "Home", "defaultDomain": def, "tenantType": "AAD",
		}}})
		return nil
	})
}

func subscriptionJSON(tid string, s *tenant.Subscription) map[string]any {
	return map[string]any{
		"id": "/subscriptions/" + s.ID, "authorizationSource": "RoleBased", "managedByTenants": []any{},
		"subscriptionId": s.ID, "tenantId": tid, "displayName": s.DisplayName, "state": s.State,
		"subscriptionPolicies": map[string]string{"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"},
	}
}

// serveSubscriptions routes everything under /subscriptions (and /providers): subscriptions,
// the DICOM service resource, and Microsoft.Authorization at any scope.
func (a *API) serveSubscriptions(w http.ResponseWriter, r *http.Request, c caller) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	// ARM checks the subscription segment's shape before it looks anything up, for every route
	// below /subscriptions/{id}: a name or a placeholder is malformed, not a missing subscription.
	if sub, ok := subscriptionSegment(path); ok && !guidShape.MatchString(sub) {
		armError(w, http.StatusBadRequest, codeInvalidSubscriptionID, "The provided subscription identifier '%s' is malformed or invalid.", sub)
		return
	}
	if i := strings.Index(strings.ToLower(path), strings.ToLower(authorizationProvider)); i >= 0 {
		scope, rest := path[:i], path[i+len(authorizationProvider):]
		kind, name, _ := strings.Cut(rest, "/")
		switch {
		case strings.EqualFold(kind, roleAssignmentsKind):
			a.serveRoleAssignments(w, r, c, scope, name)
		case strings.EqualFold(kind, roleDefinitionsKind):
			a.serveRoleDefinitions(w, r, scope, name)
		default:
			armError(w, http.StatusBadRequest, "InvalidResourceType", "The resource type '%s' could not be found in the namespace 'Microsoft.Authorization'.", kind)
		}
		return
	}
	if r.Method != http.MethodGet {
		armError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The requested resource does not support http method '%s'.", r.Method)
		return
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	switch {
	case len(parts) == 1 && parts[0] == "subscriptions":
		a.listSubscriptions(w, c)
	case len(parts) == 2 && parts[0] == "subscriptions":
		a.getSubscription(w, c, parts[1])
	case len(parts) >= 8 && strings.EqualFold(parts[4], "providers") && strings.EqualFold(parts[5], "Microsoft.HealthcareApis") &&
		strings.EqualFold(parts[6], "workspaces") && (len(parts) == 9 || len(parts) == 10) && strings.EqualFold(parts[8], "dicomservices"):
		a.serveDicomServices(w, r, c, parts)
	default:
		armError(w, http.StatusNotFound, codeResourceNotFound, "The resource '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", path)
	}
}

func (a *API) listSubscriptions(w http.ResponseWriter, c caller) {
	_ = a.cfg.Store.View(func(d *tenant.Directory) error {
		value := []any{}
		for _, s := range d.Subscriptions() {
			// A principal sees the subscriptions it holds some role in, at or below them.
			for _, ra := range d.RoleAssignments() {
				if strings.EqualFold(ra.PrincipalID, c.oid) && within(ra.Scope, "/subscriptions/"+s.ID) {
					value = append(value, subscriptionJSON(d.TenantID, s))
					break
				}
			}
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"value": value, "count": map[string]any{"type": "Total", "value": len(value)}})
		return nil
	})
}

func (a *API) getSubscription(w http.ResponseWriter, c caller, id string) {
	_ = a.cfg.Store.View(func(d *tenant.Directory) error {
		s := d.Subscription(id)
		if s == nil {
			subscriptionNotFound(id).answer(w)
			return nil
		}
		httpx.WriteJSON(w, http.StatusOK, subscriptionJSON(d.TenantID, s))
		return nil
	})
}

// serveDicomServices answers GET of one DICOM service or the list in a workspace.
func (a *API) serveDicomServices(w http.ResponseWriter, r *http.Request, c caller, parts []string) {
	_ = a.cfg.Store.View(func(d *tenant.Directory) error {
		scope := "/" + strings.Join(parts, "/")
		if _, serr := resolveScope(d, "/"+strings.Join(parts[:4], "/")); serr != nil {
			serr.answer(w)
			return nil
		}
		if !a.holds(d, c.oid, scope, readRoles) {
			armError(w, http.StatusForbidden, codeAuthorizationFailed, "The client '%s' with object id '%s' does not have authorization to perform action 'Microsoft.HealthcareApis/workspaces/dicomservices/read' over scope '%s' or the scope is invalid. If access was recently granted, please refresh your credentials.", c.oid, c.oid, scope)
			return nil
		}
		var found []any
		for _, s := range d.DicomServices() {
			if !strings.EqualFold(s.SubscriptionID, parts[1]) || !strings.EqualFold(s.ResourceGroup, parts[3]) || !strings.EqualFold(s.Workspace, parts[7]) {
				continue
			}
			if len(parts) == 10 && !strings.EqualFold(s.Name, parts[9]) {
				continue
			}
			found = append(found, a.dicomServiceJSON(r, d.TenantID, s))
		}
		switch {
		case len(parts) == 9:
			if found == nil {
				found = []any{}
			}
			httpx.WriteJSON(w, http.StatusOK, map[string]any{"value": found})
		case len(found) == 0:
			armError(w, http.StatusNotFound, codeResourceNotFound, "The Resource 'Microsoft.HealthcareApis/workspaces/%s/dicomservices/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", parts[7], parts[9], parts[3])
		default:
			httpx.WriteJSON(w, http.StatusOK, found[0])
		}
		return nil
	})
}

func (a *API) dicomServiceJSON(r *http.Request, tid string, s *tenant.DicomService) map[string]any {
	base := httpx.BaseURL(r)
	return map[string]any{
		"id": s.ResourceID(), "name": s.Workspace + "/" + s.Name, "type": "Microsoft.HealthcareApis/workspaces/dicomservices",
		"location": s.Location, "etag": `"00000000-0000-0000-0000-000000000001"`,
		"properties": map[string]any{
			"provisioningState": "Succeeded",
			"serviceUrl":        base + httpx.DICOMPrefix + s.HostName(),
			"authenticationConfiguration": map[string]any{
				"authority": base + "/" + tid,
				"audiences": []string{tenant.DICOMResource, "https://" + s.HostName() + ".dicom.azurehealthcareapis.com"},
			},
			"publicNetworkAccess": "Enabled",
			"corsConfiguration":   map[string]any{"origins": []string{}, "headers": []string{}, "methods": []string{}, "allowCredentials": false},
		},
		"systemData": map[string]any{"createdAt": s.CreatedAt.Format(time.RFC3339), "createdByType": "User", "lastModifiedAt": s.CreatedAt.Format(time.RFC3339)},
	}
}
