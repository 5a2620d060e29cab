package converge

import (
	"bytes"
	"crypto/x509"
	"fmt"

	"github.com/dicomreg/dicomreg/plugin/certs"
	"github.com/dicomreg/dicomreg/plugin/secretfile"
)

// Graph's keyCredential values for an uploaded client certificate (keycredential.md).
const (
	KeyTypeX509 = "AsymmetricX509Cert"
	KeyUsage    = "Verify"
)

// KeyOf is the keyCredential that uploads the certificate's public part.
func KeyOf(c *x509.Certificate) KeyCredential {
	start, end := c.NotBefore.UTC(), c.NotAfter.UTC()
	return KeyCredential{
		// Chosen here, as the Terraform azuread provider chooses a certificate's key_id, so the
		// command that uploads it can show it without reading the app back.
		KeyID:               newGUID(),
		CustomKeyIdentifier: certs.Thumbprint(c),
		DisplayName:         "CN=" + c.Subject.CommonName,
		StartDateTime:       &start,
		EndDateTime:         &end,
		Key:                 c.Raw,
		Type:                KeyTypeX509,
		Usage:               KeyUsage,
	}
}

// HasCertificate finds c among keys by thumbprint.
func HasCertificate(keys []KeyCredential, c *x509.Certificate) (KeyCredential, bool) {
	thumb := certs.Thumbprint(c)
	for _, k := range keys {
		if bytes.Equal(k.CustomKeyIdentifier, thumb) {
			return k, true
		}
	}
	return KeyCredential{}, false
}

// certificate makes (reg.Cert) or loads (reg.CertFile) the certificate to upload, or nil when
// none was asked or the existing app already has it. A made certificate and its key are on
// disk before anything is uploaded, so the app never trusts a certificate whose key is lost.
func (r *register) certificate(existing *Application) (*KeyCredential, error) {
	var have []KeyCredential
	if existing != nil {
		have = existing.KeyCredentials
	}
	switch {
	case r.reg.Cert:
		displayName := "CN=" + r.reg.Name
		for _, k := range have {
			if k.DisplayName == displayName && k.EndDateTime != nil && k.EndDateTime.After(r.now()) {
				return nil, nil // made by an earlier run and still valid
			}
		}
		pair, err := certs.SelfSignedAt(r.reg.Name, r.now(), CertificateValidity)
		if err != nil {
			return nil, err
		}
		out := r.reg.CertOut
		if out == "" {
			out = r.reg.Name + ".pem"
		}
		data, err := certs.PEM(pair)
		if err != nil {
			return nil, err
		}
		if err := secretfile.Write(out, data, secretfile.Options{Force: r.reg.Force}); err != nil {
			return nil, err
		}
		r.res.CertificateFile = out
		return r.upload(pair.Cert), nil
	case r.reg.CertFile != "":
		cert, err := certs.LoadCertificate(r.reg.CertFile)
		if err != nil {
			return nil, Invalidf("--cert-file: %v", err)
		}
		if k, ok := HasCertificate(have, cert); ok {
			r.res.Thumbprint = fmt.Sprintf("%X", k.CustomKeyIdentifier)
			return nil, nil
		}
		return r.upload(cert), nil
	}
	return nil, nil
}

func (r *register) upload(c *x509.Certificate) *KeyCredential {
	k := KeyOf(c)
	r.res.Thumbprint = fmt.Sprintf("%X", k.CustomKeyIdentifier)
	return &k
}
