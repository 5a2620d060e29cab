package mockgraph

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestFixturesBuildARegistrationTheSurfacesSee(t *testing.T) {
	s := Start(t, WithSeed(3), WithFrozenClock(t0))
	app, err := s.AddApplication(App{Name: "viewer", PublicClientRedirectURIs: []string{"http://localhost"}, Secret: "Fx~secret-value-000000000000000001",
		SecretName: "dicomreg", DICOMPermission: true})
	if err != nil {
		t.Fatal(err)
	}
	spID, err := s.AddServicePrincipal(app.AppID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddServicePrincipal(app.AppID); err == nil {
		t.Error("a second principal for one app was accepted")
	}
	if err := s.GrantAdminConsent(spID); err != nil {
		t.Fatal(err)
	}
	if err := s.AssignRole(spID, RoleDICOMDataReader, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.AssignRole("no-such-principal", RoleDICOMDataReader, ""); err == nil {
		t.Error("a role for no principal was accepted")
	}

	apps := s.Applications("viewer")
	if len(apps) != 1 || apps[0].AppID != app.AppID || len(apps[0].Secrets) != 1 || apps[0].Secrets[0].KeyID != app.SecretKeyID ||
		apps[0].Secrets[0].DisplayName != "dicomreg" || len(apps[0].Permissions) != 1 || apps[0].PublicClientRedirectURIs[0] != "http://localhost" {
		t.Fatalf("applications %+v", apps)
	}
	if sps := s.ServicePrincipals(app.AppID); len(sps) != 1 || sps[0].ID != spID {
		t.Errorf("principals %+v", sps)
	}
	dicomSP, ok := s.DICOMPrincipal()
	if !ok || dicomSP.Scopes["Dicom.ReadWrite"] != apps[0].Permissions[0].ID {
		t.Errorf("DICOM principal %+v; the app's permission %+v", dicomSP, apps[0].Permissions)
	}
	if g := s.Grants(spID); len(g) != 1 || g[0].Scope != "Dicom.ReadWrite" || g[0].ResourceID != dicomSP.ID {
		t.Errorf("grants %+v", g)
	}
	if roles := s.EffectiveRoles(spID, s.Seeded().DicomServiceID); !slices.Equal(roles, []string{RoleDICOMDataReader}) {
		t.Errorf("roles %v", roles)
	}

	// The token service accepts the fixture's secret: the app is as real as one made through Graph.
	resp, err := s.Client().PostForm(s.URL()+"/"+s.TenantID()+"/oauth2/v2.0/token", map[string][]string{
		"grant_type": {"client_credentials"}, "client_id": {app.AppID}, "client_secret": {"Fx~secret-value-000000000000000001"},
		"scope": {"https://dicom.healthcareapis.azure.com/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("client credentials with the fixture's secret: %d", resp.StatusCode)
	}
	if _, err := s.AddApplication(App{}); err == nil {
		t.Error("an app without a name was accepted")
	}
}

func TestQueueErrorFailsTheChosenCallsOnly(t *testing.T) {
	s := Start(t, WithSeed(4), WithFrozenClock(t0))
	s.SetFaults(Faults{RetryAfter: 1500 * time.Millisecond})
	if err := s.QueueError(surfaceGraph, "GET /v1.0/applications/{id}", http.StatusNotFound, 2); err != nil {
		t.Fatal(err)
	}
	if err := s.QueueError(surfaceARM, "PUT /subscriptions/{s}/providers/Microsoft.Authorization/roleAssignments/{name}", http.StatusTooManyRequests, 1); err != nil {
		t.Fatal(err)
	}
	// Another method, and another path, are not affected: the router answers them (401: no token).
	if code, _ := send(t, s, http.MethodPatch, "/v1.0/applications/x", "{}"); code != http.StatusUnauthorized {
		t.Errorf("PATCH answered %d", code)
	}
	if code, _ := get(t, s, "/v1.0/applications/x/owners"); code != http.StatusUnauthorized {
		t.Errorf("a longer path answered %d", code)
	}
	for i := 0; i < 2; i++ {
		code, body := get(t, s, "/v1.0/applications/x")
		var e struct {
			Error struct {
				Code       string `json:"code"`
				InnerError struct {
					Date string `json:"date"`
				} `json:"innerError"`
			} `json:"error"`
		}
		if err := json.Unmarshal(body, &e); err != nil || code != http.StatusNotFound || e.Error.Code != "Request_ResourceNotFound" ||
			e.Error.InnerError.Date != t0.Format("2006-01-02T15:04:05") {
			t.Errorf("queued answer %d: %d %s", i, code, body)
		}
	}
	if code, _ := get(t, s, "/v1.0/applications/x"); code != http.StatusUnauthorized {
		t.Errorf("after the queue ran out: %d", code)
	}
	req, _ := http.NewRequest(http.MethodPut, s.URL()+"/subscriptions/sub/providers/Microsoft.Authorization/roleAssignments/ra?api-version=2022-04-01", strings.NewReader("{}"))
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// Retry-After in whole seconds, as ARM sends it (1.5 s rounds up), with ARM's request ids.
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" || resp.Header.Get("x-ms-request-id") == "" {
		t.Errorf("queued 429: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	for _, bad := range []struct {
		surface, path string
		status, count int
	}{
		{"identity", "/tenant/oauth2/v2.0/token", 400, 1},
		{surfaceGraph, "/subscriptions/x", 404, 1},
		{surfaceGraph, "/v1.0/applications", 418, 1},
		{surfaceGraph, "/v1.0/applications", 404, 0},
		{surfaceARM, "subscriptions", 404, 1},
	} {
		if err := s.QueueError(bad.surface, bad.path, bad.status, bad.count); err == nil {
			t.Errorf("QueueError%+v accepted", bad)
		}
	}
	_ = s.QueueError(surfaceGraph, "/v1.0/organization", http.StatusInternalServerError, 5)
	s.ClearErrors()
	if code, _ := get(t, s, "/v1.0/organization"); code != http.StatusUnauthorized {
		t.Errorf("after ClearErrors: %d", code)
	}
}

func TestQueueErrorOverTheControlAPI(t *testing.T) {
	s := Start(t, WithSeed(5))
	if code, body := send(t, s, http.MethodPost, "/mock/errors", `{"surface":"graph","path":"GET /v1.0/organization","status":503}`); code != http.StatusCreated {
		t.Fatalf("queue: %d %s", code, body)
	}
	if code, _ := get(t, s, "/v1.0/organization"); code != http.StatusServiceUnavailable {
		t.Errorf("queued 503: got %d", code)
	}
	if code, _ := get(t, s, "/v1.0/organization"); code != http.StatusUnauthorized {
		t.Errorf("count defaults to 1: got %d", code)
	}
	for _, bad := range []string{`{"surface":"dicom","path":"/dicom/x","status":500}`, `{"surface":"graph","path":"/v1.0/x","status":200}`, `not json`} {
		if code, body := send(t, s, http.MethodPost, "/mock/errors", bad); code != http.StatusBadRequest || !strings.Contains(string(body), `"error"`) {
			t.Errorf("%s: %d %s", bad, code, body)
		}
	}
	_, _ = send(t, s, http.MethodPost, "/mock/errors", `{"surface":"arm","path":"/subscriptions","status":500,"count":3}`)
	if code, _ := send(t, s, http.MethodDelete, "/mock/errors", ""); code != http.StatusNoContent {
		t.Errorf("DELETE: %d", code)
	}
	if code, _ := get(t, s, "/subscriptions?api-version=2022-12-01"); code == http.StatusInternalServerError {
		t.Error("a cleared error was still served")
	}
}

// FuzzQueueErrorBody feeds the control API's queue endpoint arbitrary bodies: a 201 for what
// QueueError takes, a 400 with a JSON error otherwise, never a panic.
func FuzzQueueErrorBody(f *testing.F) {
	f.Add([]byte(`{"surface":"graph","path":"POST /v1.0/applications/{id}/addPassword","status":429,"count":2}`))
	f.Add([]byte(`{"surface":"arm","path":"PUT /subscriptions/{s}/providers/{p}","status":409}`))
	f.Add([]byte(`{"surface":"graph","path":" /v1.0","status":404,"count":-1}`))
	f.Add([]byte(`{"path":"{}{}/","status":1e3}`))
	s := Start(f, WithSeed(6))
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		s.handleErrors(rec, httptest.NewRequest(http.MethodPost, "/mock/errors", bytes.NewReader(body)))
		if rec.Code != http.StatusCreated && rec.Code != http.StatusBadRequest {
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		s.ClearErrors()
	})
}
