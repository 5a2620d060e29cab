package identity

import (
	"context"
	"crypto/x509"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

const (
	dicomDefault   = tenant.DICOMResource + "/.default"
	dicomReadWrite = tenant.DICOMResource + "/" + tenant.DICOMReadWriteScope
)

func (e *env) clientOptions() azcore.ClientOptions {
	return azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: e.srv.URL + "/"},
		Transport: e.srv.Client(),
		Retry:     policy.RetryOptions{MaxRetries: -1},
	}
}

// getToken asks cred for scope and returns the access token's claims.
func getToken(t *testing.T, cred azcore.TokenCredential, scope string) map[string]any {
	t.Helper()
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{scope}})
	if err != nil {
		t.Fatalf("GetToken(%s): %v", scope, err)
	}
	return claimsOf(t, tok.Token)
}

func wantClaims(t *testing.T, got map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("claim %s = %v, want %v", k, got[k], v)
		}
	}
}

func TestAzidentityClientSecret(t *testing.T) {
	e := newEnv(t)
	app := e.addApp(appOpts{})
	cred, err := azidentity.NewClientSecretCredential(e.tid, app.AppID, app.Secret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: e.clientOptions(), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	c := getToken(t, cred, dicomDefault)
	wantClaims(t, c, map[string]any{"aud": tenant.DICOMResource, "iss": "https://sts.windows.net/" + e.tid + "/", "ver": "1.0",
		"appid": app.AppID, "appidacr": "1", "oid": app.SPID, "tid": e.tid, "idtyp": "app"})
	if _, ok := c["scp"]; ok {
		t.Error("app-only token carries scp")
	}
}

func TestAzidentityClientSecretGraphRoles(t *testing.T) {
	e := newEnv(t)
	cred, err := azidentity.NewClientSecretCredential(e.tid, e.seed.AdminAppID, e.seed.AdminSecret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: e.clientOptions(), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	c := getToken(t, cred, "https://graph.microsoft.com/.default")
	roles, _ := c["roles"].([]any)
	found := false
	for _, r := range roles {
		found = found || r == "Application.ReadWrite.All"
	}
	if !found || c["aud"] != "https://graph.microsoft.com" {
		t.Errorf("admin Graph token: aud %v roles %v", c["aud"], roles)
	}
}

func TestAzidentityClientCertificate(t *testing.T) {
	e := newEnv(t)
	app := e.addApp(appOpts{})
	cert, key := e.uploadCert(app.AppID, e.clock.Now().AddDate(1, 0, 0))
	for _, sendChain := range []bool{false, true} {
		cred, err := azidentity.NewClientCertificateCredential(e.tid, app.AppID, []*x509.Certificate{cert}, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: e.clientOptions(), DisableInstanceDiscovery: true, SendCertificateChain: sendChain})
		if err != nil {
			t.Fatal(err)
		}
		c := getToken(t, cred, dicomDefault)
		wantClaims(t, c, map[string]any{"aud": tenant.DICOMResource, "appid": app.AppID, "appidacr": "2"})
	}
}

func TestAzidentityDeviceCode(t *testing.T) {
	e := newEnv(t)
	app := e.addApp(appOpts{Public: true})
	prompts := 0
	cred, err := azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
		ClientOptions: e.clientOptions(), DisableInstanceDiscovery: true, TenantID: e.tid, ClientID: app.AppID,
		UserPrompt: func(_ context.Context, m azidentity.DeviceCodeMessage) error {
			prompts++
			return e.svc.ApproveDeviceCode(m.UserCode, e.seed.TestUsername)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := getToken(t, cred, dicomReadWrite)
	wantClaims(t, c, map[string]any{"aud": tenant.DICOMResource, "scp": tenant.DICOMReadWriteScope, "appidacr": "0",
		"oid": e.seed.TestUserID, "upn": e.seed.TestUsername})
	if prompts != 1 {
		t.Errorf("UserPrompt called %d times", prompts)
	}
}

func TestAzidentityUsernamePassword(t *testing.T) {
	e := newEnv(t)
	app := e.addApp(appOpts{Public: true, Consent: true})
	//nolint:staticcheck // ROPC is deprecated in azidentity but is a flow the mock must serve
	cred, err := azidentity.NewUsernamePasswordCredential(e.tid, app.AppID, e.seed.TestUsername, e.seed.TestPassword,
		&azidentity.UsernamePasswordCredentialOptions{ClientOptions: e.clientOptions(), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	c := getToken(t, cred, dicomReadWrite)
	wantClaims(t, c, map[string]any{"aud": tenant.DICOMResource, "scp": tenant.DICOMReadWriteScope, "appid": app.AppID,
		"appidacr": "0", "name": "Dicom Tester", "unique_name": e.seed.TestUsername})
}
