package conformance

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Entra's errors as a client meets them: each row of FACTS.md's AADSTS table that a flow can hit,
// with the status, error and error_codes Entra answers.
var aadstsBehaviours = []behaviour{
	{"aadsts/7000215-wrong-secret", 0, aadstsWrongSecret},
	{"aadsts/7000215-secret-id-for-value", 0, aadstsSecretID},
	{"aadsts/7000222-expired-secret", NeedClock, aadstsExpiredSecret},
	{"aadsts/7000218-public-flow-on-confidential-app", NeedUser, aadstsPublicFlowOnConfidential},
	{"aadsts/700016-unknown-client", 0, aadstsUnknownClient},
	{"aadsts/90002-unknown-tenant", 0, aadstsUnknownTenant},
	{"aadsts/1002012-client-credentials-without-default", 0, aadstsNoDefault},
	{"aadsts/900144-missing-scope", 0, aadstsMissingScope},
	{"aadsts/500011-unknown-resource", 0, aadstsUnknownResource},
	{"aadsts/700027-unregistered-certificate", 0, aadstsUnregisteredCert},
	{"aadsts/65001-no-consent", NeedUser, aadstsNoConsent},
	{"aadsts/50126-wrong-password", NeedUser, aadstsWrongPassword},
	{"aadsts/50011-unregistered-redirect-uri", 0, aadstsRedirectMismatch},
	{"aadsts/501481-pkce-mismatch", NeedUser | NeedSignInForm, aadstsPKCEMismatch},
	{"aadsts/54005-code-replay", NeedUser | NeedSignInForm, aadstsCodeReplay},
}

// Entra's AADSTS codes the suite expects (reference-error-codes.md, FACTS.md).
const (
	codeMissingClientCredential = 7000218
	codeInvalidSecret           = 7000215
	codeSecretExpired           = 7000222
	codeAssertionSignature      = 700027
	codeUnknownClient           = 700016
	codeTenantNotFound          = 90002
	codeRedirectMismatch        = 50011
	codeConsentRequired         = 65001
	codeClientCredsNeedDefault  = 1002012
	codeResourceNotFound        = 500011
	codeBadUserPassword         = 50126
	codeCodeRedeemed            = 54005
	codePKCEMismatch            = 501481
	codeMissingParameter        = 900144
)

// OAuth error values.
const (
	errInvalidRequest     = "invalid_request"
	errInvalidClient      = "invalid_client"
	errInvalidGrant       = "invalid_grant"
	errInvalidScope       = "invalid_scope"
	errInvalidResource    = "invalid_resource"
	errUnauthorizedClient = "unauthorized_client"
)

func clientCredentials(clientID, secret, scope string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}, "scope": {scope}}
}

func passwordGrant(clientID, username, password string) url.Values {
	return url.Values{"grant_type": {"password"}, "client_id": {clientID}, "username": {username}, "password": {password},
		"scope": {dicomDelegatedScope}}
}

// confidentialApp is an app with a secret and no public client flows.
func confidentialApp(c *Case) (*app, secret) {
	a := c.newApp(appSpec{})
	s := c.addSecret(a, time.Time{})
	c.secretWorks(a, s.SecretText)
	return a, s
}

func aadstsWrongSecret(c *Case) {
	a, s := confidentialApp(c)
	cred, err := azidentity.NewClientSecretCredential(c.tgt().TenantID, a.AppID, s.Hint+"-not-the-secret", &azidentity.ClientSecretCredentialOptions{
		ClientOptions: c.tgt().clientOptions(), DisableInstanceDiscovery: true})
	c.must(err, "ClientSecretCredential")
	_, err = tokenFor(c, cred, dicomScope)
	c.wantCredentialError(err, http.StatusUnauthorized, errInvalidClient, codeInvalidSecret)
}

func aadstsSecretID(c *Case) {
	a, s := confidentialApp(c)
	c.wantAADSTS(c.postToken(c.tgt().TenantID, clientCredentials(a.AppID, s.KeyID, dicomScope)), http.StatusUnauthorized, errInvalidClient, codeInvalidSecret)
}

// aadstsExpiredSecret adds a secret that ends an hour from the target's now, proves it works,
// then moves the clock past its end.
func aadstsExpiredSecret(c *Case) {
	a, s := confidentialApp(c)
	now := c.serverNow(a, s)
	short := c.addSecret(a, now.Add(time.Hour))
	form := clientCredentials(a.AppID, short.SecretText, dicomScope)
	c.secretWorks(a, short.SecretText)
	c.advance(2 * time.Hour)
	c.wantAADSTS(c.postToken(c.tgt().TenantID, form), http.StatusUnauthorized, errInvalidClient, codeSecretExpired)
}

// aadstsPublicFlowOnConfidential runs the password flow without a secret on an app whose
// "Allow public client flows" is No, then flips the switch and runs it again.
func aadstsPublicFlowOnConfidential(c *Case) {
	a := c.newApp(appSpec{})
	c.grantConsent(a)
	form := passwordGrant(a.AppID, c.tgt().Username, c.tgt().Password)
	c.wantAADSTS(c.postToken(c.tgt().TenantID, form), http.StatusUnauthorized, errInvalidClient, codeMissingClientCredential)
	c.must(c.graph(http.MethodPatch, "/applications/"+a.ID, map[string]any{"isFallbackPublicClient": true}, nil), "allow public client flows")
	c.eventually("password flow once public client flows are allowed", func() error {
		if a := c.postToken(c.tgt().TenantID, form); a.Status != http.StatusOK {
			return fmt.Errorf("password flow refused: %d %s", a.Status, a.Body)
		}
		return nil
	})
}

func aadstsUnknownClient(c *Case) {
	c.wantAADSTS(c.postToken(c.tgt().TenantID, clientCredentials(newGUID(), "not-a-secret", dicomScope)),
		http.StatusBadRequest, errUnauthorizedClient, codeUnknownClient)
}

func aadstsUnknownTenant(c *Case) {
	c.wantAADSTS(c.postToken(newGUID(), clientCredentials(c.tgt().AdminClientID, c.tgt().AdminClientSecret, dicomScope)),
		http.StatusBadRequest, errInvalidRequest, codeTenantNotFound)
}

func aadstsNoDefault(c *Case) {
	a, s := confidentialApp(c)
	c.wantAADSTS(c.postToken(c.tgt().TenantID, clientCredentials(a.AppID, s.SecretText, dicomDelegatedScope)),
		http.StatusBadRequest, errInvalidScope, codeClientCredsNeedDefault)
}

func aadstsMissingScope(c *Case) {
	a, s := confidentialApp(c)
	form := clientCredentials(a.AppID, s.SecretText, "")
	form.Del("scope")
	c.wantAADSTS(c.postToken(c.tgt().TenantID, form), http.StatusBadRequest, errInvalidRequest, codeMissingParameter)
}

func aadstsUnknownResource(c *Case) {
	a, s := confidentialApp(c)
	c.wantAADSTS(c.postToken(c.tgt().TenantID, clientCredentials(a.AppID, s.SecretText, "https://dicomreg-conformance.invalid/.default")),
		http.StatusBadRequest, errInvalidResource, codeResourceNotFound)
}

// aadstsUnregisteredCert signs the client assertion with a certificate the app never uploaded.
func aadstsUnregisteredCert(c *Case) {
	a := c.newApp(appSpec{})
	c.addCertificate(a)
	other, err := newCertificate(c.prefix + "-other")
	c.must(err, "make a certificate")
	cred, err := azidentity.NewClientCertificateCredential(c.tgt().TenantID, a.AppID, []*x509.Certificate{other.Cert}, other.Key,
		&azidentity.ClientCertificateCredentialOptions{ClientOptions: c.tgt().clientOptions(), DisableInstanceDiscovery: true})
	c.must(err, "ClientCertificateCredential")
	_, err = tokenFor(c, cred, dicomScope)
	c.wantCredentialError(err, http.StatusUnauthorized, errInvalidClient, codeAssertionSignature)
}

// aadstsNoConsent: nobody consented to Dicom.ReadWrite, and the password flow cannot ask.
func aadstsNoConsent(c *Case) {
	a := c.newApp(appSpec{public: true})
	e := c.wantAADSTS(c.postToken(c.tgt().TenantID, passwordGrant(a.AppID, c.tgt().Username, c.tgt().Password)),
		http.StatusBadRequest, errInvalidGrant, codeConsentRequired)
	if e.Suberror != "consent_required" {
		c.Errorf("suberror = %q, want consent_required", e.Suberror)
	}
}

func aadstsWrongPassword(c *Case) {
	a := publicApp(c)
	c.wantAADSTS(c.postToken(c.tgt().TenantID, passwordGrant(a.AppID, c.tgt().Username, c.tgt().Password+"-wrong")),
		http.StatusBadRequest, errInvalidGrant, codeBadUserPassword)
}

// aadstsRedirectMismatch: Entra shows an error page and never redirects to an unregistered URI.
func aadstsRedirectMismatch(c *Case) {
	a := c.newApp(appSpec{public: true, mobileURIs: []string{loopbackRedirectURI}})
	unregistered := "https://dicomreg-conformance.invalid/callback"
	status, loc, page := c.authorizePage(c.authorizeRequest(a.AppID, unregistered, newPKCE()))
	if strings.HasPrefix(loc, unregistered) {
		c.Errorf("authorize redirected to the unregistered URI: %s", loc)
	}
	if !bytes.Contains(page, []byte("AADSTS50011")) {
		c.Errorf("authorize with an unregistered redirect URI: status %d, the page does not say AADSTS50011: %.300s", status, page)
	}
}

// signedInCode signs the test user in to a public app with PKCE and returns the code.
func signedInCode(c *Case) (*app, pkce, string) {
	a := publicApp(c)
	p := newPKCE()
	code, err := c.signIn(c.authorizeRequest(a.AppID, loopbackRedirectURI, p), loopbackRedirectURI)
	c.must(err, "sign in")
	return a, p, code
}

func aadstsPKCEMismatch(c *Case) {
	a, _, code := signedInCode(c)
	c.wantAADSTS(c.postToken(c.tgt().TenantID, redeemForm(a.AppID, code, loopbackRedirectURI, newPKCE().Verifier)),
		http.StatusBadRequest, errInvalidGrant, codePKCEMismatch)
}

func aadstsCodeReplay(c *Case) {
	a, p, code := signedInCode(c)
	form := redeemForm(a.AppID, code, loopbackRedirectURI, p.Verifier)
	c.accessToken(c.postToken(c.tgt().TenantID, form))
	c.wantAADSTS(c.postToken(c.tgt().TenantID, form), http.StatusBadRequest, errInvalidGrant, codeCodeRedeemed)
}
