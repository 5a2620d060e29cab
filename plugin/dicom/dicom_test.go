package dicom

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/plugin/auth"
)

const tid = "11111111-1111-1111-1111-111111111111"

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// makeToken builds a token whose claims are the v1 DICOM token's, changed by edit.
func makeToken(t *testing.T, edit func(map[string]any)) *auth.Token {
	t.Helper()
	claims := map[string]any{
		"aud": Resource, "iss": "https://sts.windows.net/" + tid + "/", "ver": "1.0", "tid": tid,
		"appid": "app", "appidacr": "1", "oid": "oid-1", "sub": "oid-1",
		"iat": now.Add(-time.Minute).Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(),
	}
	if edit != nil {
		edit(claims)
	}
	hb, _ := json.Marshal(map[string]any{"alg": "RS256", "typ": "JWT"})
	cb, _ := json.Marshal(claims)
	tok, err := auth.DecodeToken(base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb) + ".sig")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func find(fs []Finding, check string) Finding {
	for _, f := range fs {
		if f.Check == check {
			return f
		}
	}
	return Finding{}
}

func TestCheckToken(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(map[string]any)
		tenant   string
		check    string
		severity Severity
		contains string
	}{
		{"good app-only", nil, tid, CheckAudience, OK, Resource},
		{"app-only has no scp", nil, "", CheckScope, OK, "app-only"},
		{"secret", nil, "", CheckClientAuth, OK, "client secret"},
		{"trailing slash audience", func(c map[string]any) { c["aud"] = Resource + "/" }, "", CheckAudience, Error, "trailing slash"},
		{"graph audience", func(c map[string]any) { c["aud"] = "https://graph.microsoft.com" }, "", CheckAudience, Error, "is not the DICOM service"},
		{"no audience", func(c map[string]any) { delete(c, "aud") }, "", CheckAudience, Error, "no aud"},
		{"expired", func(c map[string]any) { c["exp"] = now.Add(-90 * time.Second).Unix() }, "", CheckExpiry, Error, "expired at 2026-03-01T11:58:30Z (1m30s ago)"},
		{"expiring soon", func(c map[string]any) { c["exp"] = now.Add(time.Minute).Unix() }, "", CheckExpiry, Warn, "in 1m0s"},
		{"not yet valid", func(c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() }, "", CheckNotBefore, Error, "not valid until"},
		{"other tenant", nil, "99999999-9999-9999-9999-999999999999", CheckTenant, Error, "the DICOM service is in tenant 9999"},
		{"v2 issuer", func(c map[string]any) { c["iss"] = "https://login.microsoftonline.com/" + tid + "/v2.0" }, "", CheckIssuer, Warn, "v2 issuer"},
		{"foreign issuer", func(c map[string]any) { c["iss"] = "https://evil.example/" }, "", CheckIssuer, Error, "not Entra ID's v1 issuer"},
		{"v2 token", func(c map[string]any) { c["ver"] = "2.0" }, "", CheckVersion, Warn, "are v1"},
		{"delegated with scope", func(c map[string]any) { c["scp"] = "openid Dicom.ReadWrite"; c["appidacr"] = "0" }, "", CheckScope, OK, "delegated"},
		{"public client", func(c map[string]any) { c["appidacr"] = "0" }, "", CheckClientAuth, OK, "public client"},
		{"certificate", func(c map[string]any) { c["appidacr"] = "2" }, "", CheckClientAuth, OK, "client certificate"},
		{"delegated without scope", func(c map[string]any) { c["scp"] = "User.Read" }, "", CheckScope, Error, "without Dicom.ReadWrite"},
		{"no oid", func(c map[string]any) { delete(c, "oid") }, "", CheckPrincipal, Error, "no oid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := CheckToken(makeToken(t, tt.edit), now, tt.tenant)
			f := find(fs, tt.check)
			if f.Severity != tt.severity || !strings.Contains(f.Message, tt.contains) {
				t.Errorf("%s = %+v, want %s containing %q", tt.check, f, tt.severity, tt.contains)
			}
			if f.Severity == Error && Worst(fs) != Error {
				t.Error("Worst does not report the error")
			}
		})
	}
	if w := Worst(CheckToken(makeToken(t, nil), now, tid)); w != OK {
		t.Errorf("good token: worst = %s, want ok", w)
	}
}

func TestProbeURL(t *testing.T) {
	tests := []struct{ in, want, wantErr string }{
		{"https://ws-svc.dicom.azurehealthcareapis.com", "https://ws-svc.dicom.azurehealthcareapis.com/v2/studies?limit=1", ""},
		{"https://ws-svc.dicom.azurehealthcareapis.com/", "https://ws-svc.dicom.azurehealthcareapis.com/v2/studies?limit=1", ""},
		{"https://ws-svc.dicom.azurehealthcareapis.com/v1", "https://ws-svc.dicom.azurehealthcareapis.com/v1/studies?limit=1", ""},
		{"https://127.0.0.1:8443/dicom/mockws-mockdicom/v2/", "https://127.0.0.1:8443/dicom/mockws-mockdicom/v2/studies?limit=1", ""},
		{"https://127.0.0.1:8443/dicom/mockws-mockdicom?x=1#f", "https://127.0.0.1:8443/dicom/mockws-mockdicom/v2/studies?limit=1", ""},
		{"ws-svc.dicom.azurehealthcareapis.com", "", "not an http(s) URL"},
		{"ftp://x/", "", "not an http(s) URL"},
		{"", "", "not an http(s) URL"},
	}
	for _, tt := range tests {
		got, err := ProbeURL(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ProbeURL(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ProbeURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseChallenge(t *testing.T) {
	tests := []struct {
		in      string
		scheme  string
		params  map[string]string
		wantErr bool
	}{
		{`Bearer authorization_uri="https://login.microsoftonline.com/t", resource_id="https://dicom.healthcareapis.azure.com", realm="https://dicom.healthcareapis.azure.com"`,
			"Bearer", map[string]string{"authorization_uri": "https://login.microsoftonline.com/t", "resource_id": Resource, "realm": Resource}, false},
		{`Bearer error="invalid_token", error_description="The token \"x\" expired"`, "Bearer",
			map[string]string{"error": "invalid_token", "error_description": `The token "x" expired`}, false},
		{`Bearer realm=x,Error=y`, "Bearer", map[string]string{"realm": "x", "error": "y"}, false},
		{`Bearer`, "Bearer", map[string]string{}, false},
		{``, "", nil, true},
		{`Bearer realm="unterminated`, "", nil, true},
		{`Bearer realm`, "", nil, true},
		{`Bearer ="x"`, "", nil, true},
		{`a=b`, "", nil, true},
	}
	for _, tt := range tests {
		c, err := ParseChallenge(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("ParseChallenge(%q) = %+v, want error", tt.in, c)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseChallenge(%q): %v", tt.in, err)
			continue
		}
		if c.Scheme != tt.scheme || len(c.Params) != len(tt.params) {
			t.Errorf("ParseChallenge(%q) = %+v", tt.in, c)
		}
		for k, v := range tt.params {
			if c.Params[k] != v {
				t.Errorf("ParseChallenge(%q)[%s] = %q, want %q", tt.in, k, c.Params[k], v)
			}
		}
	}
}

func TestProbe(t *testing.T) {
	const token = "header.claims.signature"
	tests := []struct {
		name      string
		status    int
		header    string
		body      string
		wantOK    bool
		wantMsg   string
		wantChall string
	}{
		{"empty search", http.StatusNoContent, "", "", true, "", ""},
		{"match", http.StatusOK, "", "[]", true, "", ""},
		{"unauthorized", http.StatusUnauthorized, `Bearer authorization_uri="https://login/t", resource_id="` + Resource + `"`, "", false, "", Resource},
		{"forbidden", http.StatusForbidden, "", `{"message":"Authorization failed."}`, false, "Authorization failed.", ""},
		{"plain text error", http.StatusInternalServerError, "", "oops\n", false, "oops", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/dicom/x/v2/studies" || r.URL.Query().Get("limit") != "1" {
					t.Errorf("probe went to %s", r.URL)
				}
				if r.Header.Get("Authorization") != "Bearer "+token {
					t.Errorf("Authorization = %q", r.Header.Get("Authorization"))
				}
				if tt.header != "" {
					w.Header().Set("WWW-Authenticate", tt.header)
				}
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			res, err := Probe(context.Background(), srv.Client(), srv.URL+"/dicom/x", token)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK() != tt.wantOK || res.Status != tt.status || res.Message != tt.wantMsg {
				t.Errorf("got %+v", res)
			}
			if tt.wantChall != "" && (res.Challenge == nil || res.Challenge.ResourceID() != tt.wantChall) {
				t.Errorf("challenge = %+v", res.Challenge)
			}
		})
	}
}

func TestProbeErrorsHideToken(t *testing.T) {
	const token = "very.secret.token"
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	srv.Close() // connection refused
	_, err := Probe(context.Background(), http.DefaultClient, srv.URL, token)
	if err == nil || strings.Contains(err.Error(), token) {
		t.Errorf("err = %v", err)
	}
	if _, err := Probe(context.Background(), nil, "https://x", ""); err == nil {
		t.Error("probe without a token succeeded")
	}
}

func FuzzParseChallenge(f *testing.F) {
	f.Add(`Bearer authorization_uri="https://login.microsoftonline.com/t", resource_id="r", realm="r"`)
	f.Add(`Bearer error="invalid_token", error_description="a \"b\" c"`)
	f.Add(`Basic realm=x`)
	f.Add(`Bearer a="\`)
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ParseChallenge(in)
		if (c == nil) == (err == nil) {
			t.Fatalf("challenge %v with error %v", c, err)
		}
	})
}

func FuzzProbeURL(f *testing.F) {
	f.Add("https://ws-svc.dicom.azurehealthcareapis.com/v1")
	f.Add("https://127.0.0.1:8443/dicom/a-b/")
	f.Add("http://[::1]:80/v2?x#y")
	f.Fuzz(func(t *testing.T, in string) {
		u, err := ProbeURL(in)
		if err == nil && !strings.Contains(u, "/studies?limit=1") {
			t.Fatalf("ProbeURL(%q) = %q", in, u)
		}
	})
}

func BenchmarkCheckToken(b *testing.B) {
	t := &testing.T{}
	tok := makeToken(t, func(c map[string]any) { c["scp"] = "Dicom.ReadWrite" })
	b.ReportAllocs()
	for b.Loop() {
		CheckToken(tok, now, tid)
	}
}
