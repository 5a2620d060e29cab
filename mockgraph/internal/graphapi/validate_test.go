package graphapi

import (
	"net/http"
	"strings"
	"testing"
)

// TestNamesAndLimits: what Entra refuses in an application's names, lists and redirect URIs.
func TestNamesAndLimits(t *testing.T) {
	e := newEnv(t)
	tags := make([]string, maxTags+1)
	for i := range tags {
		tags[i] = "t"
	}
	refused := map[string]map[string]any{
		"long displayName":  {"displayName": strings.Repeat("n", maxDisplayName+1)},
		"too many tags":     {"displayName": "x", "tags": tags},
		"long tag":          {"displayName": "x", "tags": []string{strings.Repeat("t", maxTag+1)}},
		"javascript: URI":   {"displayName": "x", "publicClient": map[string]any{"redirectUris": []string{"javascript:alert(1)"}}},
		"data: URI":         {"displayName": "x", "publicClient": map[string]any{"redirectUris": []string{"data:text/html,hi"}}},
		"wildcard":          {"displayName": "x", "web": map[string]any{"redirectUris": []string{"https://*.example.com/cb"}}},
		"fragment":          {"displayName": "x", "web": map[string]any{"redirectUris": []string{"https://app.example.com/cb#frag"}}},
		"http not loopback": {"displayName": "x", "web": map[string]any{"redirectUris": []string{"http://app.example.com/cb"}}},
		"custom scheme web": {"displayName": "x", "spa": map[string]any{"redirectUris": []string{"myapp://cb"}}},
		"long redirect":     {"displayName": "x", "web": map[string]any{"redirectUris": []string{"https://app.example.com/" + strings.Repeat("p", maxRedirectURI)}}},
	}
	for name, body := range refused {
		res := e.call(http.MethodPost, "/v1.0/applications", body)
		if res.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, res.status, res.raw)
		}
	}
	e.createApp("fine", map[string]any{"displayName": strings.Repeat("n", maxDisplayName), "tags": []string{"a", "b"},
		"web":          map[string]any{"redirectUris": []string{"https://app.example.com/cb", "http://localhost:8400/cb"}},
		"publicClient": map[string]any{"redirectUris": []string{"http://localhost", "msal00000000-0000-0000-0000-000000000000://auth"}}})
	res := e.call(http.MethodPost, "/v1.0/applications", []byte("{\"displayName\":\"\xff\xfe\"}"))
	if res.status != http.StatusBadRequest {
		t.Errorf("invalid UTF-8: %d %s", res.status, res.raw)
	}
}
