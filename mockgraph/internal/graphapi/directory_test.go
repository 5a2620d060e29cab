package graphapi

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

func TestServicePrincipals(t *testing.T) {
	e := newEnv(t)
	app := e.createApp("api", map[string]any{"identifierUris": []string{"api://dicomreg-test"},
		"appRoles": []any{map[string]any{"id": "6f2b6a1e-3c55-4f1e-9a4b-7d1c2a3b4c5d", "value": "Data.Read", "displayName": "Read",
			"description": "Read", "isEnabled": true, "allowedMemberTypes": []string{"Application"}}}})
	sp := e.call(http.MethodPost, "/v1.0/servicePrincipals", map[string]any{"@odata.type": "#microsoft.graph.servicePrincipal", "appId": app.str("appId")}).must(t, http.StatusCreated)
	names, _ := sp.body["servicePrincipalNames"].([]any)
	if len(names) != 2 || names[0] != app.str("appId") || names[1] != "api://dicomreg-test" || sp.str("displayName") != "api" ||
		sp.body["accountEnabled"] != true || len(sp.body["appRoles"].([]any)) != 1 {
		t.Fatalf("service principal: %s", sp.raw)
	}
	filters := map[string]int{
		"appId eq '" + app.str("appId") + "'":                                1,
		"servicePrincipalNames/any(c:c eq 'api://dicomreg-test')":            1,
		"servicePrincipalNames/any(c:c eq '" + tenant.DICOMResource + "/')":  1,
		"servicePrincipalNames/any(c:c eq 'https://nowhere')":                0,
		"servicePrincipalType eq 'ManagedIdentity'":                          2,
		"startswith(displayName,'Azure API')":                                1,
		"id eq '" + sp.str("id") + "' and displayName eq 'nope'":             0,
		"appId in ('" + app.str("appId") + "', '" + tenant.GraphAppID + "')": 2,
		"accountEnabled eq true and not (displayName eq 'api')":              7, // 5 seeded principals + 2 managed identities
	}
	for f, want := range filters {
		res := e.call(http.MethodGet, "/v1.0/servicePrincipals?$count=true&$filter="+url.QueryEscape(f), nil, "ConsistencyLevel", "eventual").must(t, http.StatusOK)
		if got := len(res.values()); got != want {
			t.Errorf("$filter=%s: %d results, want %d", f, got, want)
		}
	}
	// Application permission: the admin grants the new API's app role to itself (admin consent).
	assign := map[string]any{"principalId": e.seed.AdminSPID, "resourceId": sp.str("id"), "appRoleId": "6f2b6a1e-3c55-4f1e-9a4b-7d1c2a3b4c5d"}
	x := e.call(http.MethodPost, "/v1.0/servicePrincipals/"+sp.str("id")+"/appRoleAssignedTo", assign).must(t, http.StatusCreated)
	if x.str("principalType") != "ServicePrincipal" || x.str("resourceDisplayName") != "api" {
		t.Errorf("assignment: %s", x.raw)
	}
	_ = e.store.View(func(d *tenant.Directory) error {
		if got := d.AssignedRoles(e.seed.AdminSPID, sp.str("id")); len(got) != 1 || got[0] != "Data.Read" {
			t.Errorf("assigned roles %v", got)
		}
		return nil
	})
	if n := len(e.call(http.MethodGet, "/v1.0/servicePrincipals/"+e.seed.AdminSPID+"/appRoleAssignments", nil).must(t, http.StatusOK).values()); n != 5 {
		t.Errorf("admin holds %d app roles, want 5 (4 seeded + 1)", n)
	}
	if n := len(e.call(http.MethodGet, "/v1.0/servicePrincipals(appId='"+app.str("appId")+"')/appRoleAssignedTo", nil).must(t, http.StatusOK).values()); n != 1 {
		t.Errorf("the API has %d assignments, want 1", n)
	}
	e.call(http.MethodGet, "/v1.0/servicePrincipals/"+sp.str("id")+"/appRoleAssignedTo/"+x.str("id"), nil).must(t, http.StatusOK)
	e.call(http.MethodGet, "/v1.0/servicePrincipals/"+sp.str("id")+"/appRoleAssignments/"+x.str("id"), nil).must(t, http.StatusNotFound)
	e.call(http.MethodDelete, "/v1.0/servicePrincipals/"+sp.str("id")+"/appRoleAssignedTo/"+x.str("id"), nil).must(t, http.StatusNoContent)
	e.call(http.MethodDelete, "/v1.0/servicePrincipals/"+sp.str("id"), nil).must(t, http.StatusNoContent)
	e.call(http.MethodGet, "/v1.0/servicePrincipals/"+sp.str("id"), nil).must(t, http.StatusNotFound)
}

func TestGrants(t *testing.T) {
	e := newEnv(t)
	app := e.createApp("client", nil)
	sp := e.call(http.MethodPost, "/v1.0/servicePrincipals", map[string]any{"appId": app.str("appId")}).must(t, http.StatusCreated)
	all := map[string]any{"clientId": sp.str("id"), "resourceId": e.seed.DICOMPrincipalID, "consentType": "AllPrincipals", "scope": " Dicom.ReadWrite "}
	g := e.call(http.MethodPost, "/v1.0/oauth2PermissionGrants", all).must(t, http.StatusCreated)
	if g.str("scope") != "Dicom.ReadWrite" || g.body["principalId"] != nil || len(g.str("id")) < 40 {
		t.Errorf("grant: %s", g.raw)
	}
	e.call(http.MethodPost, "/v1.0/oauth2PermissionGrants", all).must(t, http.StatusConflict)
	user := map[string]any{"clientId": sp.str("id"), "resourceId": e.seed.DICOMPrincipalID, "consentType": "Principal", "principalId": e.seed.TestUserID, "scope": "Dicom.ReadWrite"}
	e.call(http.MethodPost, "/v1.0/oauth2PermissionGrants", user).must(t, http.StatusCreated)
	e.call(http.MethodPost, "/v1.0/oauth2PermissionGrants", user).must(t, http.StatusConflict)

	filters := map[string]int{
		"clientId eq '" + sp.str("id") + "'":                                    2,
		"clientId eq '" + sp.str("id") + "' and consentType eq 'AllPrincipals'": 1,
		"resourceId eq '" + e.seed.DICOMPrincipalID + "'":                       2,
		"principalId eq '" + e.seed.TestUserID + "'":                            1,
		"principalId eq null and clientId eq '" + sp.str("id") + "'":            1,
	}
	for f, want := range filters {
		res := e.call(http.MethodGet, "/v1.0/oauth2PermissionGrants?$filter="+url.QueryEscape(f), nil).must(t, http.StatusOK)
		if got := len(res.values()); got != want {
			t.Errorf("$filter=%s: %d results, want %d", f, got, want)
		}
	}
	e.call(http.MethodPatch, "/v1.0/oauth2PermissionGrants/"+g.str("id"), map[string]any{"scope": "Dicom.ReadWrite  offline_access"}).must(t, http.StatusNoContent)
	if got := e.call(http.MethodGet, "/v1.0/oauth2PermissionGrants/"+g.str("id"), nil).must(t, http.StatusOK); got.str("scope") != "Dicom.ReadWrite offline_access" || got.str("clientId") != sp.str("id") {
		t.Errorf("after PATCH: %s", got.raw)
	}
	e.call(http.MethodPatch, "/v1.0/oauth2PermissionGrants/"+g.str("id"), map[string]any{"clientId": "x"}).must(t, http.StatusBadRequest)
	e.call(http.MethodDelete, "/v1.0/oauth2PermissionGrants/"+g.str("id"), nil).must(t, http.StatusNoContent)
	e.call(http.MethodGet, "/v1.0/oauth2PermissionGrants/"+g.str("id"), nil).must(t, http.StatusNotFound)
	// Deleting the application deletes its service principal and so its remaining grant.
	e.call(http.MethodDelete, "/v1.0/applications(appId='"+app.str("appId")+"')", nil).must(t, http.StatusNoContent)
	if n := len(e.call(http.MethodGet, "/v1.0/oauth2PermissionGrants?$filter=clientId eq '"+sp.str("id")+"'", nil).values()); n != 0 {
		t.Errorf("%d grants survive their client", n)
	}
}

func TestOrganization(t *testing.T) {
	e := newEnv(t)
	res := e.call(http.MethodGet, "/v1.0/organization", nil).must(t, http.StatusOK)
	orgs := res.values()
	if len(orgs) != 1 || orgs[0]["id"] != e.tid || res.str("@odata.context") != e.srv.URL+"/v1.0/$metadata#organization" {
		t.Fatalf("organization: %s", res.raw)
	}
	one := e.call(http.MethodGet, "/v1.0/organization/"+e.tid+"?$select=id,displayName", nil).must(t, http.StatusOK)
	if one.str("id") != e.tid || one.str("displayName") == "" || len(one.body) != 3 {
		t.Errorf("organization by id: %s", one.raw)
	}
}
