package conformance

import (
	"context"
	"crypto/x509"
	"net/url"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// flowBehaviours get a DICOM token with every flow an app registration enables, through
// azidentity (and MSAL for the code redemption), and use it: 403 before a DICOM data role is
// assigned, 2xx after.
var flowBehaviours = []behaviour{
	{"token/client-secret", NeedDICOMService, flowClientSecret},
	{"token/client-certificate", NeedDICOMService, flowClientCertificate},
	{"token/device-code", NeedUser | NeedDeviceApproval | NeedDICOMService, flowDeviceCode},
	{"token/username-password", NeedUser | NeedDICOMService, flowUsernamePassword},
	{"token/auth-code-pkce", NeedUser | NeedSignInForm | NeedDICOMService, flowAuthCodePKCE},
}

// appOnlyTokenWorks checks an app-only token end to end for the app's service principal.
func appOnlyTokenWorks(c *Case, a *app, token, appidacr string) {
	c.checkDICOMToken(token, wantToken{appID: a.AppID, appidacr: appidacr})
	c.wantForbidden(token)
	c.assignRole(a.SPID, "ServicePrincipal", roleDICOMDataOwner)
	c.wantDICOMAccess(token)
}

// userTokenWorks checks a delegated token end to end for the signed-in user.
func userTokenWorks(c *Case, a *app, token string) {
	m := c.checkDICOMToken(token, wantToken{appID: a.AppID, appidacr: "0", delegated: true})
	oid, _ := m["oid"].(string)
	c.wantForbidden(token)
	c.assignRole(oid, "User", roleDICOMDataOwner)
	c.wantDICOMAccess(token)
}

func flowClientSecret(c *Case) {
	a := c.newApp(appSpec{})
	s := c.addSecret(a, time.Time{})
	cred, err := azidentity.NewClientSecretCredential(c.tgt().TenantID, a.AppID, s.SecretText, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: c.tgt().clientOptions(), DisableInstanceDiscovery: true})
	c.must(err, "ClientSecretCredential")
	var tok string
	c.eventually("client-secret token", func() (err error) { tok, err = tokenFor(c, cred, dicomScope); return err })
	appOnlyTokenWorks(c, a, tok, "1")
}

func flowClientCertificate(c *Case) {
	a := c.newApp(appSpec{})
	cert := c.addCertificate(a)
	cred, err := azidentity.NewClientCertificateCredential(c.tgt().TenantID, a.AppID, []*x509.Certificate{cert.Cert}, cert.Key,
		&azidentity.ClientCertificateCredentialOptions{ClientOptions: c.tgt().clientOptions(), DisableInstanceDiscovery: true})
	c.must(err, "ClientCertificateCredential")
	var tok string
	c.eventually("certificate token", func() (err error) { tok, err = tokenFor(c, cred, dicomScope); return err })
	appOnlyTokenWorks(c, a, tok, "2")
}

// publicApp is an app that allows public client flows, with admin consent for Dicom.ReadWrite.
func publicApp(c *Case) *app {
	a := c.newApp(appSpec{public: true, mobileURIs: []string{loopbackRedirectURI}})
	c.grantConsent(a)
	return a
}

func flowDeviceCode(c *Case) {
	a := publicApp(c)
	cred, err := azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
		ClientOptions: c.tgt().clientOptions(), DisableInstanceDiscovery: true, TenantID: c.tgt().TenantID, ClientID: a.AppID,
		// The person at the second device: the target approves the code as the test user.
		UserPrompt: func(ctx context.Context, m azidentity.DeviceCodeMessage) error {
			if m.UserCode == "" || m.VerificationURL == "" || m.Message == "" {
				c.Errorf("device code answer lacks user_code, verification_uri or message: %+v", m)
			}
			return c.tgt().ApproveDeviceCode(ctx, m.UserCode)
		},
	})
	c.must(err, "DeviceCodeCredential")
	userTokenWorks(c, a, c.getToken(cred, dicomDelegatedScope))
}

func flowUsernamePassword(c *Case) {
	a := publicApp(c)
	//lint:ignore SA1019 the password flow is deprecated by Microsoft but still a flow users run
	cred, err := azidentity.NewUsernamePasswordCredential(c.tgt().TenantID, a.AppID, c.tgt().Username, c.tgt().Password,
		&azidentity.UsernamePasswordCredentialOptions{ClientOptions: c.tgt().clientOptions(), DisableInstanceDiscovery: true})
	c.must(err, "UsernamePasswordCredential")
	userTokenWorks(c, a, c.getToken(cred, dicomDelegatedScope))
}

// codeClient is MSAL's public client, which redeems a code as any desktop app does.
func codeClient(c *Case, clientID string) public.Client {
	c.t.Helper()
	pc, err := public.New(clientID, public.WithAuthority(c.tgt().AuthorityHost+c.tgt().TenantID),
		public.WithHTTPClient(c.tgt().client()), public.WithInstanceDiscovery(false))
	c.must(err, "MSAL public client")
	return pc
}

func flowAuthCodePKCE(c *Case) {
	a := publicApp(c)
	p := newPKCE()
	code, err := c.signIn(c.authorizeRequest(a.AppID, loopbackRedirectURI, p), loopbackRedirectURI)
	c.must(err, "sign in")
	res, err := codeClient(c, a.AppID).AcquireTokenByAuthCode(c.ctx, code, loopbackRedirectURI, []string{dicomDelegatedScope}, public.WithChallenge(p.Verifier))
	c.must(err, "redeem the code")
	userTokenWorks(c, a, res.AccessToken)
}

// tokenFor is getToken that returns the error, for eventually.
func tokenFor(c *Case, cred azcore.TokenCredential, scope string) (string, error) {
	tok, err := cred.GetToken(c.ctx, tokenOptions(scope))
	return tok.Token, err
}

// redeemForm is a raw code redemption, for the negative cases.
func redeemForm(clientID, code, redirectURI, verifier string) url.Values {
	return url.Values{
		"grant_type": {"authorization_code"}, "client_id": {clientID}, "code": {code},
		"redirect_uri": {redirectURI}, "code_verifier": {verifier}, "scope": {dicomDelegatedScope},
	}
}
