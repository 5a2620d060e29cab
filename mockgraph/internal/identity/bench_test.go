package identity

import (
	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// BenchmarkClientCredentialsToken is the handler-level cost of one client-credentials token
// (form parsing, client authentication, resource lookup, claims, RS256 signing, JSON).
func BenchmarkClientCredentialsToken(b *testing.B) {
	e := newEnv(b)
	app := e.addApp(appOpts{})
	h := e.srv.Config.Handler
	path := "/" + e.tid + "/oauth2/v2.0/token"
	body := url.Values{"grant_type": {"client_credentials"}, "client_id": {app.AppID}, "client_secret": {app.Secret}, "scope": {dicomDefault}}.Encode()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
			req.Header.Set("Content-Type", formContentType)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// BenchmarkRS256Sign is the raw signing rate the token endpoint is bounded by.
func BenchmarkRS256Sign(b *testing.B) {
	k := keys.Shared()
	claims := map[string]any{"aud": dicomDefault, "iss": "https://sts.windows.net/x/", "exp": 1, "appid": "a", "roles": []string{"r"}}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := k.Sign(claims); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signs/s")
}
