package graphapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

const ghIssuer = "https://token.actions.githubusercontent.com"

func fic(name, subject string) map[string]any {
	return map[string]any{"name": name, "issuer": ghIssuer, "subject": subject, "audiences": []string{"api://AzureADTokenExchange"}}
}

func TestFederatedCredentialsCRUD(t *testing.T) {
	e := newEnv(t)
	app := e.createApp("ci", nil)
	id, appID := app.str("id"), app.str("appId")
	base := "/v1.0/applications/" + id + "/federatedIdentityCredentials"
	created := e.call(http.MethodPost, base, fic("main", "repo:o/r:ref:refs/heads/main")).must(t, http.StatusCreated)
	ficID := created.str("id")
	if ficID == "" || created.str("name") != "main" || created.body["description"] != nil {
		t.Fatalf("created: %s", created.raw)
	}
	if want := e.srv.URL + "/v1.0/$metadata#applications('" + id + "')/federatedIdentityCredentials/$entity"; created.str("@odata.context") != want {
		t.Errorf("@odata.context %q, want %q", created.str("@odata.context"), want)
	}
	byAppID := "/v1.0/applications(appId='" + appID + "')/federatedIdentityCredentials"
	if got := e.call(http.MethodGet, byAppID, nil).must(t, http.StatusOK).values(); len(got) != 1 || got[0]["subject"] != "repo:o/r:ref:refs/heads/main" {
		t.Errorf("list by appId: %v", got)
	}
	e.call(http.MethodGet, base+"/"+ficID, nil).must(t, http.StatusOK)
	e.call(http.MethodGet, base+"(name='main')", nil).must(t, http.StatusOK)
	e.call(http.MethodGet, base+"(name='nope')", nil).must(t, http.StatusNotFound)
	if got := e.call(http.MethodGet, base+"?$filter=subject eq 'repo:o/r:ref:refs/heads/main'", nil).must(t, http.StatusOK).values(); len(got) != 1 {
		t.Errorf("$filter subject: %v", got)
	}

	e.call(http.MethodPatch, base+"/"+ficID, map[string]any{"subject": "repo:o/r:environment:prod"}).must(t, http.StatusNoContent)
	if got := e.call(http.MethodGet, base+"/"+ficID, nil).must(t, http.StatusOK); got.str("subject") != "repo:o/r:environment:prod" || got.str("name") != "main" {
		t.Errorf("after PATCH: %s", got.raw)
	}
	e.call(http.MethodPatch, base+"/"+ficID, map[string]any{"name": "renamed"}).must(t, http.StatusBadRequest)
	e.call(http.MethodPatch, base+"/"+ficID, map[string]any{"id": "x"}).must(t, http.StatusBadRequest)

	// upsert by name: 201 when missing, 204 when present
	up := e.call(http.MethodPatch, base+"(name='tags')", map[string]any{"issuer": ghIssuer, "subject": "repo:o/r:ref:refs/tags/v1", "audiences": []string{"api://AzureADTokenExchange"}}).must(t, http.StatusCreated)
	if up.str("name") != "tags" {
		t.Errorf("upsert created: %s", up.raw)
	}
	e.call(http.MethodPatch, base+"(name='tags')", map[string]any{"subject": "repo:o/r:ref:refs/tags/v2"}).must(t, http.StatusNoContent)

	e.call(http.MethodDelete, base+"(name='tags')", nil).must(t, http.StatusNoContent)
	e.call(http.MethodDelete, base+"/"+ficID, nil).must(t, http.StatusNoContent)
	e.call(http.MethodDelete, base+"/"+ficID, nil).must(t, http.StatusNotFound)
	if got := e.call(http.MethodGet, base, nil).must(t, http.StatusOK).values(); len(got) != 0 {
		t.Errorf("after deletes: %v", got)
	}
	e.call(http.MethodGet, "/v1.0/applications/00000000-0000-0000-0000-000000000000/federatedIdentityCredentials", nil).must(t, http.StatusNotFound)
}

func TestFederatedCredentialRules(t *testing.T) {
	e := newEnv(t)
	base := "/v1.0/applications/" + e.createApp("rules", nil).str("id") + "/federatedIdentityCredentials"
	long := strings.Repeat("a", 601)
	bad := []struct {
		name string
		body map[string]any
		prop string
	}{
		{"no name", map[string]any{"issuer": ghIssuer, "subject": "s", "audiences": []string{"api://AzureADTokenExchange"}}, "name"},
		{"name too short", fic("ab", "s"), "name"},
		{"name too long", fic(strings.Repeat("n", 121), "s"), "name"},
		{"name not URL friendly", fic("a b/c", "s"), "name"},
		{"name starts with dash", fic("-abc", "s"), "name"},
		{"issuer not https", map[string]any{"name": "nm1", "issuer": "http://x", "subject": "s", "audiences": []string{"a"}}, "issuer"},
		{"issuer not a URL", map[string]any{"name": "nm1", "issuer": "token-issuer", "subject": "s", "audiences": []string{"a"}}, "issuer"},
		{"no subject", map[string]any{"name": "nm1", "issuer": ghIssuer, "audiences": []string{"a"}}, "subject"},
		{"subject too long", fic("nm1", long), "subject"},
		{"two audiences", map[string]any{"name": "nm1", "issuer": ghIssuer, "subject": "s", "audiences": []string{"a", "b"}}, "audiences"},
		{"no audience", map[string]any{"name": "nm1", "issuer": ghIssuer, "subject": "s", "audiences": []string{}}, "audiences"},
	}
	for _, c := range bad {
		res := e.call(http.MethodPost, base, c.body).must(t, http.StatusBadRequest)
		if code, msg := res.errorCode(); code != codeRequestBadRequest || !strings.Contains(msg, "'"+c.prop+"'") {
			t.Errorf("%s: %s %s", c.name, code, msg)
		}
	}
	e.call(http.MethodPost, base, map[string]any{"name": "nm1", "issuer": ghIssuer, "subject": "s", "audiences": []string{"a"}, "unknown": 1}).must(t, http.StatusBadRequest)

	e.call(http.MethodPost, base, fic("first", "repo:o/r:pull_request")).must(t, http.StatusCreated)
	e.call(http.MethodPost, base, fic("FIRST", "repo:o/r:other")).must(t, http.StatusConflict)
	e.call(http.MethodPost, base, fic("second", "repo:o/r:pull_request")).must(t, http.StatusConflict)
	for i := 2; i <= maxFederatedPerApp; i++ {
		e.call(http.MethodPost, base, fic(fmt.Sprintf("cred-%d", i), fmt.Sprintf("sub-%d", i))).must(t, http.StatusCreated)
	}
	res := e.call(http.MethodPost, base, fic("one-too-many", "sub-x")).must(t, http.StatusBadRequest)
	if _, msg := res.errorCode(); !strings.Contains(msg, "20") {
		t.Errorf("limit: %s", msg)
	}
	if got := e.call(http.MethodGet, base+"?$top=5", nil).must(t, http.StatusOK).values(); len(got) != 5 {
		t.Errorf("$top=5: %d", len(got))
	}
}

func TestFederatedCredentialsNeedPermission(t *testing.T) {
	e := newEnv(t)
	base := "/v1.0/applications/" + e.createApp("perm", nil).str("id") + "/federatedIdentityCredentials"
	reader := e.token(map[string]any{"roles": []string{"Application.Read.All"}})
	e.call(http.MethodGet, base, nil, "Authorization", "Bearer "+reader).must(t, http.StatusOK)
	e.call(http.MethodPost, base, fic("main", "s"), "Authorization", "Bearer "+reader).must(t, http.StatusForbidden)
}
