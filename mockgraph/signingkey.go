package mockgraph

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
)

// The key is generated once per process (keys.ProcessKey) and, for `serve`, cached in a file.

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

// signingKey returns the key to sign tokens with: the active key of the key file when one is
// named and readable, else the process key (written to the key file for next time).
func signingKey(keyFile string) (*rsa.PrivateKey, error) {
	if keyFile == "" || keyFile == "-" {
		return keys.ProcessKey(), nil
	}
	ring, err := readKeyFile(keyFile)
	switch {
	case err == nil:
		return ring[0].Priv, nil
	case errors.Is(err, fs.ErrNotExist):
		k := keys.ProcessKey()
		if err := os.MkdirAll(filepath.Dir(keyFile), 0o700); err != nil {
			return nil, err
		}
		return k, writeKeyFile(keyFile, []keys.RingKey{{Priv: k}})
	default:
		return nil, err
	}
}

// headerRetireAt marks, in the key file, a key a rotation replaced: it stays published until then.
const headerRetireAt = "Retire-At"

// readKeyFile reads the key file: PEM blocks of PKCS#8 RSA keys, the active one first, then the
// keys a rotation replaced, each with the time it retires. A file of one block is what servers
// before rotations were kept wrote, and reads the same.
func readKeyFile(path string) ([]keys.RingKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	var ring []keys.RingKey
	for rest := data; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("signing key %s: %w", path, err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("signing key %s: not an RSA key", path)
		}
		entry := keys.RingKey{Priv: rk}
		if at := block.Headers[headerRetireAt]; at != "" {
			if entry.RetireAt, err = time.Parse(time.RFC3339Nano, at); err != nil {
				return nil, fmt.Errorf("signing key %s: %s: %w", path, headerRetireAt, err)
			}
		}
		ring = append(ring, entry)
	}
	if len(ring) == 0 {
		return nil, fmt.Errorf("signing key %s: no PEM block", path)
	}
	return ring, nil
}

// writeKeyFile replaces the key file with ring, 0600, through a temporary file of its own renamed
// into place: servers starting side by side (parallel CI jobs sharing the user cache) never read
// a half-written file nor rename each other's.
func writeKeyFile(path string, ring []keys.RingKey) error {
	var out []byte
	for _, rk := range ring {
		der, err := x509.MarshalPKCS8PrivateKey(rk.Priv)
		if err != nil {
			return err
		}
		block := &pem.Block{Type: "PRIVATE KEY", Bytes: der}
		if !rk.RetireAt.IsZero() {
			block.Headers = map[string]string{headerRetireAt: rk.RetireAt.UTC().Format(time.RFC3339Nano)}
		}
		out = append(out, pem.EncodeToMemory(block)...)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = tmp.Write(out)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
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
