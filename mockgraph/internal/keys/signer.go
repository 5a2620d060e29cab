package keys

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"os"
	"sync/atomic"
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

// newSigner returns a signer that uses crypto/rsa at once and OpenSSL's RSA as soon as it is
// loaded, if this build and machine have it and it agrees with crypto/rsa on a test signature.
// Loading libcrypto takes ~7 ms, so it happens beside start-up, not on its path.
func newSigner(priv *rsa.PrivateKey) *upgradingSigner {
	u := &upgradingSigner{fallback: goSigner{priv}, loaded: make(chan struct{})}
	if os.Getenv(BackendEnv) == backendForceGo {
		close(u.loaded)
		return u
	}
	go func() {
		defer close(u.loaded)
		if s := newOpenSSLSigner(priv); s != nil && agrees(s, &priv.PublicKey) {
			u.fast.Store(&s)
		}
	}()
	return u
}

// upgradingSigner signs with fast once it is set, with fallback until then.
type upgradingSigner struct {
	fallback goSigner
	fast     atomic.Pointer[signer]
	loaded   chan struct{} // closed when fast is set or known to be unavailable
}

func (u *upgradingSigner) current() signer {
	if p := u.fast.Load(); p != nil {
		return *p
	}
	return u.fallback
}

func (u *upgradingSigner) signSHA256(digest []byte) ([]byte, error) {
	return u.current().signSHA256(digest)
}

func (u *upgradingSigner) backend() string { return u.current().backend() }

// wait blocks until the faster backend is in use or known to be unavailable.
func (u *upgradingSigner) wait() { <-u.loaded }

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
