package graphapi

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

const (
	resPasswordCredential = "PasswordCredential"
	// secretLifetime is how long a secret lives when addPassword is not told (application-addpassword.md).
	secretLifetimeYears = 2
	hintLength          = 3
	certType            = "AsymmetricX509Cert"
	certUsage           = "Verify"
)

type addPasswordBody struct {
	PasswordCredential *tenant.PasswordCredential `json:"passwordCredential"`
}

// addPassword makes a new client secret: Graph generates it, returns it once, and keeps only
// what lets it be checked later (here: its hash).
func (a *API) addPassword(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permAppWrite); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	in := addPasswordBody{}
	if len(bytes.TrimSpace(body)) > 0 {
		if _, err := decodeObject(body, resApplication, []string{"passwordCredential"}, nil, &in); err != nil {
			return err
		}
	}
	now := a.cfg.Clock.Now().UTC()
	cred := tenant.PasswordCredential{StartDateTime: now, AddedDateTime: now}
	if p := in.PasswordCredential; p != nil {
		cred.DisplayName, cred.CustomKeyIdentifier = p.DisplayName, p.CustomKeyIdentifier
		if !p.StartDateTime.IsZero() {
			cred.StartDateTime = p.StartDateTime
		}
		cred.EndDateTime = p.EndDateTime
	}
	if cred.EndDateTime.IsZero() {
		cred.EndDateTime = cred.StartDateTime.AddDate(secretLifetimeYears, 0, 0)
	}
	if !cred.EndDateTime.After(cred.StartDateTime) {
		return invalidValue("endDateTime", resPasswordCredential)
	}
	secret := a.cfg.Rand.SecretText()
	cred.KeyID, cred.Hint = a.cfg.Rand.GUID(), secret[:hintLength]
	rep := a.replica()
	err = a.cfg.Store.Update(func(d *tenant.Directory) error {
		cur, err := a.lookupApp(d, r, rep)
		if err != nil {
			return err
		}
		app := cur.Clone()
		app.PasswordCredentials = append(app.PasswordCredentials, cred)
		d.PutApplication(app)
		d.SetSecretHash(cred.KeyID, tenant.HashSecret(secret))
		return nil
	})
	if err != nil {
		return err
	}
	cred.SecretText = &secret
	obj, err := encode(cred, nil)
	if err != nil {
		return err
	}
	writeRaw(w, http.StatusOK, withContext(httpx.BaseURL(r)+httpx.GraphPrefix+"/$metadata#microsoft.graph.passwordCredential", obj))
	return nil
}

type removePasswordBody struct {
	KeyID string `json:"keyId"`
}

// removePassword deletes a client secret by its keyId.
func (a *API) removePassword(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permAppWrite); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in removePasswordBody
	if _, err := decodeObject(body, resApplication, []string{"keyId"}, nil, &in); err != nil {
		return err
	}
	if in.KeyID == "" {
		return invalidValue("keyId", resPasswordCredential)
	}
	rep := a.replica()
	err = a.cfg.Store.Update(func(d *tenant.Directory) error {
		cur, err := a.lookupApp(d, r, rep)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(cur.PasswordCredentials, func(p tenant.PasswordCredential) bool { return strings.EqualFold(p.KeyID, in.KeyID) })
		if i < 0 {
			// unverified: Graph's exact answer for an unknown keyId.
			return notFound(in.KeyID)
		}
		app := cur.Clone()
		app.PasswordCredentials = slices.Delete(app.PasswordCredentials, i, i+1)
		d.PutApplication(app) // drops the removed secret's hash
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkKeyCredentials validates a keyCredentials collection written as a whole: every entry is
// a public certificate for verifying client assertions; missing keyIds, dates, names and
// customKeyIdentifier (the SHA-1 thumbprint) are filled from the certificate. A given
// customKeyIdentifier is kept as sent: Graph treats it as an opaque label (keycredential.md,
// whose own example sends the hex thumbprint, which JSON decodes as base64 into other bytes).
func (a *API) checkKeyCredentials(creds []tenant.KeyCredential) ([]tenant.KeyCredential, error) {
	out := make([]tenant.KeyCredential, len(creds))
	for i, c := range creds {
		bad := invalidValue("keyCredentials", resApplication)
		if c.Type != certType || c.Usage != certUsage || len(c.Key) == 0 {
			return nil, bad
		}
		cert, err := x509.ParseCertificate(c.Key)
		if err != nil {
			return nil, bad
		}
		if len(c.CustomKeyIdentifier) == 0 {
			sum := sha1.Sum(cert.Raw)
			c.CustomKeyIdentifier = sum[:]
		}
		if c.KeyID == "" {
			c.KeyID = a.cfg.Rand.GUID()
		}
		if slices.ContainsFunc(out[:i], func(p tenant.KeyCredential) bool { return strings.EqualFold(p.KeyID, c.KeyID) }) {
			return nil, bad
		}
		if c.StartDateTime.IsZero() {
			c.StartDateTime = cert.NotBefore.UTC()
		}
		if c.EndDateTime.IsZero() {
			c.EndDateTime = cert.NotAfter.UTC()
		}
		if !c.EndDateTime.After(c.StartDateTime) || c.EndDateTime.After(cert.NotAfter.Add(time.Second)) {
			return nil, bad
		}
		if c.DisplayName == nil {
			name := "CN=" + cert.Subject.CommonName
			c.DisplayName = &name
		}
		out[i] = c
	}
	return out, nil
}
