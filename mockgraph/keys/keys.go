// Package keys holds the mock's token-signing key: it mints RS256 JWTs, publishes them as JWKS,
// and validates the tokens every protected surface (Graph, ARM, DICOMweb) receives.
package keys

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"time"
)

// Keys signs and validates tokens with one RSA key and its self-signed certificate.
type Keys struct {
	priv    *rsa.PrivateKey
	certDER []byte
	kid     string // base64url SHA-1 of the certificate, as Entra's kid and x5t
	jwks    []byte
	signer  *upgradingSigner
	header  string // the JWT header segment, the same for every token
}

// The JWKS certificate's validity is fixed, not taken from a clock: the certificate, and so the
// kid (its thumbprint), then depend on the key alone, and tokens outlive a restart.
var (
	certNotBefore = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	certNotAfter  = time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC)
)

// New wraps priv with a self-signed certificate (deterministic for a given key).
func New(priv *rsa.PrivateKey) (*Keys, error) {
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "dicomreg mockgraph token signing"},
		NotBefore:             certNotBefore,
		NotAfter:              certNotAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, fmt.Errorf("keys: self-signed certificate: %w", err)
	}
	sum := sha1.Sum(der)
	k := &Keys{priv: priv, certDER: der, kid: base64.RawURLEncoding.EncodeToString(sum[:]), signer: newSigner(priv)}
	// Entra's header: typ, alg, x5t, kid, in that order.
	k.header = base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT","alg":"RS256","x5t":"` + k.kid + `","kid":"` + k.kid + `"}`))
	k.jwks, err = json.Marshal(map[string]any{"keys": []any{k.jwk()}})
	return k, err
}

// Backend names the RSA implementation that signs ("OpenSSL 3.0.x" or "go crypto/rsa").
func (k *Keys) Backend() string { return k.signer.backend() }

// AwaitBackend waits until the fastest available RSA implementation signs (a few ms after New),
// and returns its name.
func (k *Keys) AwaitBackend() string {
	k.signer.wait()
	return k.signer.backend()
}

// Generate makes a new 2048-bit key.
func Generate() (*Keys, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return New(priv)
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
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("keys: claims: %w", err)
	}
	enc := base64.RawURLEncoding
	b := make([]byte, 0, len(k.header)+1+enc.EncodedLen(len(payload))+1+enc.EncodedLen(k.priv.Size()))
	b = append(b, k.header...)
	b = append(b, '.')
	b = enc.AppendEncode(b, payload)
	digest := sha256.Sum256(b)
	sig, err := k.signer.signSHA256(digest[:])
	if err != nil {
		return "", fmt.Errorf("keys: sign: %w", err)
	}
	b = append(b, '.')
	b = enc.AppendEncode(b, sig)
	return string(b), nil
}
