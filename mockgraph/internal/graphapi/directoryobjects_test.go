package graphapi

import (
	"fmt"
	"net/http"
	"testing"
)

// getByIds resolves ids of users, service principals and applications in one request, each with
// its @odata.type; ids it does not find (or not among "types") are left out; more than 1000 ids,
// none, an unknown type or property is a 400; it needs Directory.Read.All.
func TestGetByIDs(t *testing.T) {
	e := newEnv(t)
	app := e.createApp("resolved", nil)
	const missing = "00000000-0000-0000-0000-0000000000aa"
	ids := []string{e.seed.AdminSPID, missing, e.seed.TestUserID, app.str("id"), e.seed.AdminSPID}

	res := e.call(http.MethodPost, "/v1.0/directoryObjects/getByIds", map[string]any{"ids": ids}).must(t, http.StatusOK)
	if ctx := res.str("@odata.context"); ctx != e.srv.URL+"/v1.0/$metadata#directoryObjects" {
		t.Errorf("@odata.context %q", ctx)
	}
	got := map[string]string{}
	for _, v := range res.values() {
		id, _ := v["id"].(string)
		typ, _ := v["@odata.type"].(string)
		if name, _ := v["displayName"].(string); name == "" {
			t.Errorf("%s without displayName: %v", id, v)
		}
		got[id] = typ
	}
	want := map[string]string{e.seed.AdminSPID: "#microsoft.graph.servicePrincipal", e.seed.TestUserID: "#microsoft.graph.user",
		app.str("id"): "#microsoft.graph.application"}
	if len(res.values()) != len(want) || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v (%d objects), want %v", got, len(res.values()), want)
	}

	// types narrows the search (case-insensitive); what is not of those types is left out
	res = e.call(http.MethodPost, "/v1.0/directoryObjects/getByIds", map[string]any{"ids": ids, "types": []string{"ServicePrincipal", "user"}}).must(t, http.StatusOK)
	if n := len(res.values()); n != 2 {
		t.Errorf("types servicePrincipal, user: %d objects, want 2: %s", n, res.raw)
	}
	res = e.call(http.MethodPost, "/v1.0/directoryObjects/getByIds", map[string]any{"ids": []string{missing}}).must(t, http.StatusOK)
	if vals, ok := res.body["value"].([]any); !ok || len(vals) != 0 {
		t.Errorf("only unknown ids: %s, want an empty value array", res.raw)
	}

	many := make([]string, maxGetByIDs+1)
	for i := range many {
		many[i] = fmt.Sprintf("00000000-0000-0000-0000-%012d", i)
	}
	e.call(http.MethodPost, "/v1.0/directoryObjects/getByIds", map[string]any{"ids": many[:maxGetByIDs]}).must(t, http.StatusOK)
	for name, body := range map[string]any{
		"1001 ids":         map[string]any{"ids": many},
		"no ids":           map[string]any{"types": []string{"user"}},
		"unknown type":     map[string]any{"ids": ids, "types": []string{"planet"}},
		"unknown property": map[string]any{"ids": ids, "select": "displayName"},
		"not JSON":         "{",
		"ids not strings":  map[string]any{"ids": []int{1}},
	} {
		res := e.call(http.MethodPost, "/v1.0/directoryObjects/getByIds", body)
		if code, _ := res.errorCode(); res.status != http.StatusBadRequest || (code != codeBadRequest && code != codeRequestBadRequest) {
			t.Errorf("%s: %d %s, want a 400 in Graph's error shape", name, res.status, res.raw)
		}
	}
	e.call(http.MethodGet, "/v1.0/directoryObjects/getByIds", nil).must(t, http.StatusMethodNotAllowed)

	// Application.ReadWrite.All alone does not read the directory
	weak := e.token(map[string]any{"roles": []string{"Application.ReadWrite.All"}})
	res = e.call(http.MethodPost, "/v1.0/directoryObjects/getByIds", map[string]any{"ids": ids}, "Authorization", "Bearer "+weak)
	if code, _ := res.errorCode(); res.status != http.StatusForbidden || code != codeDenied {
		t.Errorf("without Directory.Read.All: %d %s", res.status, res.raw)
	}
}
