//go:build cgo && linux

package keys

import (
	"crypto"
	"crypto/rsa"
	"math/big"
	"sync"

	"github.com/golang-fips/openssl/v2"
	"github.com/golang-fips/openssl/v2/bbig"
)

// libcrypto is loaded with dlopen at run time, so building needs no OpenSSL headers and a
// machine without the library falls back to crypto/rsa.
var libcryptoNames = []string{"libcrypto.so.3", "libcrypto.so.1.1"}

var (
	opensslOnce sync.Once
	opensslOK   bool
)

func loadOpenSSL() bool {
	opensslOnce.Do(func() {
		for _, name := range libcryptoNames {
			if exists, _ := openssl.CheckVersion(name); exists && openssl.Init(name) == nil {
				opensslOK = true
				return
			}
		}
	})
	return opensslOK
}

type opensslSigner struct{ key *openssl.PrivateKeyRSA }

func newOpenSSLSigner(priv *rsa.PrivateKey) signer {
	if !loadOpenSSL() || len(priv.Primes) != 2 {
		return nil
	}
	priv.Precompute()
	p := priv.Precomputed
	key, err := openssl.NewPrivateKeyRSA(bbig.Enc(priv.N), bbig.Enc(big.NewInt(int64(priv.E))), bbig.Enc(priv.D),
		bbig.Enc(priv.Primes[0]), bbig.Enc(priv.Primes[1]), bbig.Enc(p.Dp), bbig.Enc(p.Dq), bbig.Enc(p.Qinv))
	if err != nil {
		return nil
	}
	return opensslSigner{key}
}

func (o opensslSigner) signSHA256(digest []byte) ([]byte, error) {
	return openssl.SignRSAPKCS1v15(o.key, crypto.SHA256, digest)
}

func (opensslSigner) backend() string { return openssl.VersionText() }
