package arm

import (
	"net/http"
	"strings"
	"testing"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// Each resource type takes only its own api-versions, and ARM lists them when refusing one.
func TestAPIVersionTable(t *testing.T) {
	f := newFixture(t)
	admin := f.token(t, f.seeded.AdminSPID, nil)
	for _, tc := range []struct {
		path, version string
		want          int
		lists         string
	}{
		{"/subscriptions", "2022-12-01", 200, ""},
		{"/subscriptions", "2019-11-01", 200, ""}, // the Azure CLI's
		{"/subscriptions", "2024-03-31", 400, "2022-12-01,2021-01-01"},
		{"/tenants", "2022-04-01", 400, "2022-12-01"},
		{f.seeded.DicomServiceID, "2024-03-31", 200, ""},
		{f.seeded.DicomServiceID, "2022-04-01", 400, "2025-03-01-preview,2024-03-31"},
		{f.seeded.DicomServiceID + "/providers/Microsoft.Authorization/roleAssignments", "2022-04-01", 200, ""},
		{f.seeded.DicomServiceID + "/providers/Microsoft.Authorization/roleAssignments", "2022-12-01", 400, "2022-04-01,2022-01-01-preview"},
		{"/subscriptions/" + f.seeded.SubscriptionID + "/providers/Microsoft.Authorization/roleDefinitions", "2099-01-01", 400, "2022-05-01-preview,2022-04-01"},
	} {
		code, m, _ := f.do(t, http.MethodGet, tc.path+"?api-version="+tc.version, admin, "")
		if code != tc.want {
			t.Errorf("%s @%s: %d %v, want %d", tc.path, tc.version, code, m, tc.want)
			continue
		}
		if tc.want == 400 {
			msg, _ := m["error"].(map[string]any)["message"].(string)
			if errCode(m) != codeInvalidAPIVersion || !strings.Contains(msg, "The supported versions are '"+tc.lists) {
				t.Errorf("%s @%s: %v, want InvalidApiVersionParameter listing %s", tc.path, tc.version, m, tc.lists)
			}
		}
	}
}

func TestRoleAssignmentPrincipalTypeAndDefinitionID(t *testing.T) {
	f := newFixture(t)
	admin := f.token(t, f.seeded.AdminSPID, nil)
	defID := "/subscriptions/" + f.seeded.SubscriptionID + "/providers/Microsoft.Authorization/roleDefinitions/" + tenant.RoleDefDICOMDataReader
	put := func(name, def, principal, ptype string) (int, map[string]any) {
		body := `{"properties":{"roleDefinitionId":"` + def + `","principalId":"` + principal + `","principalType":"` + ptype + `"}}`
		code, m, _ := f.do(t, http.MethodPut, f.seeded.DicomServiceID+"/providers/Microsoft.Authorization/roleAssignments/"+name+v, admin, body)
		return code, m
	}
	code, m := put("3c1f6c55-6c8c-4a55-9d4b-3b7d1b3c9a11", defID, f.seeded.AdminSPID, "User")
	msg, _ := m["error"].(map[string]any)["message"].(string)
	if code != 400 || errCode(m) != codeUnmatchedPrincipalType || !strings.Contains(msg, "has type 'ServicePrincipal', which is different from specified PrincipalType 'User'") {
		t.Fatalf("a service principal named as a User: %d %v", code, m)
	}
	if code, m := put("4c1f6c55-6c8c-4a55-9d4b-3b7d1b3c9a11", tenant.RoleDefDICOMDataReader, f.seeded.TestUserID, "User"); code != 400 || errCode(m) != codeInvalidRoleDefinitionID {
		t.Fatalf("a bare GUID as roleDefinitionId: %d %v", code, m)
	}
	if code, m := put("5c1f6c55-6c8c-4a55-9d4b-3b7d1b3c9a11", "/providers/Microsoft.Authorization/roleDefinitions/"+tenant.RoleDefDICOMDataReader, f.seeded.TestUserID, "User"); code != 201 {
		t.Fatalf("a tenant-level roleDefinitionId: %d %v", code, m)
	}
	if code, m := put("6c1f6c55-6c8c-4a55-9d4b-3b7d1b3c9a11", defID, "9d0c1f21-0000-4000-8000-000000000000", "Robot"); code != 400 || errCode(m) != codeInvalidRequest {
		t.Fatalf("an unknown principalType: %d %v", code, m)
	}
}
