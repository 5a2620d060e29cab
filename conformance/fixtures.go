package conformance

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Well-known ids the fixtures use (FACTS.md).
const (
	dicomReadWriteValue = "Dicom.ReadWrite"
	roleDICOMDataOwner  = "58a3b984-7adf-4c20-983a-32417c86fbc8"
	roleDICOMDataReader = "e89c7a3c-2f64-4fa1-a847-3e4c9ba4283a"
	roleAssignmentsAPI  = "2022-04-01"
	postmanRedirectURI  = "https://www.getpostman.com/oauth2/callback"
	// loopbackRedirectURI is the mobile-and-desktop redirect the auth-code behaviours use; Entra
	// never calls it, the suite reads the code off the redirect.
	loopbackRedirectURI = "http://localhost:53682/callback"
)

// appSpec is what a fixture application looks like.
type appSpec struct {
	public      bool     // isFallbackPublicClient ("Allow public client flows")
	mobileURIs  []string // publicClient.redirectUris
	webURIs     []string // web.redirectUris
	noDICOMPerm bool     // leave Dicom.ReadWrite out of requiredResourceAccess
}

// app is a fixture application with its service principal.
type app struct {
	ID    string `json:"id"`
	AppID string `json:"appId"`
	SPID  string `json:"-"`
}

type resourceAccess struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

type requiredResourceAccess struct {
	ResourceAppID  string           `json:"resourceAppId"`
	ResourceAccess []resourceAccess `json:"resourceAccess"`
}

// dicomPrincipal is the tenant's Azure API for DICOM service principal.
type dicomPrincipal struct {
	ID     string `json:"id"`
	AppID  string `json:"appId"`
	Scopes []struct {
		ID    string `json:"id"`
		Value string `json:"value"`
	} `json:"oauth2PermissionScopes"`
}

// dicomSP finds Azure API for DICOM in the tenant, as the portal does: by its name.
func (c *Case) dicomSP() dicomPrincipal {
	c.t.Helper()
	var list struct {
		Value []dicomPrincipal `json:"value"`
	}
	filter := url.QueryEscape("servicePrincipalNames/any(c:c eq '" + DICOMResource + "')")
	c.must(c.graph(http.MethodGet, "/servicePrincipals?$filter="+filter, nil, &list), "find the Azure API for DICOM principal")
	if len(list.Value) != 1 {
		c.Fatalf("want one service principal named %s, found %d", DICOMResource, len(list.Value))
	}
	return list.Value[0]
}

// dicomScopeID is the id of Dicom.ReadWrite on the DICOM principal.
func (p dicomPrincipal) scopeID() string {
	for _, s := range p.Scopes {
		if s.Value == dicomReadWriteValue {
			return s.ID
		}
	}
	return ""
}

// newApp registers an application with its service principal; both are deleted at the end.
func (c *Case) newApp(spec appSpec) *app {
	c.t.Helper()
	body := map[string]any{
		"displayName":    c.prefix,
		"signInAudience": "AzureADMyOrg",
		"publicClient":   map[string]any{"redirectUris": nonNil(spec.mobileURIs)},
		"web":            map[string]any{"redirectUris": nonNil(spec.webURIs)},
	}
	if spec.public {
		body["isFallbackPublicClient"] = true
	}
	if !spec.noDICOMPerm {
		p := c.dicomSP()
		body["requiredResourceAccess"] = []requiredResourceAccess{{ResourceAppID: p.AppID, ResourceAccess: []resourceAccess{{ID: p.scopeID(), Type: "Scope"}}}}
	}
	a := &app{}
	c.must(c.graph(http.MethodPost, "/applications", body, a), "create application")
	c.Cleanup("application "+a.AppID, func(ctx context.Context) error {
		return c.call(ctx, graphScope, http.MethodDelete, c.tgt().GraphURL+"/applications/"+a.ID, nil, nil)
	})
	var sp struct {
		ID string `json:"id"`
	}
	// Right after the create, Graph may not know the app yet (NoBackingApplicationObject).
	c.eventually("create service principal", func() error {
		return c.graph(http.MethodPost, "/servicePrincipals", map[string]any{"appId": a.AppID, "accountEnabled": true}, &sp)
	})
	a.SPID = sp.ID
	c.Cleanup("service principal "+sp.ID, func(ctx context.Context) error {
		return ignoreNotFound(c.call(ctx, graphScope, http.MethodDelete, c.tgt().GraphURL+"/servicePrincipals/"+sp.ID, nil, nil))
	})
	return a
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func ignoreNotFound(err error) error {
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return nil
	}
	return err
}

// secret is a client secret as addPassword returns it.
type secret struct {
	KeyID       string    `json:"keyId"`
	SecretText  string    `json:"secretText"`
	Hint        string    `json:"hint"`
	EndDateTime time.Time `json:"endDateTime"`
}

// addSecret adds a client secret; end zero: Graph's default lifetime.
func (c *Case) addSecret(a *app, end time.Time) secret {
	c.t.Helper()
	cred := map[string]any{"displayName": c.prefix}
	if !end.IsZero() {
		cred["endDateTime"] = end.UTC().Format(time.RFC3339)
	}
	var s secret
	c.must(c.graph(http.MethodPost, "/applications/"+a.ID+"/addPassword", map[string]any{"passwordCredential": cred}, &s), "addPassword")
	if s.SecretText == "" || s.KeyID == "" {
		c.Fatalf("addPassword answered no secretText or keyId: %+v", s)
	}
	return s
}

// secretWorks waits until the token service accepts a secret just added: Entra takes seconds to
// learn of a new credential (AADSTS7000215 until then).
func (c *Case) secretWorks(a *app, secretText string) {
	c.t.Helper()
	c.eventually("token with the new secret", func() error {
		if ans := c.postToken(c.tgt().TenantID, clientCredentials(a.AppID, secretText, dicomScope)); ans.Status != http.StatusOK {
			return &tokenStatusError{ans}
		}
		return nil
	})
}

// certificate is a self-signed certificate and its key.
type certificate struct {
	Cert *x509.Certificate
	Key  *rsa.PrivateKey
}

// newCertificate makes a self-signed RSA 2048 certificate, as the portal's docs suggest.
func newCertificate(cn string) (certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return certificate{}, err
	}
	cert, err := x509.ParseCertificate(der)
	return certificate{Cert: cert, Key: key}, err
}

// addCertificate uploads a new certificate's public key as the app's keyCredentials.
func (c *Case) addCertificate(a *app) certificate {
	c.t.Helper()
	cert, err := newCertificate(c.prefix)
	c.must(err, "make a certificate")
	thumb := sha1.Sum(cert.Cert.Raw)
	kc := map[string]any{
		"customKeyIdentifier": strings.ToUpper(hex.EncodeToString(thumb[:])),
		"displayName":         "CN=" + c.prefix,
		"type":                "AsymmetricX509Cert",
		"usage":               "Verify",
		"key":                 cert.Cert.Raw, // base64 in JSON, as Graph wants it
		"startDateTime":       cert.Cert.NotBefore.UTC().Format(time.RFC3339),
		"endDateTime":         cert.Cert.NotAfter.UTC().Format(time.RFC3339),
	}
	c.must(c.graph(http.MethodPatch, "/applications/"+a.ID, map[string]any{"keyCredentials": []any{kc}}, nil), "upload certificate")
	return cert
}

// grantConsent grants the app's service principal Dicom.ReadWrite for every user of the tenant.
func (c *Case) grantConsent(a *app) {
	c.t.Helper()
	p := c.dicomSP()
	var g struct {
		ID string `json:"id"`
	}
	c.must(c.graph(http.MethodPost, "/oauth2PermissionGrants", map[string]any{
		"clientId": a.SPID, "consentType": "AllPrincipals", "resourceId": p.ID, "scope": dicomReadWriteValue,
	}, &g), "grant admin consent")
	c.Cleanup("grant "+g.ID, func(ctx context.Context) error {
		return ignoreNotFound(c.call(ctx, graphScope, http.MethodDelete, c.tgt().GraphURL+"/oauth2PermissionGrants/"+g.ID, nil, nil))
	})
}

// assignRole gives principalID a DICOM data role on the target's DICOM service, until the end.
func (c *Case) assignRole(principalID, principalType, roleID string) {
	c.t.Helper()
	scope := c.tgt().DICOMServiceID
	sub, ok := subscriptionOf(scope)
	if !ok {
		c.Fatalf("DICOM service id %q has no /subscriptions/{id} segment", scope)
	}
	name := newGUID()
	path := scope + "/providers/Microsoft.Authorization/roleAssignments/" + name
	body := map[string]any{"properties": map[string]any{
		"roleDefinitionId": "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/" + roleID,
		"principalId":      principalID,
		"principalType":    principalType,
		"description":      c.prefix,
	}}
	// A principal made seconds ago may not have replicated to RBAC yet (PrincipalNotFound).
	c.eventually("assign role", func() error { return c.arm(c.ctx, http.MethodPut, path, roleAssignmentsAPI, body, nil) })
	c.Cleanup("role assignment "+name, func(ctx context.Context) error {
		return ignoreNotFound(c.arm(ctx, http.MethodDelete, path, roleAssignmentsAPI, nil, nil))
	})
}

func subscriptionOf(resourceID string) (string, bool) {
	parts := strings.Split(strings.Trim(resourceID, "/"), "/")
	if len(parts) < 2 || !strings.EqualFold(parts[0], "subscriptions") || parts[1] == "" {
		return "", false
	}
	return parts[1], true
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newGUID() string {
	h := randomHex(16)
	b := []byte(h)
	b[12] = '4' // version 4
	return fmt.Sprintf("%s-%s-%s-%s-%s", b[0:8], b[8:12], b[12:16], b[16:20], b[20:32])
}
