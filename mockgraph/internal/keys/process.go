package keys

import (
	"crypto/rand"
	"crypto/rsa"
	"sync"
)

// One RSA-2048 key per process: generating one takes tens to hundreds of milliseconds, too slow for
// the servers and tests that start by the dozen.
var (
	processOnce sync.Once
	processPriv *rsa.PrivateKey
	processKeys *Keys
)

func initProcessKey() {
	// Neither call can fail here: crypto/rand does not return errors (it aborts the process
	// instead, Go 1.24+), and New refuses only keys smaller than 2048 bits.
	priv, err := rsa.GenerateKey(rand.Reader, MinRSABits)
	if err != nil {
		panic("keys: generating the process key: " + err.Error())
	}
	k, err := New(priv)
	if err != nil {
		panic("keys: " + err.Error())
	}
	processPriv, processKeys = priv, k
}

// ProcessKey is the process's RSA key, generated on first use.
func ProcessKey() *rsa.PrivateKey {
	processOnce.Do(initProcessKey)
	return processPriv
}

// Shared is the process key as Keys, built once. A caller that rotates keys takes a Fork, so
// its rollovers stay its own.
func Shared() *Keys {
	processOnce.Do(initProcessKey)
	return processKeys
}
