package graphapi

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	azauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	core "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/applications"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/serviceprincipals"

	"github.com/dicomreg/dicomreg/mockgraph/tenant"
)

// staticCredential hands the SDK a token minted by the test.
type staticCredential struct {
	token   string
	expires time.Time
}

func (c staticCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: c.token, ExpiresOn: c.expires}, nil
}

// sdkClient is the official Go SDK pointed at the test server, with its default middleware
// (so request bodies go out gzipped) over a transport that trusts the test certificate.
func (e *env) sdkClient(t *testing.T) *msgraphsdk.GraphServiceClient {
	t.Helper()
	cred := staticCredential{token: e.admin, expires: e.clock.Now().Add(time.Hour)}
	auth, err := azauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{tenant.GraphResource + "/.default"}, []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	opts := msgraphsdk.GetDefaultClientOptions()
	client := &http.Client{Transport: khttp.NewCustomTransportWithParentTransport(e.srv.Client().Transport, core.GetDefaultMiddlewaresWithOptions(&opts)...)}
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, nil, nil, client)
	if err != nil {
		t.Fatal(err)
	}
	adapter.SetBaseUrl(e.srv.URL + "/v1.0")
	return msgraphsdk.NewGraphServiceClient(adapter)
}

// TestSDKRegistersDICOMClient walks the portal's click-path with msgraph-sdk-go: create the app,
// find it by $filter, add a secret, create its service principal, grant admin consent for
// Dicom.ReadWrite on the Azure API for DICOM principal.
func TestSDKRegistersDICOMClient(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	g := e.sdkClient(t)

	app := models.NewApplication()
	name := "dicom-viewer"
	audience := "AzureADMyOrg"
	app.SetDisplayName(&name)
	app.SetSignInAudience(&audience)
	scopeType := "Scope"
	scopeID := tenantUUID(t, tenant.DICOMReadWriteID)
	ra := models.NewResourceAccess()
	ra.SetId(&scopeID)
	ra.SetTypeEscaped(&scopeType)
	rra := models.NewRequiredResourceAccess()
	dicomAppID := tenant.DICOMAppID
	rra.SetResourceAppId(&dicomAppID)
	rra.SetResourceAccess([]models.ResourceAccessable{ra})
	app.SetRequiredResourceAccess([]models.RequiredResourceAccessable{rra})
	created, err := g.Applications().Post(ctx, app, nil)
	if err != nil {
		t.Fatalf("create application: %v", describeSDKError(err))
	}
	if created.GetAppId() == nil || created.GetId() == nil || *created.GetDisplayName() != name {
		t.Fatalf("created application lacks ids or name: %+v", created)
	}

	filter := "appId eq '" + *created.GetAppId() + "'"
	found, err := g.Applications().Get(ctx, &applications.ApplicationsRequestBuilderGetRequestConfiguration{
		QueryParameters: &applications.ApplicationsRequestBuilderGetQueryParameters{Filter: &filter},
	})
	if err != nil {
		t.Fatalf("filter applications: %v", describeSDKError(err))
	}
	if n := len(found.GetValue()); n != 1 || *found.GetValue()[0].GetId() != *created.GetId() {
		t.Fatalf("filter found %d applications, want the new one", n)
	}

	secretName := "ci"
	pc := models.NewPasswordCredential()
	pc.SetDisplayName(&secretName)
	body := applications.NewItemAddPasswordPostRequestBody()
	body.SetPasswordCredential(pc)
	secret, err := g.Applications().ByApplicationId(*created.GetId()).AddPassword().Post(ctx, body, nil)
	if err != nil {
		t.Fatalf("addPassword: %v", describeSDKError(err))
	}
	if secret.GetSecretText() == nil || len(*secret.GetSecretText()) < 16 || *secret.GetHint() != (*secret.GetSecretText())[:3] {
		t.Fatalf("addPassword answer: secretText %v hint %v", secret.GetSecretText(), secret.GetHint())
	}
	_ = e.store.View(func(d *tenant.Directory) error {
		if d.MatchSecret(d.ApplicationByAppID(*created.GetAppId()), *secret.GetSecretText()) == nil {
			t.Error("the directory does not recognize the new secret")
		}
		return nil
	})

	sp := models.NewServicePrincipal()
	sp.SetAppId(created.GetAppId())
	enabled := true
	sp.SetAccountEnabled(&enabled)
	createdSP, err := g.ServicePrincipals().Post(ctx, sp, nil)
	if err != nil {
		t.Fatalf("create service principal: %v", describeSDKError(err))
	}

	dicomFilter := "servicePrincipalNames/any(c:c eq '" + tenant.DICOMResource + "')"
	dicom, err := g.ServicePrincipals().Get(ctx, &serviceprincipals.ServicePrincipalsRequestBuilderGetRequestConfiguration{
		QueryParameters: &serviceprincipals.ServicePrincipalsRequestBuilderGetQueryParameters{Filter: &dicomFilter},
	})
	if err != nil || len(dicom.GetValue()) != 1 {
		t.Fatalf("find the DICOM principal: %v", describeSDKError(err))
	}

	grant := models.NewOAuth2PermissionGrant()
	consent, scope := "AllPrincipals", tenant.DICOMReadWriteScope
	grant.SetClientId(createdSP.GetId())
	grant.SetResourceId(dicom.GetValue()[0].GetId())
	grant.SetConsentType(&consent)
	grant.SetScope(&scope)
	if _, err := g.Oauth2PermissionGrants().Post(ctx, grant, nil); err != nil {
		t.Fatalf("admin consent: %v", describeSDKError(err))
	}
	_ = e.store.View(func(d *tenant.Directory) error {
		got := d.ConsentedScopes(*createdSP.GetId(), e.seed.DICOMPrincipalID, "")
		if len(got) != 1 || got[0] != tenant.DICOMReadWriteScope {
			t.Errorf("consented scopes %v, want [%s]", got, tenant.DICOMReadWriteScope)
		}
		return nil
	})

	e.mu.Lock()
	gzipped := slices.Contains(e.encodings, "gzip")
	e.mu.Unlock()
	if !gzipped {
		t.Error("the SDK sent no gzip-compressed body; the test no longer covers Content-Encoding: gzip")
	}

	// A second grant for the same pair is Graph's conflict, which the SDK surfaces as an ODataError.
	_, err = g.Oauth2PermissionGrants().Post(ctx, grant, nil)
	if code := sdkErrorCode(err); code != codeConflict {
		t.Fatalf("duplicate grant: code %q, want %q", code, codeConflict)
	}
}
