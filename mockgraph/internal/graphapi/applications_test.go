package graphapi

import (
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

func TestApplicationCRUD(t *testing.T) {
	e := newEnv(t)
	app := e.createApp("viewer", map[string]any{"@odata.type": "#microsoft.graph.application", "signInAudience": "AzureADMyOrg",
		"publicClient": map[string]any{"redirectUris": []string{"http://localhost"}}})
	id, appID := app.str("id"), app.str("appId")
	if want := e.srv.URL + "/v1.0/$metadata#applications/$entity"; app.str("@odata.context") != want {
		t.Errorf("@odata.context %q, want %q", app.str("@odata.context"), want)
	}
	if app.str("createdDateTime") == "" || app.body["passwordCredentials"] == nil || app.body["isFallbackPublicClient"] != nil {
		t.Errorf("created body lacks Graph's defaults: %s", app.raw)
	}
	if _, has := app.body["@odata.id"]; has {
		t.Error("answers carry no @odata.id")
	}
	for _, path := range []string{"/v1.0/applications/" + id, "/v1.0/applications(appId='" + appID + "')"} {
		got := e.call(http.MethodGet, path, nil).must(t, http.StatusOK)
		if got.str("id") != id || got.str("displayName") != "viewer" {
			t.Errorf("GET %s: %s", path, got.raw)
		}
	}
	e.call(http.MethodPatch, "/v1.0/applications/"+id, map[string]any{"displayName": "viewer2", "isFallbackPublicClient": true}).must(t, http.StatusNoContent)
	got := e.call(http.MethodGet, "/v1.0/applications/"+id, nil).must(t, http.StatusOK)
	if got.str("displayName") != "viewer2" || got.body["isFallbackPublicClient"] != true || got.str("signInAudience") != "AzureADMyOrg" {
		t.Errorf("after PATCH: %s", got.raw)
	}
	e.call(http.MethodPost, "/v1.0/servicePrincipals", map[string]any{"appId": appID}).must(t, http.StatusCreated)
	e.call(http.MethodDelete, "/v1.0/applications/"+id, nil).must(t, http.StatusNoContent)
	e.call(http.MethodGet, "/v1.0/applications/"+id, nil).must(t, http.StatusNotFound)
	e.call(http.MethodGet, "/v1.0/servicePrincipals(appId='"+appID+"')", nil).must(t, http.StatusNotFound)
}

func TestGzipBody(t *testing.T) {
	e := newEnv(t)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write([]byte(`{"displayName":"zipped"}`))
	_ = zw.Close()
	got := e.call(http.MethodPost, "/v1.0/applications", buf.Bytes(), "Content-Encoding", "gzip").must(t, http.StatusCreated)
	if got.str("displayName") != "zipped" {
		t.Fatalf("gzip body: %s", got.raw)
	}
}

func TestUpsertByUniqueName(t *testing.T) {
	e := newEnv(t)
	path := "/v1.0/applications(uniqueName='dicomreg-viewer')"
	body := map[string]any{"displayName": "viewer"}
	e.call(http.MethodPatch, path, body).must(t, http.StatusNotFound)
	created := e.call(http.MethodPatch, path, body, "Prefer", "create-if-missing").must(t, http.StatusCreated)
	if created.str("uniqueName") != "dicomreg-viewer" || created.str("id") == "" {
		t.Fatalf("upsert create: %s", created.raw)
	}
	e.call(http.MethodPatch, path, map[string]any{"displayName": "renamed"}, "Prefer", "create-if-missing").must(t, http.StatusNoContent)
	got := e.call(http.MethodGet, path, nil).must(t, http.StatusOK)
	if got.str("displayName") != "renamed" || got.str("id") != created.str("id") {
		t.Fatalf("after upsert update: %s", got.raw)
	}
	list := e.call(http.MethodGet, "/v1.0/applications?$filter=uniqueName eq 'dicomreg-viewer'", nil).must(t, http.StatusOK)
	if n := len(list.values()); n != 1 {
		t.Fatalf("%d apps with the uniqueName, want 1", n)
	}
	code, _ := e.call(http.MethodPost, "/v1.0/applications", map[string]any{"displayName": "x", "uniqueName": "DICOMREG-viewer"}).must(t, http.StatusBadRequest).errorCode()
	if code != codeConflict {
		t.Errorf("duplicate uniqueName: code %s", code)
	}
	code, _ = e.call(http.MethodPatch, path, map[string]any{"uniqueName": "other"}).must(t, http.StatusBadRequest).errorCode()
	if code != codeRequestBadRequest {
		t.Errorf("changing uniqueName: code %s", code)
	}
}

func TestPasswords(t *testing.T) {
	e := newEnv(t)
	app := e.createApp("secretive", nil)
	id := app.str("id")
	pw := e.call(http.MethodPost, "/v1.0/applications/"+id+"/addPassword", map[string]any{"passwordCredential": map[string]any{"displayName": "ci"}}).must(t, http.StatusOK)
	secret, hint, keyID := pw.str("secretText"), pw.str("hint"), pw.str("keyId")
	if len(secret) < 16 || hint != secret[:3] || keyID == "" || pw.str("displayName") != "ci" {
		t.Fatalf("addPassword: %s", pw.raw)
	}
	if pw.str("@odata.context") != e.srv.URL+"/v1.0/$metadata#microsoft.graph.passwordCredential" {
		t.Errorf("addPassword context %q", pw.str("@odata.context"))
	}
	start, _ := time.Parse(time.RFC3339, pw.str("startDateTime"))
	end, _ := time.Parse(time.RFC3339, pw.str("endDateTime"))
	if !start.Equal(e.clock.Now()) || !end.Equal(start.AddDate(2, 0, 0)) {
		t.Errorf("secret lifetime %s .. %s, want now .. now+2y", start, end)
	}
	// An empty body is allowed; the secret is then unnamed.
	e.call(http.MethodPost, "/v1.0/applications/"+id+"/addPassword", nil).must(t, http.StatusOK)

	got := e.call(http.MethodGet, "/v1.0/applications/"+id, nil).must(t, http.StatusOK)
	if strings.Contains(string(got.raw), secret) || !strings.Contains(string(got.raw), `"secretText":null`) {
		t.Fatalf("the secret leaks after addPassword: %s", got.raw)
	}
	_ = e.store.View(func(d *tenant.Directory) error {
		if d.MatchSecret(d.Application(id), secret) == nil {
			t.Error("secret not usable")
		}
		return nil
	})
	e.call(http.MethodPost, "/v1.0/applications/"+id+"/removePassword", map[string]any{"keyId": keyID}).must(t, http.StatusNoContent)
	_ = e.store.View(func(d *tenant.Directory) error {
		if d.MatchSecret(d.Application(id), secret) != nil || len(d.Application(id).PasswordCredentials) != 1 {
			t.Error("removed secret still usable")
		}
		return nil
	})
	e.call(http.MethodPost, "/v1.0/applications/"+id+"/removePassword", map[string]any{"keyId": keyID}).must(t, http.StatusNotFound)
	e.call(http.MethodPost, "/v1.0/applications/"+id+"/addPassword", map[string]any{"passwordCredential": map[string]any{
		"startDateTime": "2030-01-01T00:00:00Z", "endDateTime": "2029-01-01T00:00:00Z"}}).must(t, http.StatusBadRequest)
}

// testCert makes a self-signed certificate's DER.
func testCert(t *testing.T, notAfter time.Time) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "dicomreg-test"},
		NotBefore: epoch, NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestKeyCredentials(t *testing.T) {
	e := newEnv(t)
	id := e.createApp("certified", nil).str("id")
	der := testCert(t, epoch.AddDate(1, 0, 0))
	sum := sha1.Sum(der)
	good := map[string]any{"type": "AsymmetricX509Cert", "usage": "Verify", "key": base64.StdEncoding.EncodeToString(der),
		"customKeyIdentifier": base64.StdEncoding.EncodeToString(sum[:])}
	tests := []struct {
		name   string
		change func(map[string]any)
		status int
	}{
		{"valid", func(map[string]any) {}, http.StatusNoContent},
		{"no customKeyIdentifier", func(c map[string]any) { delete(c, "customKeyIdentifier") }, http.StatusNoContent},
		{"customKeyIdentifier is an opaque label", func(c map[string]any) { c["customKeyIdentifier"] = "52ED9B5038A47B9E2E2190715CC238359D4F8F73" }, http.StatusNoContent},
		{"not a certificate", func(c map[string]any) { c["key"] = base64.StdEncoding.EncodeToString([]byte("nope")) }, http.StatusBadRequest},
		{"not base64", func(c map[string]any) { c["key"] = "%%%" }, http.StatusBadRequest},
		{"symmetric", func(c map[string]any) { c["type"] = "Symmetric" }, http.StatusBadRequest},
		{"sign usage", func(c map[string]any) { c["usage"] = "Sign" }, http.StatusBadRequest},
		{"outlives the certificate", func(c map[string]any) { c["endDateTime"] = "2040-01-01T00:00:00Z" }, http.StatusBadRequest},
		{"no key", func(c map[string]any) { delete(c, "key") }, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := map[string]any{}
			for k, v := range good {
				c[k] = v
			}
			tt.change(c)
			e.call(http.MethodPatch, "/v1.0/applications/"+id, map[string]any{"keyCredentials": []any{c}}).must(t, tt.status)
		})
	}
	plain := e.call(http.MethodGet, "/v1.0/applications/"+id, nil).must(t, http.StatusOK)
	creds, _ := plain.body["keyCredentials"].([]any)
	if len(creds) != 1 || creds[0].(map[string]any)["key"] != nil || creds[0].(map[string]any)["displayName"] != "CN=dicomreg-test" {
		t.Fatalf("keyCredentials without $select: %s", plain.raw)
	}
	sel := e.call(http.MethodGet, "/v1.0/applications/"+id+"?$select=keyCredentials", nil).must(t, http.StatusOK)
	creds, _ = sel.body["keyCredentials"].([]any)
	if len(creds) != 1 || creds[0].(map[string]any)["key"] != good["key"] {
		t.Fatalf("keyCredentials with $select: %s", sel.raw)
	}
	list := e.call(http.MethodGet, "/v1.0/applications?$select=keyCredentials&$filter=id eq '"+id+"'", nil).must(t, http.StatusOK)
	if strings.Contains(string(list.raw), good["key"].(string)) {
		t.Error("a list shows certificate keys")
	}
	e.call(http.MethodPatch, "/v1.0/applications/"+id, map[string]any{"keyCredentials": []any{}}).must(t, http.StatusNoContent)
	if got := e.call(http.MethodGet, "/v1.0/applications/"+id, nil); len(got.body["keyCredentials"].([]any)) != 0 {
		t.Error("an empty keyCredentials PATCH did not remove the certificate")
	}
}

func TestPaging(t *testing.T) {
	e := newEnv(t)
	want := map[string]bool{}
	for i := range 23 {
		want[e.createApp("page-"+strconv.Itoa(i), nil).str("id")] = true
	}
	seen := map[string]bool{}
	next := "/v1.0/applications?$top=5&$filter=" + url.QueryEscape("startswith(displayName,'page-')")
	pages := 0
	for next != "" {
		res := e.call(http.MethodGet, next, nil).must(t, http.StatusOK)
		pages++
		for _, v := range res.values() {
			id, _ := v["id"].(string)
			if seen[id] {
				t.Fatalf("page %d repeats %s", pages, id)
			}
			seen[id] = true
		}
		next = res.str("@odata.nextLink")
		if next != "" && !strings.HasPrefix(next, e.srv.URL+"/v1.0/applications?") {
			t.Fatalf("nextLink %q is not absolute on the request's host", next)
		}
	}
	if pages != 5 || len(seen) != len(want) {
		t.Fatalf("%d pages, %d objects; want 5 pages, %d objects", pages, len(seen), len(want))
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("paging missed %s", id)
		}
	}
}

func TestSelectCountOrder(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"b-app", "a-app", "c-app"} {
		e.createApp(n, nil)
	}
	res := e.call(http.MethodGet, "/v1.0/applications?$select=displayName,appId&$orderby=displayName&$filter=startswith(displayName,'')", nil).must(t, http.StatusOK)
	if want := e.srv.URL + "/v1.0/$metadata#applications(displayName,appId)"; res.str("@odata.context") != want {
		t.Errorf("context %q, want %q", res.str("@odata.context"), want)
	}
	var names []string
	for _, v := range res.values()[:3] {
		if len(v) != 2 {
			t.Errorf("$select=displayName,appId gave %v", v)
		}
		names = append(names, v["displayName"].(string))
	}
	if strings.Join(names, " ") != "a-app b-app c-app" || len(res.values()) != 4 {
		t.Errorf("$orderby=displayName gave %v", names)
	}
	res = e.call(http.MethodGet, "/v1.0/applications?$count=true&$top=1&$filter=endswith(displayName,'-app')", nil, "ConsistencyLevel", "eventual").must(t, http.StatusOK)
	if res.body["@odata.count"] != float64(3) || len(res.values()) != 1 {
		t.Errorf("$count: %s", res.raw)
	}
	one := e.call(http.MethodGet, "/v1.0/applications/"+e.seed.AdminAppObjectID+"?$select=appId", nil).must(t, http.StatusOK)
	if len(one.body) != 2 || one.str("appId") != e.seed.AdminAppID || !strings.HasSuffix(one.str("@odata.context"), "#applications(appId)/$entity") {
		t.Errorf("single $select: %s", one.raw)
	}
}

func TestReplicationDelay(t *testing.T) {
	e := newEnv(t)
	e.delay = 30 * time.Second
	app := e.createApp("lagging", map[string]any{"uniqueName": "lagging"})
	id, appID := app.str("id"), app.str("appId")
	reads := []string{"/v1.0/applications/" + id, "/v1.0/applications(appId='" + appID + "')", "/v1.0/applications(uniqueName='lagging')"}
	for _, p := range reads {
		e.call(http.MethodGet, p, nil).must(t, http.StatusNotFound)
	}
	if n := len(e.call(http.MethodGet, "/v1.0/applications?$filter=appId eq '"+appID+"'", nil).must(t, http.StatusOK).values()); n != 0 {
		t.Errorf("the new app is listed %d times during replication", n)
	}
	res := e.call(http.MethodPost, "/v1.0/servicePrincipals", map[string]any{"appId": appID}).must(t, http.StatusBadRequest)
	details, _ := res.body["error"].(map[string]any)["details"].([]any)
	if code, msg := res.errorCode(); code != codeRequestBadRequest || !strings.Contains(msg, "does not reference a valid application object") ||
		len(details) != 1 || details[0].(map[string]any)["code"] != codeNoBackingApp {
		t.Fatalf("SP during replication: %s", res.raw)
	}

	e.clock.Advance(29 * time.Second)
	e.call(http.MethodGet, reads[0], nil).must(t, http.StatusNotFound)
	e.clock.Advance(time.Second)
	for _, p := range reads {
		e.call(http.MethodGet, p, nil).must(t, http.StatusOK)
	}
	sp := e.call(http.MethodPost, "/v1.0/servicePrincipals", map[string]any{"appId": appID}).must(t, http.StatusCreated)
	// The new service principal lags in turn.
	e.call(http.MethodGet, "/v1.0/servicePrincipals/"+sp.str("id"), nil).must(t, http.StatusNotFound)
	e.clock.Advance(e.delay)
	e.call(http.MethodGet, "/v1.0/servicePrincipals/"+sp.str("id"), nil).must(t, http.StatusOK)
}
