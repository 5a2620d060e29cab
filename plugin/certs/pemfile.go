package certs

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/dicomreg/dicomreg/plugin/secretfile"
)

// PEM block types, as azidentity.ParseCertificates reads them.
const (
	blockCertificate = "CERTIFICATE"
	blockPrivateKey  = "PRIVATE KEY"
)

// maxCertFileSize bounds what LoadCertificate reads: certificate files are a few kilobytes.
const maxCertFileSize = 1 << 20

// PEM is the certificate and its PKCS#8 private key as one PEM file's content, as
// azidentity.ParseCertificates reads it. Write it with plugin/secretfile (0600, never over
// another file without --force).
func PEM(p *Pair) ([]byte, error) {
	if p == nil || p.Cert == nil || p.Key == nil {
		return nil, errors.New("certificate and key are both required")
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(p.Key)
	if err != nil {
		return nil, fmt.Errorf("encoding private key: %w", err)
	}
	var b bytes.Buffer
	if err := writeBlocks(&b, p.Cert.Raw, keyDER); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WritePEM writes PEM(p) to path, mode 0600, whole or not at all, replacing whatever is there:
// for tests and tools that own the path; commands write through secretfile's rules instead.
func WritePEM(path string, p *Pair) error {
	data, err := PEM(p)
	if err != nil {
		return err
	}
	return secretfile.Write(path, data, secretfile.Options{Force: true})
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
