package arm

import (
	"net/http"
	"strings"
)

// apiVersions are the api-versions ARM accepts per resource type, newest first: the version
// folders of azure-rest-api-specs (specification/{resources,authorization,healthcareapis}/
// resource-manager). A version published after this table is refused; add it here.
var apiVersions = map[string][]string{
	typeSubscriptions: {"2022-12-01", "2021-01-01", "2020-01-01", "2019-11-01", "2019-06-01", "2018-06-01", "2016-06-01", "2015-01-01", "2014-04-01-preview", "2014-04-01"},
	typeTenants:       {"2022-12-01", "2021-01-01", "2020-01-01", "2019-11-01", "2019-06-01", "2018-06-01", "2016-06-01"},
	typeRoleAssignments: {"2022-04-01", "2022-01-01-preview", "2021-04-01-preview", "2020-10-01-preview", "2020-08-01-preview", "2020-04-01-preview",
		"2020-03-01-preview", "2018-09-01-preview", "2018-01-01-preview", "2017-10-01-preview", "2015-07-01"},
	typeRoleDefinitions: {"2022-05-01-preview", "2022-04-01", "2018-01-01-preview", "2015-07-01"},
	typeWorkspaces:      healthcareVersions,
	typeDICOMServices:   healthcareVersions,
}

// healthcareVersions are Microsoft.HealthcareApis's versions that know workspaces and DICOM services.
var healthcareVersions = []string{"2025-03-01-preview", "2024-03-31", "2024-03-01", "2023-12-01", "2023-11-01", "2023-09-06", "2023-02-28",
	"2022-12-01", "2022-10-01-preview", "2022-06-01", "2022-05-15", "2022-01-31-preview", "2021-06-01-preview"}

// Resource types as ARM names them.
const (
	typeSubscriptions   = "subscriptions"
	typeTenants         = "tenants"
	typeRoleAssignments = "Microsoft.Authorization/roleAssignments"
	typeRoleDefinitions = "Microsoft.Authorization/roleDefinitions"
	typeWorkspaces      = "Microsoft.HealthcareApis/workspaces"
	typeDICOMServices   = "Microsoft.HealthcareApis/workspaces/dicomservices"
)

// resourceTypeOf names the resource type a path addresses, or "" for one the table leaves to
// the shape check (resource groups and what the mock does not serve).
func resourceTypeOf(path string) string {
	p := strings.ToLower(strings.Trim(path, "/"))
	switch {
	case strings.Contains(p, "/providers/microsoft.authorization/roleassignments") || strings.HasPrefix(p, "providers/microsoft.authorization/roleassignments"):
		return typeRoleAssignments
	case strings.Contains(p, "/providers/microsoft.authorization/roledefinitions") || strings.HasPrefix(p, "providers/microsoft.authorization/roledefinitions"):
		return typeRoleDefinitions
	case strings.Contains(p, "/providers/microsoft.healthcareapis/workspaces/") && strings.Contains(p, "/dicomservices"):
		return typeDICOMServices
	case strings.Contains(p, "/providers/microsoft.healthcareapis/workspaces"):
		return typeWorkspaces
	case p == "tenants":
		return typeTenants
	case p == "subscriptions" || (strings.HasPrefix(p, "subscriptions/") && strings.Count(p, "/") == 1):
		return typeSubscriptions
	}
	return ""
}

// checkAPIVersion answers as ARM does for an api-version the resource type does not have:
// 400 InvalidApiVersionParameter listing the supported ones (FIDELITY.md: for a resource
// provider's types ARM may word it as NoRegisteredProviderFound instead).
func checkAPIVersion(w http.ResponseWriter, r *http.Request, v string) bool {
	supported, ok := apiVersions[resourceTypeOf(r.URL.Path)]
	if !ok {
		if apiVersionShape.MatchString(v) {
			return true
		}
		supported = apiVersions[typeSubscriptions]
	}
	for _, s := range supported {
		if strings.EqualFold(s, v) {
			return true
		}
	}
	armError(w, http.StatusBadRequest, codeInvalidAPIVersion, "The api-version '%s' is invalid. The supported versions are '%s'.", v, strings.Join(supported, ","))
	return false
}
