package graphapi

import (
	"net/http"
	"testing"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// TestNameTakeover is the attack of issue 13: an app with Application.ReadWrite.All claims a
// first-party resource's name, creates its service principal, then deletes it. Entra refuses
// the name (not on a verified domain, and held by another principal); the first-party
// principals keep their names throughout.
func TestNameTakeover(t *testing.T) {
	e := newEnv(t)
	domain := "dicomreg-mock.onmicrosoft.com"
	for _, uri := range []string{tenant.DICOMResource, tenant.GraphResource, tenant.GraphResource + "/", "https://evil.example.com/api"} {
		res := e.call(http.MethodPost, "/v1.0/applications", map[string]any{"displayName": "squatter", "identifierUris": []string{uri}}).must(t, http.StatusBadRequest)
		if code, msg := res.errorCode(); code != codeHostNotVerified ||
			msg != "Values of identifierUris property must use a verified domain of the organization or its subdomain: '"+uri+"'" {
			t.Errorf("%s: %s %q", uri, code, msg)
		}
	}
	// PATCH is held to the same rule, and the refused write changes nothing.
	app := e.createApp("squatter", nil)
	res := e.call(http.MethodPatch, "/v1.0/applications/"+app.str("id"), map[string]any{"identifierUris": []string{tenant.DICOMResource}}).must(t, http.StatusBadRequest)
	if code, _ := res.errorCode(); code != codeHostNotVerified {
		t.Errorf("PATCH: %s", res.raw)
	}
	// A name on the tenant's domain is fine, once: identifier URIs are unique in the tenant.
	own := "https://api." + domain + "/dicom"
	e.call(http.MethodPatch, "/v1.0/applications/"+app.str("id"), map[string]any{"identifierUris": []string{own, "api://" + app.str("appId")}}).must(t, http.StatusNoContent)
	res = e.call(http.MethodPost, "/v1.0/applications", map[string]any{"displayName": "second", "identifierUris": []string{"HTTPS://API." + domain + "/dicom"}}).must(t, http.StatusBadRequest)
	if code, _ := res.errorCode(); code != codeConflict {
		t.Errorf("duplicate identifier URI: %s", res.raw)
	}
	// A name a first-party principal holds is refused even where the domain rule does not apply.
	res = e.call(http.MethodPost, "/v1.0/applications", map[string]any{"displayName": "third", "identifierUris": []string{tenant.GraphAppID}}).must(t, http.StatusBadRequest)
	if code, _ := res.errorCode(); code != codeRequestBadRequest {
		t.Errorf("bare appId as identifier URI: %s", res.raw)
	}
	// The squatter's principal is created and deleted; the first-party names stay where they were.
	sp := e.call(http.MethodPost, "/v1.0/servicePrincipals", map[string]any{"appId": app.str("appId")}).must(t, http.StatusCreated)
	e.call(http.MethodDelete, "/v1.0/servicePrincipals/"+sp.str("id"), nil).must(t, http.StatusNoContent)
	_ = e.store.View(func(d *tenant.Directory) error {
		for name, want := range map[string]string{tenant.DICOMResource: e.seed.DICOMPrincipalID, tenant.GraphResource: e.seed.GraphPrincipalID, tenant.GraphAppID: e.seed.GraphPrincipalID} {
			if got := d.ServicePrincipalByName(name); got == nil || got.ID != want {
				t.Errorf("%s resolves to %v, want %s", name, got, want)
			}
		}
		return nil
	})
}

// TestServicePrincipalNamesFollowIdentifierURIs: the principal is known by the app's identifier
// URIs as they change, and a name the app gives up stops resolving to it.
func TestServicePrincipalNamesFollowIdentifierURIs(t *testing.T) {
	e := newEnv(t)
	app := e.createApp("api", map[string]any{"identifierUris": []string{"api://first"}})
	sp := e.call(http.MethodPost, "/v1.0/servicePrincipals", map[string]any{"appId": app.str("appId")}).must(t, http.StatusCreated)
	e.call(http.MethodPatch, "/v1.0/applications/"+app.str("id"), map[string]any{"identifierUris": []string{"api://second"}}).must(t, http.StatusNoContent)
	_ = e.store.View(func(d *tenant.Directory) error {
		if got := d.ServicePrincipalByName("api://second"); got == nil || got.ID != sp.str("id") {
			t.Errorf("api://second resolves to %v", got)
		}
		if got := d.ServicePrincipalByName("api://first"); got != nil {
			t.Errorf("api://first still resolves to %s", got.ID)
		}
		return nil
	})
}

// TestDirectoryNeverHandsANameOver: even a write that bypasses the Graph checks (a state file,
// a caller's bug) cannot take a name from its holder or remove it.
func TestDirectoryNeverHandsANameOver(t *testing.T) {
	e := newEnv(t)
	_ = e.store.Update(func(d *tenant.Directory) error {
		squat := &tenant.ServicePrincipal{ID: "squat", AppID: "11111111-1111-1111-1111-111111111111", ServicePrincipalNames: []string{tenant.DICOMResource}}
		d.PutServicePrincipal(squat)
		if got := d.ServicePrincipalByName(tenant.DICOMResource); got == nil || got.ID != e.seed.DICOMPrincipalID {
			t.Errorf("after put: %v", got)
		}
		d.DeleteServicePrincipal("squat")
		if got := d.ServicePrincipalByName(tenant.DICOMResource); got == nil || got.ID != e.seed.DICOMPrincipalID {
			t.Errorf("after delete: %v", got)
		}
		return nil
	})
}
