package keys

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"os"
)

// BackendEnv names the environment variable that forces the pure-Go RSA signer ("go"), for
// comparing the two backends; unset, the fastest available one is used.
const BackendEnv = "MOCKGRAPH_RSA_BACKEND"

// Backend names.
const (
	BackendGo      = "go crypto/rsa"
	backendForceGo = "go"
)

// signer makes RS256 (RSASSA-PKCS1-v1_5 over SHA-256) signatures. Signing is nearly all of what a
// token costs, so the token endpoint's rate is this signer's rate (README, Performance).
type signer interface {
	signSHA256(digest []byte) ([]byte, error)
	backend() string
}

// newSigner returns OpenSSL's RSA when this build and machine have it and it agrees with
// crypto/rsa on a test signature, and crypto/rsa otherwise.
func newSigner(priv *rsa.PrivateKey) signer {
	if os.Getenv(BackendEnv) != backendForceGo {
		if s := newOpenSSLSigner(priv); s != nil && agrees(s, &priv.PublicKey) {
			return s
		}
	}
	return goSigner{priv}
}

// agrees checks one signature of s with crypto/rsa's verifier, so that a broken or mismatched
// library is never used.
func agrees(s signer, pub *rsa.PublicKey) bool {
	digest := sha256.Sum256([]byte("dicomreg mockgraph signer self-test"))
	sig, err := s.signSHA256(digest[:])
	return err == nil && rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) == nil
}

type goSigner struct{ priv *rsa.PrivateKey }

func (g goSigner) signSHA256(digest []byte) ([]byte, error) {
	return rsa.SignPKCS1v15(nil, g.priv, crypto.SHA256, digest)
}

func (goSigner) backend() string { return BackendGo }
