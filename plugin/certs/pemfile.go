package certs

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// PEM block types, as azidentity.ParseCertificates reads them.
const (
	blockCertificate = "CERTIFICATE"
	blockPrivateKey  = "PRIVATE KEY"
)

// maxCertFileSize bounds what LoadCertificate reads: certificate files are a few kilobytes.
const maxCertFileSize = 1 << 20

// keyFileMode keeps a private key readable by its owner only.
const keyFileMode = 0o600

// WritePEM writes the certificate and its PKCS#8 private key to path as one PEM file with mode
// 0600. The file is created 0600 under a temporary name and renamed into place, so the key is
// never readable by others, even for a moment, and a crash never leaves half a file at path.
func WritePEM(path string, p *Pair) error {
	if p == nil || p.Cert == nil || p.Key == nil {
		return errors.New("certificate and key are both required")
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(p.Key)
	if err != nil {
		return fmt.Errorf("encoding private key: %w", err)
	}
	// os.CreateTemp creates the file with mode 0600.
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op once renamed
	if err := writeBlocks(f, p.Cert.Raw, keyDER); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Chmod(keyFileMode); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func writeBlocks(w io.Writer, certDER, keyDER []byte) error {
	if err := pem.Encode(w, &pem.Block{Type: blockCertificate, Bytes: certDER}); err != nil {
		return err
	}
	return pem.Encode(w, &pem.Block{Type: blockPrivateKey, Bytes: keyDER})
}

// EncodeCertificatePEM is the certificate alone as PEM, to share with whoever uploads it.
func EncodeCertificatePEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: blockCertificate, Bytes: c.Raw})
}

// LoadCertificate reads a certificate from a PEM file (the first CERTIFICATE block; other blocks,
// a private key included, are ignored) or a DER file.
func LoadCertificate(path string) (*x509.Certificate, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCertFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxCertFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes; not a certificate file", path, maxCertFileSize)
	}
	c, err := ParseCertificate(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseCertificate reads a certificate from PEM (first CERTIFICATE block) or DER bytes.
func ParseCertificate(data []byte) (*x509.Certificate, error) {
	rest := data
	sawPEM := false
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		sawPEM = true
		if block.Type == blockCertificate {
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("invalid certificate: %w", err)
			}
			return c, nil
		}
	}
	if sawPEM {
		return nil, errors.New("no CERTIFICATE block in the PEM file")
	}
	c, err := x509.ParseCertificate(data)
	if err != nil {
		return nil, errors.New("not a PEM or DER certificate")
	}
	return c, nil
}
