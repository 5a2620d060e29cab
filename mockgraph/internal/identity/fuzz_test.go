package identity

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

func FuzzParseTokenValues(f *testing.F) {
	f.Add("grant_type=client_credentials&client_id=abc&client_secret=s&scope=https%3A%2F%2Fdicom.healthcareapis.azure.com%2F.default", "")
	f.Add("grant_type=client_credentials&scope=x", "Basic YWJjOnNlY3JldA==")
	f.Add("client_assertion_type=urn%3Aietf&client_assertion=a.b.c", "Basic %%%")
	f.Add("%zz=1&&&==", "Bearer x")
	f.Add(strings.Repeat("a=1&", 100), "Basic Og==")
	f.Fuzz(func(t *testing.T, body, auth string) {
		req, e := parseTokenValues(body, auth)
		if (req == nil) == (e == nil) {
			t.Fatalf("want exactly one of request and error, got %v %v", req, e)
		}
		if e != nil && (e.Status < 400 || e.Status > 499 || e.Code == 0) {
			t.Fatalf("error %+v is not a 4xx AADSTS error", e)
		}
	})
}

// FuzzTokenEndpoint throws arbitrary bodies at the whole token handler: never a 5xx or a panic.
func FuzzTokenEndpoint(f *testing.F) {
	e := newEnv(f)
	h := e.srv.Config.Handler
	path := "/" + e.tid + "/oauth2/v2.0/token"
	f.Add("grant_type=password&client_id="+e.seed.AdminAppID+"&username=a&password=b&scope=openid", formContentType)
	f.Add("grant_type=authorization_code&code=x&client_id=y", formContentType)
	f.Add("grant_type=refresh_token&refresh_token=x&client_id=y&scope=https://x/.default", "application/x-www-form-urlencoded; charset=utf-8")
	f.Add("{}", "application/json")
	f.Fuzz(func(t *testing.T, body, contentType string) {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 || (rec.Code != 200 && (rec.Code < 400 || rec.Code > 499)) {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
	})
}

func FuzzVerifyAssertion(f *testing.F) {
	e := newEnv(f)
	app := e.addApp(appOpts{})
	e.uploadCert(app.AppID, e.clock.Now().AddDate(1, 0, 0))
	var a *tenant.Application
	_ = e.store.View(func(d *tenant.Directory) error { a = d.ApplicationByAppID(app.AppID); return nil })
	f.Add("eyJhbGciOiJSUzI1NiIsIng1dCI6IkFBQUEifQ.eyJpc3MiOiJ4In0.c2ln")
	f.Add("eyJhbGciOiJQUzI1NiIsIng1dCNTMjU2IjoiIn0.e30.")
	f.Add("a.b.c")
	f.Add("")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Fuzz(func(t *testing.T, assertion string) {
		err := e.svc.verifyAssertion(assertion, a, func(string) bool { return true }, e.clock.Now())
		if err == nil {
			t.Fatalf("forged assertion %q accepted", assertion)
		}
		if err.Status != 401 {
			t.Fatalf("status %d", err.Status)
		}
	})
}

func FuzzMatchRedirect(f *testing.F) {
	reg := registeredRedirects{Web: []string{"https://app.example.com/cb"}, Public: []string{"http://localhost", "http://127.0.0.1/cb?x=1"}}
	f.Add("https://app.example.com/cb")
	f.Add("http://localhost:1234")
	f.Add("http://127.0.0.1:9/cb?x=1")
	f.Add("http://user@localhost:1/")
	f.Add("http://[::1]:80/")
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, uri string) {
		pl, ok := matchRedirect(reg, uri)
		if !ok {
			return
		}
		if pl == "" {
			t.Fatal("match without a platform")
		}
		// a match is either exact or a loopback URI that differs from a registered one only in its port
		exact := uri == reg.Web[0] || uri == reg.Public[0] || uri == reg.Public[1]
		if !exact && !strings.HasPrefix(uri, "http://") {
			t.Fatalf("%q matched without being exact or http loopback", uri)
		}
	})
}

func FuzzParseScope(f *testing.F) {
	f.Add("https://dicom.healthcareapis.azure.com/.default")
	f.Add("https://dicom.healthcareapis.azure.com/Dicom.ReadWrite openid offline_access profile")
	f.Add("https://management.core.windows.net//.default")
	f.Add("User.Read Mail.Read")
	f.Add("api://11111111-2222-3333-4444-555555555555/access_as_user")
	f.Add("11111111-2222-3333-4444-555555555555")
	f.Add("/ .default a/ \x00")
	f.Fuzz(func(t *testing.T, raw string) {
		sr, e := parseScope(raw)
		if e != nil {
			if e.Status != 400 || (e.Err != errInvalidScope) {
				t.Fatalf("error %+v", e)
			}
			return
		}
		if sr.Default && len(sr.Scopes) > 0 {
			t.Fatalf(".default with scopes: %+v", sr)
		}
		if (sr.Resource == "") != (len(sr.Scopes) == 0 && !sr.Default) {
			t.Fatalf("resource without scopes or scopes without resource: %+v", sr)
		}
	})
}
