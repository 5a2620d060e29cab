package conformance

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// tokenBehaviours send the DICOM endpoint tokens it must refuse with 401 and a Bearer challenge.
// Each starts from a token that works (the control), so a 401 is about the change alone.
var tokenBehaviours = []behaviour{
	{"dicom-auth/no-token", 0, func(c *Case) { c.wantUnauthorized("", "no token") }},
	{"dicom-auth/alg-none", NeedDICOMService, forgeAlgNone},
	{"dicom-auth/hs256-with-public-key", NeedDICOMService, forgeHS256},
	{"dicom-auth/unknown-kid", NeedDICOMService, forgeUnknownKid},
	{"dicom-auth/tampered-payload", NeedDICOMService, forgeTampered},
	{"dicom-auth/wrong-audience", 0, wrongAudience},
	{"dicom-auth/expired", NeedDICOMService | NeedClock, expiredToken},
}

// tokenParts splits a JWT and decodes its header and claims.
func tokenParts(c *Case, token string) (header, payload map[string]any) {
	c.t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		c.Fatalf("token is not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	c.must(err, "decode token header")
	c.must(json.Unmarshal(raw, &header), "decode token header")
	payload, err = claims(token)
	c.must(err, "decode token")
	return header, payload
}

func forgeAlgNone(c *Case) {
	_, tok := roleToken(c, roleDICOMDataOwner)
	_, payload := tokenParts(c, tok)
	forged, err := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims(payload)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	c.must(err, "forge")
	c.wantUnauthorized(forged, "alg none")
}

// forgeHS256 signs with HMAC keyed by the service's own public key, the classic algorithm
// confusion attack on validators that take the algorithm from the token.
func forgeHS256(c *Case) {
	_, tok := roleToken(c, roleDICOMDataOwner)
	header, payload := tokenParts(c, tok)
	kid, _ := header["kid"].(string)
	pub := c.publishedKey(kid)
	der, err := x509.MarshalPKIXPublicKey(pub)
	c.must(err, "encode public key")
	secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims(payload))
	t.Header["kid"] = kid
	forged, err := t.SignedString(secret)
	c.must(err, "forge")
	c.wantUnauthorized(forged, "HS256 signed with the public key")
}

func forgeUnknownKid(c *Case) {
	_, tok := roleToken(c, roleDICOMDataOwner)
	_, payload := tokenParts(c, tok)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	c.must(err, "make a key")
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(payload))
	t.Header["kid"] = "dicomreg-conformance-unknown"
	t.Header["x5t"] = "dicomreg-conformance-unknown"
	forged, err := t.SignedString(key)
	c.must(err, "forge")
	c.wantUnauthorized(forged, "RS256 with a key not in the JWKS")
}

func forgeTampered(c *Case) {
	_, tok := roleToken(c, roleDICOMDataOwner)
	_, payload := tokenParts(c, tok)
	exp, _ := numericClaim(payload, "exp")
	payload["exp"] = exp.Add(24 * time.Hour).Unix()
	body, err := json.Marshal(payload)
	c.must(err, "encode claims")
	parts := strings.Split(tok, ".")
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString(body) + "." + parts[2]
	c.wantUnauthorized(forged, "payload changed after signing")
}

// wrongAudience sends a genuine token of the tenant that is for Microsoft Graph.
func wrongAudience(c *Case) {
	cred, err := c.s.adminCredential()
	c.must(err, "admin credential")
	c.wantUnauthorized(c.getToken(cred, graphScope), "a Graph token (aud https://graph.microsoft.com)")
}

// expiredToken moves the target's clock past the token's exp and the validator's skew.
func expiredToken(c *Case) {
	_, tok := roleToken(c, roleDICOMDataOwner)
	_, payload := tokenParts(c, tok)
	iat, ok1 := numericClaim(payload, "iat")
	exp, ok2 := numericClaim(payload, "exp")
	if !ok1 || !ok2 {
		c.Fatalf("token lacks iat or exp")
	}
	c.advance(exp.Sub(iat) + 10*time.Minute) // Microsoft's validators allow 5 minutes of skew
	c.wantUnauthorized(tok, "expired token")
}

// publishedKey finds kid in the JWKS the tenant's discovery document names, as a validator does.
func (c *Case) publishedKey(kid string) *rsa.PublicKey {
	c.t.Helper()
	var disc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	c.must(c.getJSON(c.tgt().AuthorityHost+c.tgt().TenantID+"/v2.0/.well-known/openid-configuration", &disc), "discovery document")
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
			N   string `json:"n"`
			E   string `json:"e"`
		} `json:"keys"`
	}
	c.must(c.getJSON(disc.JWKSURI, &set), "JWKS")
	for _, k := range set.Keys {
		if k.Kid != kid {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil {
			c.Fatalf("JWKS key %s has a bad n or e", kid)
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	c.Fatalf("kid %q is not in the JWKS at %s", kid, disc.JWKSURI)
	return nil
}

// getJSON fetches an unauthenticated JSON document.
func (c *Case) getJSON(url string, out any) error {
	req, err := http.NewRequestWithContext(c.ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.tgt().client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(out)
}
