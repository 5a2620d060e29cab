package arm

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/clock"
	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
	"github.com/dicomreg/dicomreg/mockgraph/internal/rng"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

type fixture struct {
	srv    *httptest.Server
	store  *tenant.Store
	seeded tenant.SeedResult
	tid    string
	clock  *clock.Adjustable
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	d := tenant.Seed(rng.New(4), tenant.SeedOptions{Now: now})
	f := &fixture{store: tenant.NewStore(d), seeded: d.Seeded, tid: d.TenantID, clock: clock.Frozen(now)}
	r := mux.NewRouter()
	New(Config{Store: f.store, Keys: keys.Shared(), Clock: f.clock, Rand: rng.New(5)}).Register(r)
	f.srv = httptest.NewTLSServer(r)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) token(t *testing.T, oid string, mut func(map[string]any)) string {
	t.Helper()
	now := f.clock.Now()
	c := map[string]any{"aud": "https://management.core.windows.net/", "iss": "https://sts.windows.net/" + f.tid + "/", "oid": oid, "tid": f.tid,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(), "ver": "1.0"}
	if mut != nil {
		mut(c)
	}
	tok, err := keys.Shared().Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (f *fixture) do(t *testing.T, method, path, token, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, m, resp.Header
}

func errCode(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

// api-versions each resource type accepts (apiversions.go).
const (
	v         = "?api-version=2022-04-01" // Microsoft.Authorization
	vSub      = "?api-version=2022-12-01" // subscriptions and tenants
	vDICOMSvc = "?api-version=2024-03-31" // Microsoft.HealthcareApis
)

func TestDicomServiceResourceFollowsHost(t *testing.T) {
	f := newFixture(t)
	code, body, _ := f.do(t, http.MethodGet, f.seeded.DicomServiceID+vDICOMSvc, f.token(t, f.seeded.AdminSPID, nil), "")
	if code != http.StatusOK {
		t.Fatalf("GET service: %d %v", code, body)
	}
	props := body["properties"].(map[string]any)
	if want := f.srv.URL + "/dicom/" + f.seeded.DicomServiceHost; props["serviceUrl"] != want {
		t.Fatalf("serviceUrl %v, want %s", props["serviceUrl"], want)
	}
	code, body, _ = f.do(t, http.MethodGet, strings.Replace(f.seeded.DicomServiceID, "mockdicom", "other", 1)+vDICOMSvc, f.token(t, f.seeded.AdminSPID, nil), "")
	if code != http.StatusNotFound || errCode(body) != codeResourceNotFound {
		t.Fatalf("missing service: %d %v", code, body)
	}
}

func TestRoleAssignmentLifecycle(t *testing.T) {
	f := newFixture(t)
	admin := f.token(t, f.seeded.AdminSPID, nil)
	scope := f.seeded.DicomServiceID
	put := func(name, principal, role, ptype string) (int, map[string]any) {
		body := `{"properties":{"roleDefinitionId":"/subscriptions/` + f.seeded.SubscriptionID + `/providers/Microsoft.Authorization/roleDefinitions/` + role + `","principalId":"` + principal + `","principalType":"` + ptype + `"}}`
		code, m, _ := f.do(t, http.MethodPut, scope+"/providers/Microsoft.Authorization/roleAssignments/"+name+v, admin, body)
		return code, m
	}
	name := "0b1f6c55-6c8c-4a55-9d4b-3b7d1b3c9a11"
	if code, m := put(name, f.seeded.TestUserID, tenant.RoleDefDICOMDataOwner, ""); code != http.StatusCreated || m["properties"].(map[string]any)["principalType"] != "User" {
		t.Fatalf("create: %d %v", code, m)
	}
	if code, m := put(name, f.seeded.TestUserID, tenant.RoleDefDICOMDataOwner, "User"); code != http.StatusCreated {
		t.Fatalf("idempotent re-put: %d %v", code, m)
	}
	if code, m := put("1b1f6c55-6c8c-4a55-9d4b-3b7d1b3c9a11", f.seeded.TestUserID, tenant.RoleDefDICOMDataOwner, ""); code != http.StatusConflict || errCode(m) != codeRoleAssignmentExists {
		t.Fatalf("duplicate under another name: %d %v", code, m)
	}
	if code, m := put("2b1f6c55-6c8c-4a55-9d4b-3b7d1b3c9a11", "9d0c1f21-0000-4000-8000-000000000000", tenant.RoleDefDICOMDataReader, ""); code != http.StatusBadRequest || errCode(m) != codePrincipalNotFound {
		t.Fatalf("unknown principal: %d %v", code, m)
	}
	if code, m := put("3b1f6c55-6c8c-4a55-9d4b-3b7d1b3c9a11", "9d0c1f21-0000-4000-8000-000000000000", tenant.RoleDefDICOMDataReader, "ServicePrincipal"); code != http.StatusCreated {
		t.Fatalf("unknown principal with principalType (replication lag path): %d %v", code, m)
	}
	if code, m := put("4b1f6c55-6c8c-4a55-9d4b-3b7d1b3c9a11", f.seeded.TestUserID, "00000000-0000-0000-0000-000000000000", ""); code != http.StatusBadRequest || errCode(m) != codeRoleDefinitionAbsent {
		t.Fatalf("unknown role: %d %v", code, m)
	}
	if code, m := put("not-a-guid", f.seeded.TestUserID, tenant.RoleDefDICOMDataOwner, ""); code != http.StatusBadRequest || errCode(m) != codeInvalidAssignmentID {
		t.Fatalf("bad name: %d %v", code, m)
	}
	code, m, _ := f.do(t, http.MethodGet, scope+"/providers/Microsoft.Authorization/roleAssignments"+v+"&$filter=principalId%20eq%20'"+f.seeded.TestUserID+"'", admin, "")
	if code != http.StatusOK || len(m["value"].([]any)) != 1 {
		t.Fatalf("list by principal: %d %v", code, m)
	}
	code, m, _ = f.do(t, http.MethodGet, scope+"/providers/Microsoft.Authorization/roleAssignments"+v+"&$filter=atScope()", admin, "")
	if code != http.StatusOK || len(m["value"].([]any)) != 3 { // the two made here and the admin's Owner above
		t.Fatalf("list atScope: %d %v", code, m)
	}
	if code, m, _ := f.do(t, http.MethodGet, scope+"/providers/Microsoft.Authorization/roleAssignments/"+name+v, admin, ""); code != http.StatusOK || m["name"] != name {
		t.Fatalf("get: %d %v", code, m)
	}
	if code, _, _ := f.do(t, http.MethodDelete, scope+"/providers/Microsoft.Authorization/roleAssignments/"+name+v, admin, ""); code != http.StatusOK {
		t.Fatalf("delete: %d", code)
	}
	if code, _, _ := f.do(t, http.MethodDelete, scope+"/providers/Microsoft.Authorization/roleAssignments/"+name+v, admin, ""); code != http.StatusNoContent {
		t.Fatalf("delete again: %d", code)
	}
	_ = f.store.View(func(d *tenant.Directory) error {
		if len(d.EffectiveRoles(f.seeded.TestUserID, scope)) != 0 {
			t.Fatal("deleted assignment still effective")
		}
		return nil
	})
}

func TestCallerWithoutOwnerIsRefused(t *testing.T) {
	f := newFixture(t)
	user := f.token(t, f.seeded.TestUserID, nil)
	body := `{"properties":{"roleDefinitionId":"/providers/Microsoft.Authorization/roleDefinitions/` + tenant.RoleDefDICOMDataOwner + `","principalId":"` + f.seeded.TestUserID + `"}}`
	code, m, _ := f.do(t, http.MethodPut, f.seeded.DicomServiceID+"/providers/Microsoft.Authorization/roleAssignments/5b1f6c55-6c8c-4a55-9d4b-3b7d1b3c9a11"+v, user, body)
	if code != http.StatusForbidden || errCode(m) != codeAuthorizationFailed || !strings.Contains(m["error"].(map[string]any)["message"].(string), actionRoleAssignmentsWrite) {
		t.Fatalf("%d %v", code, m)
	}
}

func TestAuthenticationAndAPIVersion(t *testing.T) {
	f := newFixture(t)
	admin := f.seeded.AdminSPID
	cases := []struct {
		name, path, token, code string
		status                  int
	}{
		{"no api-version", "/subscriptions", f.token(t, admin, nil), codeMissingAPIVersion, 400},
		{"bad api-version", "/subscriptions?api-version=latest", f.token(t, admin, nil), codeInvalidAPIVersion, 400},
		{"no token", "/subscriptions" + vSub, "", codeAuthenticationFailed, 401},
		{"expired", "/subscriptions" + vSub, f.token(t, admin, func(c map[string]any) { c["exp"] = f.clock.Now().Add(-time.Hour).Unix() }), codeExpiredToken, 401},
		{"graph audience", "/subscriptions" + vSub, f.token(t, admin, func(c map[string]any) { c["aud"] = "https://graph.microsoft.com" }), codeInvalidAudience, 401},
		{"other tenant", "/subscriptions" + vSub, f.token(t, admin, func(c map[string]any) { c["iss"] = "https://sts.windows.net/other/" }), codeInvalidToken, 401},
		{"garbage", "/subscriptions" + vSub, "not.a.jwt", codeInvalidToken, 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, m, h := f.do(t, http.MethodGet, tc.path, tc.token, "")
			if code != tc.status || errCode(m) != tc.code {
				t.Fatalf("%d %v, want %d %s", code, m, tc.status, tc.code)
			}
			if code == 401 && !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer ") {
				t.Fatalf("401 without WWW-Authenticate: %v", h)
			}
		})
	}
}

func TestSubscriptionsTenantsAndRoleDefinitions(t *testing.T) {
	f := newFixture(t)
	admin := f.token(t, f.seeded.AdminSPID, nil)
	if code, m, _ := f.do(t, http.MethodGet, "/subscriptions"+vSub, admin, ""); code != 200 || len(m["value"].([]any)) != 1 {
		t.Fatalf("admin subscriptions: %d %v", code, m)
	}
	if code, m, _ := f.do(t, http.MethodGet, "/subscriptions"+vSub, f.token(t, f.seeded.TestUserID, nil), ""); code != 200 || len(m["value"].([]any)) != 0 {
		t.Fatalf("user without roles sees subscriptions: %d %v", code, m)
	}
	if code, m, _ := f.do(t, http.MethodGet, "/tenants"+vSub, admin, ""); code != 200 || m["value"].([]any)[0].(map[string]any)["tenantId"] != f.tid {
		t.Fatalf("tenants: %d %v", code, m)
	}
	code, m, _ := f.do(t, http.MethodGet, "/subscriptions/"+f.seeded.SubscriptionID+"/providers/Microsoft.Authorization/roleDefinitions"+v+"&$filter=roleName%20eq%20'DICOM%20Data%20Owner'", admin, "")
	if code != 200 || len(m["value"].([]any)) != 1 || m["value"].([]any)[0].(map[string]any)["name"] != tenant.RoleDefDICOMDataOwner {
		t.Fatalf("role definition by name: %d %v", code, m)
	}
}

func FuzzAssignmentFilterAndScope(f *testing.F) {
	f.Add("atScope() and principalId eq 'x'", "/subscriptions/s/resourceGroups/rg")
	f.Add("assignedTo('y')", "/")
	d := tenant.Seed(rng.New(1), tenant.SeedOptions{})
	f.Fuzz(func(t *testing.T, filter, scope string) {
		_, _ = parseAssignmentFilter(filter)
		_, _ = resolveScope(d, scope)
	})
}

// A subscription segment that is not a GUID is malformed on every route below /subscriptions/{id}:
// 400 InvalidSubscriptionId, before any lookup and without storing anything; a GUID ARM does not
// know stays 404 SubscriptionNotFound.
func TestNonGUIDSubscriptionIsInvalidSubscriptionID(t *testing.T) {
	f := newFixture(t)
	admin := f.token(t, f.seeded.AdminSPID, nil)
	bad := "/subscriptions/not-a-guid"
	service := bad + strings.TrimPrefix(f.seeded.DicomServiceID, "/subscriptions/"+f.seeded.SubscriptionID)
	assignment := "/providers/Microsoft.Authorization/roleAssignments/6b1f6c55-6c8c-4a55-9d4b-3b7d1b3c9a11" + v
	body := `{"properties":{"roleDefinitionId":"/providers/Microsoft.Authorization/roleDefinitions/` + tenant.RoleDefDICOMDataOwner + `","principalId":"` + f.seeded.TestUserID + `","principalType":"User"}}`
	before := countAssignments(t, f)
	cases := []struct{ name, method, path, body string }{
		{"subscription", http.MethodGet, bad + vSub, ""},
		{"role assignments at the subscription", http.MethodGet, bad + "/providers/Microsoft.Authorization/roleAssignments" + v, ""},
		{"role assignment put", http.MethodPut, service + assignment, body},
		{"role assignment get", http.MethodGet, service + assignment, ""},
		{"role assignment delete", http.MethodDelete, service + assignment, ""},
		{"role definitions", http.MethodGet, bad + "/providers/Microsoft.Authorization/roleDefinitions" + v, ""},
		{"role definition", http.MethodGet, bad + "/providers/Microsoft.Authorization/roleDefinitions/" + tenant.RoleDefDICOMDataOwner + v, ""},
		{"dicom service", http.MethodGet, service + vDICOMSvc, ""},
		{"dicom services in a workspace", http.MethodGet, service[:strings.LastIndex(service, "/")] + vDICOMSvc, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, m, _ := f.do(t, tc.method, tc.path, admin, tc.body)
			if code != http.StatusBadRequest || errCode(m) != codeInvalidSubscriptionID {
				t.Fatalf("%d %v, want 400 %s", code, m, codeInvalidSubscriptionID)
			}
			if msg := m["error"].(map[string]any)["message"]; msg != "The provided subscription identifier 'not-a-guid' is malformed or invalid." {
				t.Fatalf("message %q", msg)
			}
		})
	}
	if after := countAssignments(t, f); after != before {
		t.Errorf("role assignments %d, were %d", after, before)
	}
	unknown := "/subscriptions/7c3f0e3a-0000-4000-8000-000000000000"
	if code, m, _ := f.do(t, http.MethodGet, unknown+vSub, admin, ""); code != http.StatusNotFound || errCode(m) != codeSubscriptionNotFound {
		t.Errorf("unknown GUID subscription: %d %v", code, m)
	}
	if code, m, _ := f.do(t, http.MethodGet, unknown+"/providers/Microsoft.Authorization/roleAssignments"+v, admin, ""); code != http.StatusNotFound || errCode(m) != codeSubscriptionNotFound {
		t.Errorf("role assignments at an unknown GUID subscription: %d %v", code, m)
	}
}

// Role definitions under a well-formed subscription id ARM does not know are 404
// SubscriptionNotFound, listed, filtered or read by id, in the words of ARM's other routes; at
// the tenant root and under a subscription that exists they are answered.
func TestRoleDefinitionsUnderUnknownSubscription(t *testing.T) {
	f := newFixture(t)
	admin := f.token(t, f.seeded.AdminSPID, nil)
	const unknownID = "7c3f0e3a-0000-4000-8000-000000000000"
	definitions := "/providers/Microsoft.Authorization/roleDefinitions"
	for name, path := range map[string]string{
		"list":    "/subscriptions/" + unknownID + definitions + v,
		"by name": "/subscriptions/" + unknownID + definitions + v + "&$filter=roleName%20eq%20'DICOM%20Data%20Owner'",
		"by id":   "/subscriptions/" + unknownID + definitions + "/" + tenant.RoleDefDICOMDataOwner + v,
	} {
		code, m, _ := f.do(t, http.MethodGet, path, admin, "")
		if code != http.StatusNotFound || errCode(m) != codeSubscriptionNotFound {
			t.Errorf("%s: %d %v, want 404 %s", name, code, m, codeSubscriptionNotFound)
			continue
		}
		if msg := m["error"].(map[string]any)["message"]; msg != "The subscription '"+unknownID+"' could not be found." {
			t.Errorf("%s: message %q", name, msg)
		}
	}
	for name, path := range map[string]string{
		"tenant list":          definitions + v,
		"tenant by id":         definitions + "/" + tenant.RoleDefDICOMDataOwner + v,
		"known subscription":   "/subscriptions/" + f.seeded.SubscriptionID + definitions + "/" + tenant.RoleDefDICOMDataOwner + v,
		"known, in upper case": "/subscriptions/" + strings.ToUpper(f.seeded.SubscriptionID) + definitions + v,
	} {
		if code, m, _ := f.do(t, http.MethodGet, path, admin, ""); code != http.StatusOK {
			t.Errorf("%s: %d %v, want 200", name, code, m)
		}
	}
}

func countAssignments(t *testing.T, f *fixture) int {
	t.Helper()
	var n int
	_ = f.store.View(func(d *tenant.Directory) error { n = len(d.RoleAssignments()); return nil })
	return n
}
