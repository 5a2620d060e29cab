package identity

import (
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// appidacr / azpacr: how the client authenticated.
const (
	acrPublic      = "0"
	acrSecret      = "1"
	acrCertificate = "2"
)

// client is the calling application as the token service sees it.
type client struct {
	AppID       string
	DisplayName string
	App         *tenant.Application      // nil for a Microsoft first-party client (the Azure CLI)
	SP          *tenant.ServicePrincipal // nil when the app has no service principal in the tenant
	// FallbackPublic is the portal's "Allow public client flows" (first-party public clients: true).
	FallbackPublic bool
	Redirects      registeredRedirects
}

// lookupClient finds the app named by client_id: an app registration of the tenant or a known
// Microsoft client. An app the token service has not learnt of yet (the propagation model's
// SignIn delay, counted from the app's creation) is not there; its service principal is known
// with it (FIDELITY.md: no source separates the two).
func (s *Service) lookupClient(d *tenant.Directory, clientID string) (*client, *oauthError) {
	if clientID == "" {
		return nil, missingParam(paramClientID)
	}
	if a := d.ApplicationByAppID(clientID); a != nil && s.view().AtSignIn(a.CreatedDateTime) {
		return &client{AppID: a.AppID, DisplayName: a.DisplayName, App: a, SP: d.ServicePrincipalByAppID(a.AppID),
			FallbackPublic: a.IsFallbackPublicClient != nil && *a.IsFallbackPublicClient, Redirects: redirectsOf(a)}, nil
	}
	if fp, ok := d.FirstPartyClient(clientID); ok {
		return &client{AppID: fp.AppID, DisplayName: fp.DisplayName, SP: d.ServicePrincipalByAppID(fp.AppID),
			FallbackPublic: fp.PublicClient, Redirects: registeredRedirects{Public: fp.RedirectURIs}}, nil
	}
	return nil, badRequest(errUnauthorizedClient, codeUnknownClient,
		"Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been "+
			"installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your "+
			"authentication request to the wrong tenant.", sanitize(clientID), d.Organization.DisplayName)
}

// authenticate checks the client's credential for a request that is public (no credential
// allowed) or confidential (a secret or an assertion required), and returns the appidacr.
func (s *Service) authenticate(d *tenant.Directory, c *client, req *tokenRequest, public bool, tokenAudience func(string) bool, now time.Time) (string, *oauthError) {
	if public {
		if req.hasCredential() {
			return "", clientErr(codePublicClientCredential, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.")
		}
		return acrPublic, nil
	}
	switch {
	case req.Assertion != "":
		if c.App == nil {
			return "", clientErr(codeAssertionSignature, "Client assertion contains an invalid signature. [Reason - The key was not found.]")
		}
		if _, external := federatedIssuer(req.Assertion); external {
			if e := s.verifyFederated(d, c.App, req.Assertion, now); e != nil {
				return "", e
			}
			return acrCertificate, nil
		}
		if e := s.verifyAssertion(req.Assertion, c.App, tokenAudience, now); e != nil {
			return "", e
		}
		return acrCertificate, nil
	case req.ClientSecret != "":
		var cred *tenant.PasswordCredential
		if c.App != nil {
			cred = d.MatchSecret(c.App, req.ClientSecret)
		}
		// A secret the token service has not learnt of yet is as unknown as a wrong one.
		if cred == nil || now.Before(cred.StartDateTime) || !s.view().CredentialLive(cred.AddedDateTime) {
			return "", clientErr(codeInvalidSecret, "Invalid client secret provided. Ensure the secret being sent in the request is the "+
				"client secret value, not the client secret ID, for a secret added to app '%s'.", c.AppID)
		}
		if !now.Before(cred.EndDateTime) {
			return "", clientErr(codeSecretExpired, "The provided client secret keys for app '%s' are expired. Visit the Azure portal to "+
				"create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added "+
				"security: https://aka.ms/certCreds.", c.AppID)
		}
		return acrSecret, nil
	}
	return "", clientErr(codeMissingClientCredential, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
}

// signInAudienceMyOrg is a single-tenant app registration.
const signInAudienceMyOrg = "AzureADMyOrg"

// singleTenantOnAlias is 50194: a single-tenant app cannot use the multi-tenant aliases.
func singleTenantOnAlias(seg string, c *client) *oauthError {
	l := strings.ToLower(seg)
	if c.App == nil || c.App.SignInAudience != signInAudienceMyOrg || (l != tenantCommon && l != tenantOrganizations) {
		return nil
	}
	return badRequest(errInvalidRequest, codeSingleTenantApp, "Application '%s'(%s) is not configured as a multi-tenant application. Usage of the /%s "+
		"endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the "+
		"application to be multi-tenant.", c.AppID, c.DisplayName, l)
}
