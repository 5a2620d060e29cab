package conformance

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Workload identity federation, managed identity and signing-key rollover: the secretless ways
// to reach the DICOM service (workload-identity-federation.md, app-service/overview-managed-identity.md,
// signing-key-rollover.md).
var secretlessBehaviours = []behaviour{
	{"secretless/federated-credential-crud", 0, federatedCredentialCRUD},
	{"secretless/github-workflow-stores", NeedWorkloadIssuer | NeedDICOMService, workloadStores("github", "octo/dicomreg-conf")},
	{"secretless/kubernetes-workload-stores", NeedWorkloadIssuer | NeedDICOMService, workloadStores("k8s", "imaging/uploader")},
	{"secretless/federated-mismatch-aadsts", NeedWorkloadIssuer, federatedMismatches},
	{"secretless/managed-identity-stores", NeedManagedIdentity | NeedDICOMService, managedIdentityStores},
	{"secretless/key-rollover", NeedKeyRotation | NeedClock | NeedDICOMService, keyRollover},
}

const (
	githubIssuer  = "https://token.actions.githubusercontent.com"
	exchangeAud   = "api://AzureADTokenExchange"
	federatedPath = "/federatedIdentityCredentials"
)

type fic struct {
	ID        string   `json:"id,omitempty"`
	Name      string   `json:"name"`
	Issuer    string   `json:"issuer"`
	Subject   string   `json:"subject"`
	Audiences []string `json:"audiences"`
}

func (c *Case) addFederated(a *app, f fic) fic {
	c.t.Helper()
	var out fic
	c.eventually("create federated identity credential", func() error {
		return c.graph(http.MethodPost, "/applications/"+a.ID+federatedPath, f, &out)
	})
	return out
}

// Graph's federatedIdentityCredentials: create, list, get by name, the issuer+subject uniqueness
// rule, delete. Runs on a real tenant too.
func federatedCredentialCRUD(c *Case) {
	a := c.newApp(appSpec{})
	want := fic{Name: "main-branch", Issuer: githubIssuer, Subject: "repo:octo/dicomreg-conf:ref:refs/heads/main", Audiences: []string{exchangeAud}}
	got := c.addFederated(a, want)
	if got.ID == "" || got.Name != want.Name || got.Subject != want.Subject || len(got.Audiences) != 1 || got.Audiences[0] != exchangeAud {
		c.Fatalf("created: %+v", got)
	}
	var list struct {
		Value []fic `json:"value"`
	}
	c.must(c.graph(http.MethodGet, "/applications/"+a.ID+federatedPath, nil, &list), "list")
	if len(list.Value) != 1 || list.Value[0].ID != got.ID {
		c.Errorf("list: %+v", list.Value)
	}
	var byName fic
	c.must(c.graph(http.MethodGet, "/applications/"+a.ID+federatedPath+"(name='"+want.Name+"')", nil, &byName), "get by name")
	if byName.ID != got.ID {
		c.Errorf("by name: %+v", byName)
	}
	dup := want
	dup.Name = "same-subject"
	if err := c.graph(http.MethodPost, "/applications/"+a.ID+federatedPath, dup, nil); err == nil {
		c.Errorf("a second credential with the same issuer and subject was accepted")
	}
	c.must(c.graph(http.MethodDelete, "/applications/"+a.ID+federatedPath+"/"+got.ID, nil, nil), "delete")
	c.must(c.graph(http.MethodGet, "/applications/"+a.ID+federatedPath, nil, &list), "list after delete")
	if len(list.Value) != 0 {
		c.Errorf("after delete: %+v", list.Value)
	}
}

// workloadStores: a workload with no secret exchanges its issuer's token (azidentity's
// WorkloadIdentityCredential reading a token file, as AZURE_FEDERATED_TOKEN_FILE names it) for a
// DICOM token and stores an instance.
func workloadStores(kind, subject string) func(c *Case) {
	return func(c *Case) {
		a := c.newApp(appSpec{})
		iss, sub, tok, err := c.tgt().MintWorkloadToken(c.ctx, kind, subject)
		c.must(err, "mint a "+kind+" token")
		c.addFederated(a, fic{Name: kind + "-workload", Issuer: iss, Subject: sub, Audiences: []string{exchangeAud}})
		c.assignRole(a.SPID, "ServicePrincipal", roleDICOMDataOwner)
		file := filepath.Join(c.t.TempDir(), "federated-token")
		c.must(os.WriteFile(file, []byte(tok), 0o600), "write the token file")
		cred, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			ClientOptions: c.tgt().clientOptions(), DisableInstanceDiscovery: true, TenantID: c.tgt().TenantID, ClientID: a.AppID, TokenFilePath: file})
		c.must(err, "WorkloadIdentityCredential")
		var dicomTok string
		c.eventually("exchange the workload token", func() error {
			t, err := cred.GetToken(c.ctx, tokenOptions(dicomScope))
			dicomTok = t.Token
			return err
		})
		c.wantDICOMAccess(dicomTok)
		_, file10 := part10(truncate(c.prefix, 64))
		if ans := c.store(dicomTok, file10); ans.Status != http.StatusOK {
			c.Fatalf("STOW-RS with the exchanged token: %d %s", ans.Status, ans.Body)
		}
	}
}

// federatedMismatches: a token whose subject or audience no credential names gets Entra's
// AADSTS700213 / 700212.
func federatedMismatches(c *Case) {
	a := c.newApp(appSpec{})
	iss, sub, tok, err := c.tgt().MintWorkloadToken(c.ctx, "github", "octo/dicomreg-conf")
	c.must(err, "mint a github token")
	cases := []struct {
		f    fic
		code int
	}{
		{fic{Name: "other-branch", Issuer: iss, Subject: strings.Replace(sub, "refs/heads/main", "refs/heads/release", 1), Audiences: []string{exchangeAud}}, 700213},
		{fic{Name: "other-audience", Issuer: iss, Subject: sub, Audiences: []string{"api://someone-else"}}, 700212},
	}
	for _, k := range cases {
		got := c.addFederated(a, k.f)
		form := map[string][]string{"grant_type": {"client_credentials"}, "client_id": {a.AppID}, "scope": {dicomScope},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {tok}}
		c.wantAADSTS(c.postToken(c.tgt().TenantID, form), http.StatusUnauthorized, "invalid_client", k.code)
		c.must(c.graph(http.MethodDelete, "/applications/"+a.ID+federatedPath+"/"+got.ID, nil, nil), "delete credential")
	}
}

// managedIdentityStores: ManagedIdentityCredential (App Service source, reading
// IDENTITY_ENDPOINT and IDENTITY_HEADER) gets a DICOM token for an identity with a role.
func managedIdentityStores(c *Case) {
	t := c.tgt()
	c.t.Setenv("IDENTITY_ENDPOINT", t.ManagedIdentityEndpoint)
	c.t.Setenv("IDENTITY_HEADER", t.ManagedIdentityHeader)
	c.assignRole(t.ManagedIdentityPrincipalID, "ServicePrincipal", roleDICOMDataOwner)
	cred, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{ClientOptions: t.clientOptions(),
		ID: azidentity.ObjectID(t.ManagedIdentityPrincipalID)})
	c.must(err, "ManagedIdentityCredential")
	var tok string
	c.eventually("managed identity token", func() error {
		at, err := cred.GetToken(c.ctx, tokenOptions(dicomScope))
		tok = at.Token
		return err
	})
	claims, err := claims(tok)
	c.must(err, "decode the token")
	if claims["oid"] != t.ManagedIdentityPrincipalID {
		c.Errorf("token oid %v, want the identity %s", claims["oid"], t.ManagedIdentityPrincipalID)
	}
	c.wantDICOMAccess(tok)
	_, file := part10(truncate(c.prefix, 64))
	if ans := c.store(tok, file); ans.Status != http.StatusOK {
		c.Fatalf("STOW-RS as the managed identity: %d %s", ans.Status, ans.Body)
	}
}

// keyRollover: tokens keep working across a signing-key rollover; once the grace period is over,
// a token signed by the retired key is refused with 401.
func keyRollover(c *Case) {
	_, before := roleToken(c, roleDICOMDataOwner)
	const grace = 20 * time.Minute
	c.must(c.tgt().RotateSigningKey(c.ctx, grace), "rotate the signing key")
	_, during := roleToken(c, roleDICOMDataOwner)
	if fmt.Sprint(header(before)["kid"]) == fmt.Sprint(header(during)["kid"]) {
		c.Errorf("a token issued after the rollover has the old kid %v", header(during)["kid"])
	}
	c.wantDICOMAccess(before)
	// advance also drops the suite's admin token, which the retired key signed
	c.advance(grace + time.Minute)
	c.wantUnauthorized(before, "a token signed by the retired key")
	c.wantDICOMAccess(during)
}

// header decodes a JWT's header without checking it.
func header(token string) map[string]any {
	head, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return nil
	}
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return m
}
