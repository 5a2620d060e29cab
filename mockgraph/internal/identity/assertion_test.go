package identity

import (
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net/url"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// assertion builds a client assertion; mutate adjusts header and claims before signing.
func assertion(t *testing.T, cert *x509.Certificate, key *rsa.PrivateKey, method jwt.SigningMethod, claims jwt.MapClaims, header map[string]any) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	for k, v := range header {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestClientAssertions(t *testing.T) {
	e := newEnv(t)
	app := e.addApp(appOpts{})
	cert, key := e.uploadCert(app.AppID, e.clock.Now().AddDate(1, 0, 0))
	other := e.addApp(appOpts{})
	expiredCert, expiredKey := e.uploadCert(other.AppID, e.clock.Now().Add(time.Hour))
	s1 := sha1.Sum(cert.Raw)
	s256 := sha256.Sum256(cert.Raw)
	x5t := base64.RawURLEncoding.EncodeToString(s1[:])
	x5t256 := base64.RawURLEncoding.EncodeToString(s256[:])
	now := e.clock.Now()
	n := 0
	claims := func(mut func(jwt.MapClaims)) jwt.MapClaims {
		n++
		c := jwt.MapClaims{"aud": e.tokenURL(), "iss": app.AppID, "sub": app.AppID, "jti": "jti-" + string(rune('a'+n)),
			"nbf": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
		if mut != nil {
			mut(c)
		}
		return c
	}
	rs := map[string]any{"x5t": x5t}
	ps := map[string]any{"x5t#S256": x5t256}
	replayed := assertion(t, cert, key, jwt.SigningMethodRS256, claims(nil), rs)

	tests := []struct {
		name      string
		clientID  string
		assertion func() string
		advance   time.Duration
		wantCode  int // 0: success
	}{
		{"RS256 with x5t", app.AppID, func() string { return replayed }, 0, 0},
		{"PS256 with x5t#S256", app.AppID, func() string { return assertion(t, cert, key, jwt.SigningMethodPS256, claims(nil), ps) }, 0, 0},
		{"v1 token URL as aud", app.AppID, func() string {
			return assertion(t, cert, key, jwt.SigningMethodRS256, claims(func(c jwt.MapClaims) { c["aud"] = e.srv.URL + "/" + e.tid + "/oauth2/token" }), rs)
		}, 0, 0},
		{"client id only in iss", "", func() string { return assertion(t, cert, key, jwt.SigningMethodRS256, claims(nil), rs) }, 0, 0},
		{"jti reused, as MSAL reuses an assertion", app.AppID, func() string { return replayed }, 0, 0},
		{"wrong audience", app.AppID, func() string {
			return assertion(t, cert, key, jwt.SigningMethodRS256, claims(func(c jwt.MapClaims) { c["aud"] = "https://login.microsoftonline.com/x/oauth2/v2.0/token" }), rs)
		}, 0, codeAssertionAudience},
		{"iss is another app", app.AppID, func() string {
			return assertion(t, cert, key, jwt.SigningMethodRS256, claims(func(c jwt.MapClaims) { c["iss"] = other.AppID }), rs)
		}, 0, codeAssertionClientID},
		{"lifetime over ten minutes", app.AppID, func() string {
			return assertion(t, cert, key, jwt.SigningMethodRS256, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(11 * time.Minute).Unix() }), rs)
		}, 0, codeAssertionTimeRange},
		{"expired", app.AppID, func() string {
			return assertion(t, cert, key, jwt.SigningMethodRS256, claims(func(c jwt.MapClaims) {
				c["nbf"], c["exp"] = now.Add(-20*time.Minute).Unix(), now.Add(-15*time.Minute).Unix()
			}), rs)
		}, 0, codeAssertionTimeRange},
		{"signed by another key", app.AppID, func() string {
			return assertion(t, cert, expiredKey, jwt.SigningMethodRS256, claims(nil), rs)
		}, 0, codeAssertionSignature},
		{"thumbprint of an unknown cert", app.AppID, func() string {
			s := sha1.Sum(expiredCert.Raw)
			return assertion(t, cert, key, jwt.SigningMethodRS256, claims(nil), map[string]any{"x5t": base64.RawURLEncoding.EncodeToString(s[:])})
		}, 0, codeAssertionSignature},
		{"PS256 with only x5t", app.AppID, func() string { return assertion(t, cert, key, jwt.SigningMethodPS256, claims(nil), rs) }, 0, codeInvalidJWT},
		{"HS256", app.AppID, func() string {
			tok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(nil)).SignedString([]byte("k"))
			return tok
		}, 0, codeInvalidJWT},
		{"certificate expired", other.AppID, func() string {
			s := sha1.Sum(expiredCert.Raw)
			return assertion(t, expiredCert, expiredKey, jwt.SigningMethodRS256, claims(func(c jwt.MapClaims) {
				c["iss"], c["sub"] = other.AppID, other.AppID
				c["nbf"], c["exp"] = now.Add(2*time.Hour).Unix(), now.Add(2*time.Hour+5*time.Minute).Unix()
			}), map[string]any{"x5t": base64.RawURLEncoding.EncodeToString(s[:])})
		}, 2 * time.Hour, codeAssertionSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.clock.Advance(tt.advance)
			form := url.Values{"grant_type": {"client_credentials"}, "scope": {dicomDefault},
				"client_assertion_type": {assertionTypeJWTBearer}, "client_assertion": {tt.assertion()}}
			if tt.clientID != "" {
				form.Set("client_id", tt.clientID)
			}
			status, body := e.post(e.tokenURL(), form)
			if tt.wantCode == 0 {
				if status != 200 {
					t.Fatalf("%d %v", status, body["error_description"])
				}
				wantClaims(t, claimsOf(t, body["access_token"].(string)), map[string]any{"appidacr": "2"})
				return
			}
			assertError(t, status, body, 401, errInvalidClient, tt.wantCode)
		})
	}
}
