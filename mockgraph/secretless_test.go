package mockgraph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/part10"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
	"github.com/dicomreg/dicomreg/mockgraph/internal/workload"
)

const dicomScope = "https://dicom.healthcareapis.azure.com/.default"

// workloadApp registers an app with a service principal, the given federated credentials and
// DICOM Data Owner on the seeded DICOM service — no secret, no certificate.
func workloadApp(t *testing.T, s *Server, creds ...tenant.FederatedIdentityCredential) (appID string) {
	t.Helper()
	err := s.store.Update(func(d *tenant.Directory) error {
		now := s.Clock().Now().Add(-seedAge)
		app := &tenant.Application{ID: s.rand.GUID(), AppID: s.rand.GUID(), DisplayName: "secretless", SignInAudience: "AzureADMyOrg", CreatedDateTime: now}
		d.PutApplication(app)
		sp := &tenant.ServicePrincipal{ID: s.rand.GUID(), AppID: app.AppID, DisplayName: app.DisplayName, AccountEnabled: true,
			ServicePrincipalType: "Application", ServicePrincipalNames: []string{app.AppID}, CreatedDateTime: now}
		d.PutServicePrincipal(sp)
		for i := range creds {
			creds[i].ID = s.rand.GUID()
		}
		d.PutFederatedCredentials(app.ID, creds)
		d.PutRoleAssignment(&tenant.RoleAssignment{Name: s.rand.GUID(), Scope: d.Seeded.DicomServiceID, RoleDefinitionID: tenant.RoleDefDICOMDataOwner,
			PrincipalID: sp.ID, PrincipalType: "ServicePrincipal", CreatedOn: now, UpdatedOn: now})
		appID = app.AppID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return appID
}

func federated(name, issuer, subject string) tenant.FederatedIdentityCredential {
	return tenant.FederatedIdentityCredential{Name: name, Issuer: issuer, Subject: subject, Audiences: []string{workload.AzureADTokenExchange}}
}

// storeInstance stores one instance with the token and reports the DICOM service's status.
func storeInstance(t *testing.T, s *Server, token, sop string) int {
	t.Helper()
	file := part10.Build(part10.Instance{StudyInstanceUID: "1.2.826.0.9.1", SeriesInstanceUID: "1.2.826.0.9.1.1", SOPInstanceUID: sop,
		PatientID: "WL-1", PatientName: "Work^Load", StudyDate: "20260601", Modality: "OT"})
	var b bytes.Buffer
	b.WriteString("--XX\r\nContent-Type: application/dicom\r\n\r\n")
	b.Write(file)
	b.WriteString("\r\n--XX--\r\n")
	req, _ := http.NewRequest(http.MethodPost, s.DICOMURL()+"/v2/studies", &b)
	req.Header.Set("Content-Type", `multipart/related; type="application/dicom"; boundary=XX`)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func workloadCredential(t *testing.T, s *Server, appID, tokenFile string) *azidentity.WorkloadIdentityCredential {
	t.Helper()
	cred, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
		ClientOptions: s.ClientOptions(), TenantID: s.TenantID(), ClientID: appID, TokenFilePath: tokenFile, DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

// Done-when of issue 16: a GitHub-Actions-shaped workflow gets a DICOM token with no secret
// anywhere (azidentity's WorkloadIdentityCredential reading AZURE_FEDERATED_TOKEN_FILE, unchanged)
// and stores an instance.
func TestGitHubActionsWorkflowStoresWithoutASecret(t *testing.T) {
	s := Start(t)
	appID := workloadApp(t, s, federated("main", s.GitHubIssuer(), "repo:octo/imaging:ref:refs/heads/main"))
	// the job: ask the issuer for an OIDC token, as azure/login does, and write it where
	// AZURE_FEDERATED_TOKEN_FILE points
	code, body := send(t, s, http.MethodPost, pathMintGitHub, `{"repository":"octo/imaging","branch":"main"}`)
	if code != http.StatusOK {
		t.Fatalf("mint: %d %s", code, body)
	}
	var minted mintedToken
	if err := json.Unmarshal(body, &minted); err != nil || minted.Subject != "repo:octo/imaging:ref:refs/heads/main" || minted.Issuer != s.GitHubIssuer() {
		t.Fatalf("minted: %s", body)
	}
	file := filepath.Join(t.TempDir(), "oidc-token")
	if err := os.WriteFile(file, []byte(minted.Value), 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := workloadCredential(t, s, appID, file).GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{dicomScope}})
	if err != nil {
		t.Fatal(err)
	}
	if got := storeInstance(t, s, tok.Token, "1.2.826.0.9.1.1.1"); got != http.StatusOK {
		t.Fatalf("STOW with the exchanged token: %d", got)
	}
}

func TestKubernetesWorkloadStoresWithoutASecret(t *testing.T) {
	s := Start(t)
	appID := workloadApp(t, s, federated("aks", s.KubernetesIssuer(), "system:serviceaccount:imaging:uploader"))
	raw, err := s.MintKubernetesToken(workload.KubernetesRequest{Namespace: "imaging", ServiceAccount: "uploader"})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "azure-identity-token")
	if err := os.WriteFile(file, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := workloadCredential(t, s, appID, file).GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{dicomScope}})
	if err != nil {
		t.Fatal(err)
	}
	if got := storeInstance(t, s, tok.Token, "1.2.826.0.9.1.1.2"); got != http.StatusOK {
		t.Fatalf("STOW with the exchanged token: %d", got)
	}
}

// Every mismatch gets its own AADSTS code, through ClientAssertionCredential (unchanged).
func TestFederatedMismatchesAreRefused(t *testing.T) {
	s := Start(t)
	appID := workloadApp(t, s, federated("main", s.GitHubIssuer(), "repo:octo/imaging:ref:refs/heads/main"))
	bare := workloadApp(t, s)
	mint := func(q workload.GitHubRequest) string {
		tok, err := s.MintGitHubToken(q)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	k8s, err := s.MintKubernetesToken(workload.KubernetesRequest{Namespace: "imaging", ServiceAccount: "uploader"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, app, assertion, code string
	}{
		{"other branch", appID, mint(workload.GitHubRequest{Repository: "octo/imaging", Branch: "dev"}), "AADSTS700213"},
		{"environment instead of branch", appID, mint(workload.GitHubRequest{Repository: "octo/imaging", Environment: "prod"}), "AADSTS700213"},
		{"other audience", appID, mint(workload.GitHubRequest{Repository: "octo/imaging", Branch: "main", Audience: "https://github.com/octo"}), "AADSTS700212"},
		{"other issuer", appID, k8s, "AADSTS700211"},
		{"app with no federated credential", bare, mint(workload.GitHubRequest{Repository: "octo/imaging", Branch: "main"}), "AADSTS70021:"},
		{"forged signature", appID, forge(mint(workload.GitHubRequest{Repository: "octo/imaging", Branch: "main"})), "AADSTS50027"},
	}
	for _, c := range cases {
		cred, err := azidentity.NewClientAssertionCredential(s.TenantID(), c.app, func(context.Context) (string, error) { return c.assertion, nil },
			&azidentity.ClientAssertionCredentialOptions{ClientOptions: s.ClientOptions(), DisableInstanceDiscovery: true})
		if err != nil {
			t.Fatal(err)
		}
		_, err = cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{dicomScope}})
		var re *azidentity.AuthenticationFailedError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), c.code) {
			t.Errorf("%s: want %s, got %v", c.name, c.code, err)
		}
	}
	// the same token stops working when it expires (on the mock's clock)
	tok := mint(workload.GitHubRequest{Repository: "octo/imaging", Branch: "main"})
	s.Clock().Advance(15 * 60e9)
	cred, _ := azidentity.NewClientAssertionCredential(s.TenantID(), appID, func(context.Context) (string, error) { return tok, nil },
		&azidentity.ClientAssertionCredentialOptions{ClientOptions: s.ClientOptions(), DisableInstanceDiscovery: true})
	if _, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{dicomScope}}); err == nil || !strings.Contains(err.Error(), "AADSTS700024") {
		t.Errorf("expired workload token: %v", err)
	}
}

// forge keeps header and claims and replaces the signature with another valid-looking one.
func forge(tok string) string {
	i := strings.LastIndex(tok, ".")
	sig := []byte(tok[i+1:])
	if sig[0] == 'A' {
		sig[0] = 'B'
	} else {
		sig[0] = 'A'
	}
	return tok[:i+1] + string(sig)
}

var _ azcore.TokenCredential = (*azidentity.WorkloadIdentityCredential)(nil)

// A managed identity gets DICOM tokens offline through the App Service endpoint, with
// ManagedIdentityCredential reading IDENTITY_ENDPOINT and IDENTITY_HEADER (unchanged), and stores
// once it holds a role.
func TestManagedIdentityStoresWithoutASecret(t *testing.T) {
	s := Start(t)
	seeded := s.Seeded()
	t.Setenv(EnvIdentityEndpoint, s.ManagedIdentityEndpoint())
	t.Setenv(EnvIdentityHeader, s.IdentityHeader())
	get := func(id azidentity.ManagedIDKind) (string, error) {
		cred, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{ClientOptions: s.ClientOptions(), ID: id})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{dicomScope}})
		return tok.Token, err
	}
	system, err := get(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := storeInstance(t, s, system, "1.2.826.0.9.1.1.3"); got != http.StatusForbidden {
		t.Fatalf("STOW before a role assignment: %d, want 403", got)
	}
	// role assignment to the identity through ARM, as `dicomreg role assign --assignee` does
	body := `{"properties":{"roleDefinitionId":"/subscriptions/` + seeded.SubscriptionID + `/providers/Microsoft.Authorization/roleDefinitions/` + tenant.RoleDefDICOMDataOwner +
		`","principalId":"` + seeded.SystemIdentityPrincipalID + `"}}`
	admin, err := azidentity.NewClientSecretCredential(s.TenantID(), seeded.AdminAppID, seeded.AdminSecret, s.CredentialOptions())
	if err != nil {
		t.Fatal(err)
	}
	armTok, err := admin.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, s.ARMURL()+seeded.DicomServiceID+"/providers/Microsoft.Authorization/roleAssignments/"+s.rand.GUID()+"?api-version=2022-04-01", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+armTok.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("role assignment to the managed identity: %d", resp.StatusCode)
	}
	system, err = get(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := storeInstance(t, s, system, "1.2.826.0.9.1.1.3"); got != http.StatusOK {
		t.Fatalf("STOW as the system-assigned identity: %d", got)
	}
	// the user-assigned identity, by each of its ids
	for _, id := range []azidentity.ManagedIDKind{azidentity.ClientID(seeded.UserIdentityClientID), azidentity.ResourceID(seeded.UserIdentityResourceID), azidentity.ObjectID(seeded.UserIdentityPrincipalID)} {
		tok, err := get(id)
		if err != nil {
			t.Fatalf("%v: %v", id, err)
		}
		claims, err := s.keys.Validate(tok, keysExpect("https://dicom.healthcareapis.azure.com"))
		if err != nil || claims["oid"] != seeded.UserIdentityPrincipalID || claims["appid"] != seeded.UserIdentityClientID || claims["xms_mirid"] != seeded.UserIdentityResourceID {
			t.Errorf("%v: %v %v", id, claims, err)
		}
	}
	if _, err := get(azidentity.ClientID("00000000-0000-0000-0000-000000000000")); err == nil {
		t.Error("an identity the app does not have got a token")
	}
	// without the header (server-side request forgery), no token
	code, _ := get2(t, s, identityPath("resource=https://dicom.healthcareapis.azure.com&api-version=2019-08-01"), "")
	if code != http.StatusUnauthorized {
		t.Errorf("no X-IDENTITY-HEADER: %d", code)
	}
	code, _ = get2(t, s, identityPath("resource=https://dicom.healthcareapis.azure.com&api-version=2017-09-01"), s.IdentityHeader())
	if code != http.StatusBadRequest {
		t.Errorf("old api-version: %d", code)
	}
	code, _ = get2(t, s, identityPath("resource=https://dicom.healthcareapis.azure.com&api-version=2019-08-01&client_id=a&mi_res_id=b"), s.IdentityHeader())
	if code != http.StatusBadRequest {
		t.Errorf("two ids: %d", code)
	}
}

func identityPath(query string) string { return "/msi/token?" + query }

func get2(t *testing.T, s *Server, path, header string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL()+path, nil)
	if header != "" {
		req.Header.Set("X-IDENTITY-HEADER", header)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.Bytes()
}

func TestManagedIdentityEnvOnlyOnRequest(t *testing.T) {
	plain := Start(t).Env()
	if _, ok := plain[EnvIdentityEndpoint]; ok {
		t.Error("IDENTITY_ENDPOINT without --managed-identity-env")
	}
	s := Start(t, func(o *Options) { o.ManagedIdentityEnv = true })
	env := s.Env()
	if env[EnvIdentityEndpoint] != s.ManagedIdentityEndpoint() || env[EnvIdentityHeader] != s.IdentityHeader() || env[EnvUserIdentityClientID] != s.Seeded().UserIdentityClientID ||
		env[EnvSystemIdentityPrincipalID] != s.Seeded().SystemIdentityPrincipalID {
		t.Errorf("env: %v", env)
	}
}
