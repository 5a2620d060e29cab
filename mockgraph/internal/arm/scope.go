package arm

import (
	"net/http"
	"strings"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// scopeError says why a scope does not resolve, in ARM's words.
type scopeError struct {
	status  int
	code    string
	message string
}

// answer writes the error as ARM's error body.
func (e *scopeError) answer(w http.ResponseWriter) {
	armError(w, e.status, e.code, "%s", e.message)
}

// subscriptionNotFound is ARM's answer for a well-formed subscription id it does not know, on
// every route below /subscriptions/{id}.
func subscriptionNotFound(id string) *scopeError {
	return &scopeError{http.StatusNotFound, codeSubscriptionNotFound, "The subscription '" + id + "' could not be found."}
}

// resolveScope checks that an ARM scope exists in the directory and returns it in the directory's
// own spelling (ARM ids compare case-insensitively).
func resolveScope(d *tenant.Directory, scope string) (string, *scopeError) {
	scope = strings.TrimSuffix(scope, "/")
	parts := strings.Split(strings.TrimPrefix(scope, "/"), "/")
	if scope == "" {
		return "/", nil
	}
	if len(parts) < 2 || !strings.EqualFold(parts[0], "subscriptions") {
		return "", &scopeError{http.StatusBadRequest, codeInvalidRequest, "The scope '" + scope + "' is not valid."}
	}
	sub := d.Subscription(parts[1])
	if sub == nil {
		return "", subscriptionNotFound(parts[1])
	}
	canonical := "/subscriptions/" + sub.ID
	if len(parts) == 2 {
		return canonical, nil
	}
	if len(parts) < 4 || !strings.EqualFold(parts[2], "resourceGroups") {
		return "", &scopeError{http.StatusBadRequest, codeInvalidRequest, "The scope '" + scope + "' is not valid."}
	}
	var group string
	for _, s := range d.DicomServices() {
		if strings.EqualFold(s.SubscriptionID, sub.ID) && strings.EqualFold(s.ResourceGroup, parts[3]) {
			group = s.ResourceGroup
		}
	}
	if group == "" {
		return "", &scopeError{http.StatusNotFound, codeResourceGroupMissing, "Resource group '" + parts[3] + "' could not be found."}
	}
	canonical += "/resourceGroups/" + group
	if len(parts) == 4 {
		return canonical, nil
	}
	for _, s := range d.DicomServices() {
		id := s.ResourceID()
		workspace := strings.TrimSuffix(id, "/dicomservices/"+s.Name)
		switch {
		case strings.EqualFold(scope, id):
			return id, nil
		case strings.EqualFold(scope, workspace):
			return workspace, nil
		}
	}
	return "", &scopeError{http.StatusNotFound, codeResourceNotFound, "The Resource '" + strings.Join(parts[4:], "/") + "' under resource group '" + parts[3] + "' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"}
}

// within reports whether scope lies at or below parent.
func within(scope, parent string) bool {
	s, p := strings.ToLower(strings.TrimSuffix(scope, "/")), strings.ToLower(strings.TrimSuffix(parent, "/"))
	return p == "" || s == p || strings.HasPrefix(s, p+"/")
}

// subscriptionSegment is the segment after /subscriptions/ in a path or scope, and whether it
// has one.
func subscriptionSegment(path string) (string, bool) {
	parts := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 3)
	if len(parts) < 2 || !strings.EqualFold(parts[0], "subscriptions") {
		return "", false
	}
	return parts[1], true
}

// controlPlaneRoles are the built-in roles whose actions the mock checks.
var (
	writeRoles = []string{tenant.RoleDefOwner, tenant.RoleDefUserAccessAdministrator}
	readRoles  = []string{tenant.RoleDefOwner, tenant.RoleDefUserAccessAdministrator, tenant.RoleDefContributor, tenant.RoleDefReader}
)

// holds reports whether principal has one of roles at scope or above it.
func (a *API) holds(d *tenant.Directory, principal, scope string, roles []string) bool {
	for _, have := range d.EffectiveRolesWhere(principal, scope, a.cfg.RoleEffective) {
		for _, want := range roles {
			if strings.EqualFold(have, want) {
				return true
			}
		}
	}
	return false
}
