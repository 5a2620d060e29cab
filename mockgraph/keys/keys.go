// Package keys holds the mock's token-signing key: it mints RS256 JWTs, publishes them as JWKS,
// and validates the tokens every protected surface (Graph, ARM, DICOMweb) receives.
package keys

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Keys signs and validates tokens with one RSA key and its self-signed certificate.
type Keys struct {
	priv    *rsa.PrivateKey
	certDER []byte
	kid     string // base64url SHA-1 of the certificate, as Entra's kid and x5t
	jwks    []byte
}

// New wraps priv with a self-signed certificate valid from notBefore for ten years.
func New(priv *rsa.PrivateKey, notBefore time.Time) (*Keys, error) {
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "dicomreg mockgraph token signing"},
		NotBefore:             notBefore.Add(-time.Hour),
		NotAfter:              notBefore.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, fmt.Errorf("keys: self-signed certificate: %w", err)
	}
	sum := sha1.Sum(der)
	k := &Keys{priv: priv, certDER: der, kid: base64.RawURLEncoding.EncodeToString(sum[:])}
	k.jwks, err = json.Marshal(map[string]any{"keys": []any{k.jwk()}})
	return k, err
}

// Generate makes a new 2048-bit key.
func Generate(notBefore time.Time) (*Keys, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return New(priv, notBefore)
}

// KeyID is the kid (and x5t) in every token's header.
func (k *Keys) KeyID() string { return k.kid }

// Public returns the public key.
func (k *Keys) Public() *rsa.PublicKey { return &k.priv.PublicKey }

// PrivateKey returns the signing key (for persisting it).
func (k *Keys) PrivateKey() *rsa.PrivateKey { return k.priv }

func (k *Keys) jwk() map[string]any {
	pub := k.priv.PublicKey
	return map[string]any{
		"kty": "RSA", "use": "sig", "kid": k.kid, "x5t": k.kid,
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		"x5c": []string{base64.StdEncoding.EncodeToString(k.certDER)},
	}
}

// JWKS is the key set document (`/discovery/v2.0/keys`).
func (k *Keys) JWKS() []byte { return k.jwks }

// Sign mints an RS256 JWT over claims, with typ, kid and x5t in its header as Entra sends them.
func (k *Keys) Sign(claims map[string]any) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims))
	t.Header["kid"] = k.kid
	t.Header["x5t"] = k.kid
	return t.SignedString(k.priv)
}
