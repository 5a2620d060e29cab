package mockgraph

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
)

// RSA-2048 generation takes tens to hundreds of milliseconds, too slow for a server that tests
// start once each; so the key is generated once per process and, for `serve`, cached in a file.
var (
	processKeyOnce sync.Once
	processKey     *rsa.PrivateKey
	processKeyErr  error
)

func sharedProcessKey() (*rsa.PrivateKey, error) {
	processKeyOnce.Do(func() { processKey, processKeyErr = rsa.GenerateKey(rand.Reader, 2048) })
	return processKey, processKeyErr
}

// keysByPrivateKey holds the keys.Keys made for each signing key: its certificate and OpenSSL
// key take about 2 ms to build, which every server started in a test would otherwise pay.
var keysByPrivateKey sync.Map // *rsa.PrivateKey → *keys.Keys

// tokenKeys returns the signing keys for priv, built once per key and process.
func tokenKeys(priv *rsa.PrivateKey) (*keys.Keys, error) {
	if k, ok := keysByPrivateKey.Load(priv); ok {
		return k.(*keys.Keys), nil
	}
	k, err := keys.New(priv)
	if err != nil {
		return nil, err
	}
	stored, _ := keysByPrivateKey.LoadOrStore(priv, k)
	return stored.(*keys.Keys), nil
}

// signingKey returns the key to sign tokens with: from the cache file when one is named and
// readable, else the process key (written to the cache file for next time).
func signingKey(cacheFile string) (*rsa.PrivateKey, error) {
	if cacheFile == "" || cacheFile == "-" {
		return sharedProcessKey()
	}
	data, err := os.ReadFile(cacheFile)
	switch {
	case err == nil:
		block, _ := pem.Decode(data)
		if block == nil {
			return nil, fmt.Errorf("signing key %s: no PEM block", cacheFile)
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("signing key %s: %w", cacheFile, err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("signing key %s: not an RSA key", cacheFile)
		}
		return rk, nil
	case errors.Is(err, fs.ErrNotExist):
		k, err := sharedProcessKey()
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(cacheFile), 0o700); err != nil {
			return nil, err
		}
		// A temporary file of its own, renamed into place: servers starting side by side (parallel
		// CI jobs sharing the user cache) never read a half-written key nor rename each other's.
		tmp, err := os.CreateTemp(filepath.Dir(cacheFile), filepath.Base(cacheFile)+".*.tmp")
		if err != nil {
			return nil, err
		}
		_, werr := tmp.Write(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
		if cerr := tmp.Close(); werr == nil {
			werr = cerr
		}
		if werr == nil {
			werr = os.Rename(tmp.Name(), cacheFile)
		}
		if werr != nil {
			os.Remove(tmp.Name())
			return nil, werr
		}
		return k, nil
	default:
		return nil, fmt.Errorf("signing key %s: %w", cacheFile, err)
	}
}

// defaultKeyFile is where `serve` caches its key when no state file says otherwise.
func defaultKeyFile(statePath string) string {
	if statePath != "" {
		return statePath + ".signing-key.pem"
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "-"
	}
	return filepath.Join(dir, "dicomreg", "mockgraph-signing-key.pem")
}
