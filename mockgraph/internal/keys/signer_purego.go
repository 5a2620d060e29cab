//go:build !(cgo && linux)

package keys

import "crypto/rsa"

// Without cgo there is no OpenSSL: crypto/rsa signs.
func newOpenSSLSigner(*rsa.PrivateKey) signer { return nil }
