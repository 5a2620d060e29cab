// Package certs makes and reads the X.509 certificates an app registration uses as a client
// credential: a self-signed certificate like PowerShell's New-SelfSignedCertificate, written as one
// PEM file (certificate + PKCS#8 key) that azidentity and AZURE_CLIENT_CERTIFICATE_PATH read.
package certs

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// DefaultKeyBits is the RSA key size of a new certificate; Entra accepts 2048 and above.
const DefaultKeyBits = 2048

// backdate is how far before "now" a new certificate becomes valid, so a token service whose clock
// runs slightly behind ours still accepts it (New-SelfSignedCertificate backdates 10 minutes too).
const backdate = 10 * time.Minute

// Pair is a certificate and its private key.
type Pair struct {
	Cert *x509.Certificate
	Key  *rsa.PrivateKey
}

// SelfSigned makes a self-signed client-authentication certificate for CN=subject, valid from now
// for validity: RSA 2048, SHA-256, key usage digital signature, extended key usage client auth.
func SelfSigned(subject string, validity time.Duration) (*Pair, error) {
	return SelfSignedAt(subject, time.Now(), validity)
}

// SelfSignedAt is SelfSigned by the caller's clock.
func SelfSignedAt(subject string, now time.Time, validity time.Duration) (*Pair, error) {
	if subject == "" {
		return nil, errors.New("certificate subject is empty")
	}
	if validity <= 0 {
		return nil, fmt.Errorf("certificate validity must be positive, got %s", validity)
	}
	key, err := rsa.GenerateKey(rand.Reader, DefaultKeyBits)
	if err != nil {
		return nil, fmt.Errorf("generating RSA key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("generating serial number: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: subject},
		NotBefore:             now.Add(-backdate).UTC(),
		NotAfter:              now.Add(validity).UTC(),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		SignatureAlgorithm:    x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("signing certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("reading back certificate: %w", err)
	}
	return &Pair{Cert: cert, Key: key}, nil
}

// Thumbprint is the certificate's SHA-1 hash: Graph's keyCredential customKeyIdentifier and the
// x5t header of a client assertion.
func Thumbprint(c *x509.Certificate) []byte {
	sum := sha1.Sum(c.Raw)
	return sum[:]
}
