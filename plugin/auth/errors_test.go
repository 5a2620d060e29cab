package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// fakeEntra answers discovery and fails every token request with the given AADSTS error, and
// records the paths it saw.
type fakeEntra struct {
	*httptest.Server
	mu    sync.Mutex
	paths []string
}

func newFakeEntra(t *testing.T, status int, oauthErr string, code int, desc string) *fakeEntra {
	f := &fakeEntra{}
	f.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.paths = append(f.paths, r.URL.Path)
		f.mu.Unlock()
		base := f.URL + "/" + testTenant
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
			json.NewEncoder(w).Encode(map[string]any{
				"authorization_endpoint":        base + "/oauth2/v2.0/authorize",
				"token_endpoint":                base + "/oauth2/v2.0/token",
				"device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
				"issuer":                        base + "/v2.0",
				"jwks_uri":                      base + "/discovery/v2.0/keys",
			})
		case strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token"):
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]any{
				"error":             oauthErr,
				"error_description": fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: 0000\r\nCorrelation ID: 1111\r\nTimestamp: 2026-01-01 00:00:00Z", code, desc),
				"error_codes":       []int{code},
			})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeEntra) sawPath(sub string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.paths {
		if strings.Contains(p, sub) {
			return true
		}
	}
	return false
}

func TestExplainTokenErrors(t *testing.T) {
	tests := []struct {
		code     int
		status   int
		oauthErr string
		desc     string
		hint     string
	}{
		{7000215, 401, "invalid_client", "Invalid client secret provided.", "secret's ID"},
		{7000218, 401, "invalid_client", "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", "--public-client"},
		{7000222, 401, "invalid_client", "The provided client secret keys are expired.", "dicomreg app secret rotate --app " + testClient},
		{700016, 400, "unauthorized_client", "Application with identifier was not found in the directory.", "check --client-id"},
		{1002012, 400, "invalid_scope", "The provided value for scope is not valid.", "/.default"},
		{500011, 400, "invalid_resource", "The resource principal named https://dicom.healthcareapis.azure.com was not found.", "deploy a DICOM service"},
		{123456, 400, "invalid_request", "Something new.", ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			srv := newFakeEntra(t, tt.status, tt.oauthErr, tt.code, tt.desc)
			cred, err := New(Settings{
				Flow: FlowClientSecret, TenantID: testTenant, ClientID: testClient, Secret: testSecret,
				AuthorityHost: srv.URL + "/",
			}, Interaction{Transport: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			_, err = cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://dicom.healthcareapis.azure.com/.default"}})
			var se *SignInError
			if !errors.As(err, &se) {
				t.Fatalf("err = %T %v, want *SignInError", err, err)
			}
			if se.Code != tt.code || se.OAuthError != tt.oauthErr || se.Status != tt.status {
				t.Errorf("got code %d error %q status %d", se.Code, se.OAuthError, se.Status)
			}
			if want := fmt.Sprintf("AADSTS%d: %s", tt.code, tt.desc); se.Description != want {
				t.Errorf("Description = %q, want %q (trace lines dropped)", se.Description, want)
			}
			if !strings.Contains(se.Hint, tt.hint) || (tt.hint == "") != (se.Hint == "") {
				t.Errorf("Hint = %q, want it to contain %q", se.Hint, tt.hint)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Errorf("error text contains the secret: %s", err)
			}
			if srv.sawPath("/discovery/instance") {
				t.Error("asked for instance discovery of a custom authority")
			}
		})
	}
}

func TestExplainPassesOtherErrors(t *testing.T) {
	plain := errors.New("boom")
	if got := Explain(plain, ""); got != plain {
		t.Errorf("Explain(plain) = %v", got)
	}
	if Explain(nil, "") != nil {
		t.Error("Explain(nil) != nil")
	}
}

// The codes FACTS.md lists, each of which must have advice.
var factsCodes = []int{7000218, 7000215, 7000222, 700025, 700027, 700016, 90002, 50011, 65001, 650057,
	70011, 1002012, 500011, 50126, 54005, 501481, 700082, 900144}

func TestHintsCoverFacts(t *testing.T) {
	for _, code := range factsCodes {
		h := Hint(code, "app-id")
		if h == "" {
			t.Errorf("AADSTS%d has no hint", code)
		}
		if strings.Contains(h, appPlaceholder) || strings.Contains(h, "\n") {
			t.Errorf("AADSTS%d hint is not one filled-in line: %q", code, h)
		}
	}
	if h := Hint(7000222, ""); !strings.Contains(h, "--app <app>") {
		t.Errorf("hint without a client id = %q, want <app>", h)
	}
}

func TestCodeIn(t *testing.T) {
	tests := map[string]int{
		"AADSTS7000215: Invalid client secret": 7000215,
		"x AADSTS50126 y":                      50126,
		"no code":                              0,
		"AADSTS99999999999999999999":           0,
	}
	for in, want := range tests {
		if got := codeIn(in); got != want {
			t.Errorf("codeIn(%q) = %d, want %d", in, got, want)
		}
	}
}
