package identity

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// Client assertion rules (certificate-credentials.md).
const (
	maxAssertionLifetime = 10 * time.Minute
	assertionSkew        = 5 * time.Minute
	maxAssertionLen      = 16 << 10
	certType             = "AsymmetricX509Cert"
)

// assertionClaims are the claims Entra requires in a client assertion.
type assertionClaims struct {
	Aud jwt.ClaimStrings `json:"aud"`
	Iss string           `json:"iss"`
	Sub string           `json:"sub"`
	Jti string           `json:"jti"`
	Nbf *jwt.NumericDate `json:"nbf"`
	Exp *jwt.NumericDate `json:"exp"`
	Iat *jwt.NumericDate `json:"iat"`
}

func (assertionClaims) GetExpirationTime() (*jwt.NumericDate, error) { return nil, nil }
func (assertionClaims) GetIssuedAt() (*jwt.NumericDate, error)       { return nil, nil }
func (assertionClaims) GetNotBefore() (*jwt.NumericDate, error)      { return nil, nil }
func (assertionClaims) GetIssuer() (string, error)                   { return "", nil }
func (assertionClaims) GetSubject() (string, error)                  { return "", nil }
func (assertionClaims) GetAudience() (jwt.ClaimStrings, error)       { return nil, nil }

// assertionIssuer reads iss without verifying, for requests that name the client only there.
func assertionIssuer(assertion string) string {
	var c assertionClaims
	if _, _, err := jwt.NewParser().ParseUnverified(assertion, &c); err != nil {
		return ""
	}
	return c.Iss
}

// verifyAssertion checks a private_key_jwt client assertion against the app's certificates:
// header (RS256+x5t or PS256+x5t#S256), signature, iss = sub = client id, audience = a token URL
// of this host, lifetime at most ten minutes, and a jti. A jti seen before is accepted: Entra
// documents none of a replay check and MSAL (Java before 1.23, Go) reuses one assertion for its
// ten minutes (FIDELITY.md).
func (s *Service) verifyAssertion(assertion string, app *tenant.Application, tokenAudience func(string) bool, now time.Time) *oauthError {
	if len(assertion) > maxAssertionLen {
		return clientErr(codeInvalidJWT, "JWT token is invalid or malformed.")
	}
	var claims assertionClaims
	if head, _, err := jwt.NewParser().ParseUnverified(assertion, &claims); err != nil || (head.Method.Alg() != "RS256" && head.Method.Alg() != "PS256") {
		return clientErr(codeInvalidJWT, "JWT token is invalid or malformed: client assertions are signed with RS256 or PS256.")
	}
	claims = assertionClaims{}
	p := jwt.NewParser(jwt.WithValidMethods([]string{"RS256", "PS256"}), jwt.WithoutClaimsValidation())
	_, err := p.ParseWithClaims(assertion, &claims, func(t *jwt.Token) (any, error) {
		cert, e := findAssertionKey(t.Header, app, now, s.view().CredentialLive)
		if e != nil {
			return nil, e
		}
		return cert.PublicKey, nil
	})
	if err != nil {
		if e, ok := errorsAsOAuth(err); ok {
			return e
		}
		if errors.Is(err, jwt.ErrTokenSignatureInvalid) {
			return clientErr(codeAssertionSignature, "Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value.]")
		}
		return clientErr(codeInvalidJWT, "JWT token is invalid or malformed.")
	}
	if claims.Iss != app.AppID || claims.Sub != app.AppID {
		return clientErr(codeAssertionClientID, "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .")
	}
	audOK := false
	for _, a := range claims.Aud {
		audOK = audOK || tokenAudience(a)
	}
	if !audOK {
		return clientErr(codeAssertionAudience, "Client assertion audience claim does not match Realm issuer. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .")
	}
	if claims.Exp == nil || claims.Jti == "" {
		return clientErr(codeInvalidJWT, "JWT token is invalid or malformed: the exp and jti claims are required.")
	}
	nbf := claims.Exp.Add(-maxAssertionLifetime)
	if claims.Nbf != nil {
		nbf = claims.Nbf.Time
	} else if claims.Iat != nil {
		nbf = claims.Iat.Time
	}
	if claims.Exp.Sub(nbf) > maxAssertionLifetime || now.Before(nbf.Add(-assertionSkew)) || !now.Before(claims.Exp.Add(assertionSkew)) {
		return clientErr(codeAssertionTimeRange, "Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s.",
			now.Format(time.RFC3339), nbf.UTC().Format(time.RFC3339), claims.Exp.UTC().Format(time.RFC3339))
	}
	return nil
}

// findAssertionKey picks the uploaded certificate the header's thumbprint names, if it is
// current and the token service has learnt of it (live). RS256 names it by x5t (SHA-1), PS256 by
// x5t#S256 (SHA-256).
func findAssertionKey(h map[string]any, app *tenant.Application, now time.Time, live func(added time.Time) bool) (*x509.Certificate, error) {
	alg, _ := h["alg"].(string)
	x5t, _ := h["x5t"].(string)
	x5t256, _ := h["x5t#S256"].(string)
	var want []byte
	sha256Thumb := false
	switch {
	case x5t256 != "":
		want, sha256Thumb = decodeThumbprint(x5t256), true
	case x5t != "" && alg == "RS256":
		want = decodeThumbprint(x5t)
	default:
		return nil, clientErr(codeInvalidJWT, "JWT token is invalid or malformed: the header must carry x5t (RS256) or x5t#S256 (PS256).")
	}
	if want == nil {
		return nil, clientErr(codeInvalidJWT, "JWT token is invalid or malformed: the certificate thumbprint is not base64url.")
	}
	expired := false
	for _, k := range app.KeyCredentials {
		if k.Type != certType {
			continue
		}
		var sum []byte
		if sha256Thumb {
			s := sha256.Sum256(k.Key)
			sum = s[:]
		} else {
			s := sha1.Sum(k.Key)
			sum = s[:]
		}
		if !bytes.Equal(sum, want) || !live(k.AddedDateTime) {
			continue
		}
		if now.Before(k.StartDateTime) || !now.Before(k.EndDateTime) {
			expired = true
			continue
		}
		cert, err := x509.ParseCertificate(k.Key)
		if err != nil {
			continue
		}
		return cert, nil
	}
	reason := "The key was not found."
	if expired {
		reason = "The key used is expired."
	}
	return nil, clientErr(codeAssertionSignature, "Client assertion contains an invalid signature. [Reason - %s, Thumbprint of key used by client: '%X']", reason, want)
}

// decodeThumbprint reads x5t / x5t#S256. The spec says base64url; some clients (MSAL Go among
// them) send standard base64 with padding, which Entra accepts too.
func decodeThumbprint(s string) []byte {
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b
		}
	}
	return nil
}
