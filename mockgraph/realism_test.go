package mockgraph

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/identity"
	"github.com/dicomreg/dicomreg/mockgraph/internal/propagation"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// rt is a raw client of one server for the realism tests.
type rt struct {
	t *testing.T
	s *Server
}

func (c rt) do(method, url, token, body string) (int, http.Header, map[string]any) {
	c.t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.s.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, resp.Header, out
}

// token asks the token service for a client-credentials token; it returns the token or the
// first AADSTS code.
func (c rt) token(clientID, secret, scope string) (string, float64) {
	c.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}, "scope": {scope}}
	resp, err := c.s.Client().PostForm(c.s.URL()+"/"+c.s.TenantID()+"/oauth2/v2.0/token", form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if tok, ok := out["access_token"].(string); ok {
		return tok, 0
	}
	codes, _ := out["error_codes"].([]any)
	if len(codes) == 0 {
		c.t.Fatalf("token answer without a token or error code: %v", out)
	}
	return "", codes[0].(float64)
}

// newClient registers an app with a secret and a service principal as the admin.
func (c rt) newClient(graph string) (appID, spID, secret string) {
	c.t.Helper()
	code, _, app := c.do(http.MethodPost, c.s.GraphURL()+"/applications", graph, `{"displayName":"realism"}`)
	if code != http.StatusCreated {
		c.t.Fatalf("create app: %d %v", code, app)
	}
	appID, id := app["appId"].(string), app["id"].(string)
	c.s.Clock().Advance(c.s.Propagation().Graph) // Graph's replicas learn of the app
	code, _, pw := c.do(http.MethodPost, c.s.GraphURL()+"/applications/"+id+"/addPassword", graph, `{}`)
	if code != http.StatusOK {
		c.t.Fatalf("addPassword: %d %v", code, pw)
	}
	code, _, sp := c.do(http.MethodPost, c.s.GraphURL()+"/servicePrincipals", graph, `{"appId":"`+appID+`"}`)
	if code != http.StatusCreated {
		c.t.Fatalf("create SP: %d %v", code, sp)
	}
	return appID, sp["id"].(string), pw["secretText"].(string)
}

func TestRealisticNewAppSignsInOnlyAfterPropagation(t *testing.T) {
	s := Start(t, WithSeed(5), WithFrozenClock(t0), WithPropagation(propagation.Delays{SignIn: 30 * time.Second, Credential: 20 * time.Second}))
	c := rt{t, s}
	graph, code := c.token(s.Seeded().AdminAppID, s.Seeded().AdminSecret, tenant.GraphResource+"/.default")
	if code != 0 {
		t.Fatalf("admin token: AADSTS%v", code)
	}
	appID, _, secret := c.newClient(graph)
	dicom := tenant.DICOMResource + "/.default"
	if _, code := c.token(appID, secret, dicom); code != 700016 {
		t.Fatalf("a brand-new app: want AADSTS700016, got %v", code)
	}
	s.Clock().Advance(29 * time.Second) // its secret has propagated (20 s), the app not yet (30 s)
	if _, code := c.token(appID, secret, dicom); code != 700016 {
		t.Fatalf("after 29 s: want AADSTS700016, got %v", code)
	}
	s.Clock().Advance(time.Second)
	if _, code := c.token(appID, secret, dicom); code != 0 {
		t.Fatalf("after 30 s: want a token, got AADSTS%v", code)
	}

	// A second secret on a known app is refused as wrong until it has propagated.
	id := appObjectID(t, s, appID)
	_, _, pw := c.do(http.MethodPost, s.GraphURL()+"/applications/"+id+"/addPassword", graph, `{}`)
	second := pw["secretText"].(string)
	if _, code := c.token(appID, second, dicom); code != 7000215 {
		t.Fatalf("a brand-new secret: want AADSTS7000215, got %v", code)
	}
	s.Clock().Advance(20 * time.Second)
	if _, code := c.token(appID, second, dicom); code != 0 {
		t.Fatalf("a secret 20 s old: want a token, got AADSTS%v", code)
	}
}

func appObjectID(t *testing.T, s *Server, appID string) string {
	var id string
	_ = s.store.View(func(d *tenant.Directory) error { id = d.ApplicationByAppID(appID).ID; return nil })
	return id
}

func TestRealisticRoleReachesDICOMAfterRBACAndCache(t *testing.T) {
	s := Start(t, WithSeed(6), WithFrozenClock(t0), WithRealistic(), WithFaults(Faults{}))
	c := rt{t, s}
	graph, _ := c.token(s.Seeded().AdminAppID, s.Seeded().AdminSecret, tenant.GraphResource+"/.default")
	appID, spID, secret := c.newClient(graph)
	s.Clock().Advance(propagation.RealisticSignIn)
	tok, code := c.token(appID, secret, tenant.DICOMResource+"/.default")
	if code != 0 {
		t.Fatalf("DICOM token: AADSTS%v", code)
	}
	studies := s.DICOMURL() + "/v2/studies"
	// The DICOM service decides (no role) and caches that for five minutes.
	if code, _, _ := c.do(http.MethodGet, studies, tok, ""); code != http.StatusForbidden {
		t.Fatalf("before any role: %d, want 403", code)
	}
	arm, _ := c.token(s.Seeded().AdminAppID, s.Seeded().AdminSecret, tenant.ARMResource+"/.default")
	put := s.ARMURL() + s.Seeded().DicomServiceID + "/providers/Microsoft.Authorization/roleAssignments/0b4b2f33-6c4c-4a0e-9a57-2a8c4f6b7e11?api-version=2022-04-01"
	if code, _, body := c.do(http.MethodPut, put, arm, `{"properties":{"roleDefinitionId":"`+s.Seeded().DicomServiceID+`/providers/Microsoft.Authorization/roleDefinitions/`+tenant.RoleDefDICOMDataOwner+`","principalId":"`+spID+`","principalType":"ServicePrincipal"}}`); code != http.StatusCreated {
		t.Fatalf("assign role: %d %v", code, body)
	}
	for _, step := range []struct {
		advance time.Duration
		want    int
	}{
		{0, http.StatusForbidden}, // assigned this instant
		{propagation.RealisticRBAC - time.Second, http.StatusForbidden}, // still propagating
		{2 * time.Second, http.StatusForbidden},                         // propagated, but the 403 decided at 9m59s is cached
		{propagation.RealisticDICOMCache, http.StatusNoContent},         // the cached decision expired
	} {
		s.Clock().Advance(step.advance)
		if code, _, _ := c.do(http.MethodGet, studies, tok, ""); code != step.want {
			t.Fatalf("%s after the assignment: %d, want %d", s.Clock().Now().Sub(t0.Add(propagation.RealisticSignIn)), code, step.want)
		}
	}
}

func TestPropagationControlAPI(t *testing.T) {
	s := Start(t, WithSeed(7), WithFrozenClock(t0))
	code, body := send(t, s, http.MethodPut, pathPropagation, `{"realistic":true,"graphSeconds":5}`)
	if code != http.StatusOK {
		t.Fatalf("PUT: %d %s", code, body)
	}
	want := propagation.Realistic()
	want.Graph = 5 * time.Second
	if got := s.Propagation(); got != want || s.ReplicationDelay() != 5*time.Second {
		t.Fatalf("delays %+v, want %+v", got, want)
	}
	if !strings.Contains(string(body), `"longestSeconds":900`) {
		t.Errorf("longest wait is RBAC + the DICOM cache, 900 s: %s", body)
	}
	if code, _ := send(t, s, http.MethodPut, pathPropagation, `{"rbacSeconds":-1}`); code != http.StatusBadRequest {
		t.Fatalf("a negative delay: %d", code)
	}
	if code, _ := send(t, s, http.MethodPut, pathPropagation, `{"rbacSeconds":"soon"}`); code != http.StatusBadRequest {
		t.Fatalf("a malformed body: %d", code)
	}
}

func TestARMThrottlingHasARMsShape(t *testing.T) {
	s := Start(t, WithSeed(8), WithFrozenClock(t0), WithFaults(Faults{Rate429: 1, RetryAfter: 2500 * time.Millisecond}))
	c := rt{t, s}
	code, h, body := c.do(http.MethodGet, s.ARMURL()+"/subscriptions/"+s.Seeded().SubscriptionID+"/resourceGroups?api-version=2022-09-01", "", "")
	e, _ := body["error"].(map[string]any)
	if code != http.StatusTooManyRequests || h.Get("Retry-After") != "3" || h.Get("x-ms-request-id") == "" || h.Get("x-ms-correlation-request-id") == "" ||
		e["code"] != "SubscriptionRequestsThrottled" || !strings.Contains(e["message"].(string), "after '3' seconds") {
		t.Fatalf("ARM 429: %d %v %v", code, h, body)
	}
}

func TestConsentPolicyControl(t *testing.T) {
	s := Start(t, WithSeed(9), WithAdminConsentOnly())
	if s.ConsentPolicy() != identity.AdminConsentOnly {
		t.Fatalf("policy %q", s.ConsentPolicy())
	}
	if code, body := send(t, s, http.MethodPut, pathConsentPolicy, `{"userConsent":"allowed"}`); code != http.StatusOK || s.ConsentPolicy() != identity.UserConsentAllowed {
		t.Fatalf("PUT allowed: %d %s", code, body)
	}
	if code, _ := send(t, s, http.MethodPut, pathConsentPolicy, `{"userConsent":"maybe"}`); code != http.StatusBadRequest {
		t.Fatalf("an unknown policy: %d", code)
	}
}
