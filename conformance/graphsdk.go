//go:build graphsdk

package conformance

import (
	"context"
	"errors"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoft/kiota-abstractions-go/store"
	kiotaauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	kform "github.com/microsoft/kiota-serialization-form-go"
	kjson "github.com/microsoft/kiota-serialization-json-go"
	kmultipart "github.com/microsoft/kiota-serialization-multipart-go"
	ktext "github.com/microsoft/kiota-serialization-text-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/applications"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/oauth2permissiongrants"
	"github.com/microsoftgraph/msgraph-sdk-go/serviceprincipals"
)

// graphBehaviours drive Graph with Microsoft's own Go SDK, which gzips bodies, sends
// @odata.type and gives its token only to allowed hosts. Built with -tags graphsdk (make
// check-graph-sdk): compiling the SDK's models package alone takes minutes on two cores, more
// than the rest of make test together.
var graphBehaviours = []behaviour{
	{"graph/sdk-crud", 0, graphSDKCRUD},
}

// graphService is msgraph-sdk-go's GraphServiceClient cut to the three collections the suite
// uses. The SDK's root package imports a request-builder package for every Graph resource
// (users, teams, drives, …) and compiling them doubled a cold `make test`; this builds the same
// adapter, registers the same serializers and enters the same request builders as the root's
// constructor does, so every request still goes through the SDK's own code.
type graphService struct {
	adapter abstractions.RequestAdapter
	path    map[string]string
}

// sdkVersion is msgraph-sdk-go's version as linked, sent in the SdkVersion header as the root
// package does.
func sdkVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == "github.com/microsoftgraph/msgraph-sdk-go" {
				return strings.TrimPrefix(m.Version, "v")
			}
		}
	}
	return ""
}

func newGraphService(adapter abstractions.RequestAdapter) graphService {
	abstractions.RegisterDefaultSerializer(func() serialization.SerializationWriterFactory { return kjson.NewJsonSerializationWriterFactory() })
	abstractions.RegisterDefaultSerializer(func() serialization.SerializationWriterFactory { return ktext.NewTextSerializationWriterFactory() })
	abstractions.RegisterDefaultSerializer(func() serialization.SerializationWriterFactory { return kform.NewFormSerializationWriterFactory() })
	abstractions.RegisterDefaultSerializer(func() serialization.SerializationWriterFactory {
		return kmultipart.NewMultipartSerializationWriterFactory()
	})
	abstractions.RegisterDefaultDeserializer(func() serialization.ParseNodeFactory { return kjson.NewJsonParseNodeFactory() })
	abstractions.RegisterDefaultDeserializer(func() serialization.ParseNodeFactory { return ktext.NewTextParseNodeFactory() })
	abstractions.RegisterDefaultDeserializer(func() serialization.ParseNodeFactory { return kform.NewFormParseNodeFactory() })
	adapter.EnableBackingStore(store.BackingStoreFactoryInstance)
	return graphService{adapter: adapter, path: map[string]string{"baseurl": adapter.GetBaseUrl()}}
}

func (g graphService) Applications() *applications.ApplicationsRequestBuilder {
	return applications.NewApplicationsRequestBuilderInternal(g.path, g.adapter)
}

func (g graphService) ServicePrincipals() *serviceprincipals.ServicePrincipalsRequestBuilder {
	return serviceprincipals.NewServicePrincipalsRequestBuilderInternal(g.path, g.adapter)
}

func (g graphService) Oauth2PermissionGrants() *oauth2permissiongrants.Oauth2PermissionGrantsRequestBuilder {
	return oauth2permissiongrants.NewOauth2PermissionGrantsRequestBuilderInternal(g.path, g.adapter)
}

// graphSDK is msgraph-sdk-go pointed at the target: its base URL, its TLS trust, and the
// target's Graph host on the authentication provider's allowed list.
func graphSDK(c *Case) (graphService, *bodyEncodings) {
	c.t.Helper()
	cred, err := c.s.adminCredential()
	c.must(err, "admin credential")
	auth, err := kiotaauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{graphScope}, []string{c.tgt().graphHost()})
	c.must(err, "kiota authentication provider")
	parent := c.tgt().client().Transport
	if parent == nil {
		parent = http.DefaultTransport
	}
	enc := &bodyEncodings{next: parent}
	middleware := msgraphcore.GetDefaultMiddlewaresWithOptions(&msgraphcore.GraphClientOptions{})
	httpClient := &http.Client{Transport: khttp.NewCustomTransportWithParentTransport(enc, middleware...)}
	adapter, err := msgraphcore.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth,
		msgraphcore.GraphClientOptions{GraphServiceLibraryVersion: sdkVersion()}, nil, nil, httpClient)
	c.must(err, "Graph request adapter")
	adapter.SetBaseUrl(strings.TrimSuffix(c.tgt().GraphURL, "/"))
	return newGraphService(adapter), enc
}

// bodyEncodings notes the Content-Encoding of every request body the SDK sends, so the
// behaviour shows the target reads the gzip bodies the SDK sends by default.
type bodyEncodings struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []string
}

func (b *bodyEncodings) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Method != http.MethodGet {
		b.mu.Lock()
		b.seen = append(b.seen, r.Header.Get("Content-Encoding"))
		b.mu.Unlock()
	}
	return b.next.RoundTrip(r)
}

func (b *bodyEncodings) sawGzip() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Contains(b.seen, "gzip")
}

// odataCode is the Graph error code the SDK surfaced.
func odataCode(err error) string {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) && oe.GetErrorEscaped() != nil && oe.GetErrorEscaped().GetCode() != nil {
		return *oe.GetErrorEscaped().GetCode()
	}
	return ""
}

func graphSDKCRUD(c *Case) {
	// The SDK's retry handler resends a POST body its compression handler already consumed, so
	// a throttled create fails with 400 "Unable to read JSON request payload" against Azure too
	// (kiota-http-go#183, v1.5.4). Where the target throttles at random, the behaviour runs
	// unthrottled, so its outcome does not depend on the draw.
	if pause := c.tgt().PauseFaults; pause != nil {
		defer pause()()
	}
	g, enc := graphSDK(c)
	ctx := c.ctx

	body := models.NewApplication()
	body.SetDisplayName(ptr(c.prefix))
	body.SetSignInAudience(ptr("AzureADMyOrg"))
	created, err := g.Applications().Post(ctx, body, nil)
	c.must(err, "create application")
	id, appID := deref(created.GetId()), deref(created.GetAppId())
	if id == "" || appID == "" {
		c.Fatalf("created application has no id or appId")
	}
	c.Cleanup("application "+appID, func(ctx context.Context) error {
		return ignoreSDKNotFound(g.Applications().ByApplicationId(id).Delete(ctx, nil))
	})

	c.eventually("$filter finds the application", func() error {
		list, err := g.Applications().Get(ctx, &applications.ApplicationsRequestBuilderGetRequestConfiguration{
			QueryParameters: &applications.ApplicationsRequestBuilderGetQueryParameters{Filter: ptr("appId eq '" + appID + "'")},
		})
		if err != nil {
			return err
		}
		if n := len(list.GetValue()); n != 1 || deref(list.GetValue()[0].GetDisplayName()) != c.prefix {
			return errors.New("$filter=appId eq '…' did not return exactly the new application")
		}
		return nil
	})

	pw := models.NewPasswordCredential()
	pw.SetDisplayName(ptr(c.prefix))
	add := applications.NewItemAddPasswordPostRequestBody()
	add.SetPasswordCredential(pw)
	cred, err := g.Applications().ByApplicationId(id).AddPassword().Post(ctx, add, nil)
	c.must(err, "addPassword")
	secretText := deref(cred.GetSecretText())
	if secretText == "" || cred.GetKeyId() == nil || !strings.HasPrefix(secretText, deref(cred.GetHint())) {
		c.Errorf("addPassword: want secretText, keyId and a hint of its first characters, got hint %q", deref(cred.GetHint()))
	}

	spBody := models.NewServicePrincipal()
	spBody.SetAppId(ptr(appID))
	var spID string
	c.eventually("create service principal", func() error {
		sp, err := g.ServicePrincipals().Post(ctx, spBody, nil)
		if err == nil {
			spID = deref(sp.GetId())
		}
		return err
	})
	c.Cleanup("service principal "+spID, func(ctx context.Context) error {
		return ignoreSDKNotFound(g.ServicePrincipals().ByServicePrincipalId(spID).Delete(ctx, nil))
	})

	// The resource is looked up as the plugin does: by its servicePrincipalNames.
	dicom, err := g.ServicePrincipals().Get(ctx, &serviceprincipals.ServicePrincipalsRequestBuilderGetRequestConfiguration{
		QueryParameters: &serviceprincipals.ServicePrincipalsRequestBuilderGetQueryParameters{Filter: ptr("servicePrincipalNames/any(c:c eq '" + DICOMResource + "')")},
	})
	c.must(err, "find the DICOM principal by servicePrincipalNames/any")
	if n := len(dicom.GetValue()); n != 1 || deref(dicom.GetValue()[0].GetId()) != c.dicomSP().ID {
		c.Fatalf("servicePrincipalNames/any(c:c eq '%s'): want the DICOM principal, got %d principals", DICOMResource, n)
	}

	grant := models.NewOAuth2PermissionGrant()
	grant.SetClientId(ptr(spID))
	grant.SetConsentType(ptr("AllPrincipals"))
	grant.SetResourceId(dicom.GetValue()[0].GetId())
	grant.SetScope(ptr(dicomReadWriteValue))
	made, err := g.Oauth2PermissionGrants().Post(ctx, grant, nil)
	c.must(err, "create oauth2PermissionGrant")
	grantID := deref(made.GetId())
	// A second AllPrincipals grant for the same pair is Graph's 409 "Permission entry already
	// exists.", surfaced as an ODataError.
	if _, err := g.Oauth2PermissionGrants().Post(ctx, grant, nil); odataCode(err) != "Request_MultipleObjectsWithSameKeyValue" {
		c.Errorf("a duplicate oauth2PermissionGrant: want Request_MultipleObjectsWithSameKeyValue, got %s", errString(err))
	}
	if !enc.sawGzip() {
		c.Errorf("msgraph-sdk-go sent no gzip-compressed body; the behaviour no longer covers Content-Encoding: gzip")
	}
	grants, err := g.Oauth2PermissionGrants().Get(ctx, &oauth2permissiongrants.Oauth2PermissionGrantsRequestBuilderGetRequestConfiguration{
		QueryParameters: &oauth2permissiongrants.Oauth2PermissionGrantsRequestBuilderGetQueryParameters{Filter: ptr("clientId eq '" + spID + "'")},
	})
	c.must(err, "list grants by clientId")
	if n := len(grants.GetValue()); n != 1 || deref(grants.GetValue()[0].GetScope()) != dicomReadWriteValue {
		c.Errorf("grants of the new principal: want one with scope %s, got %d", dicomReadWriteValue, n)
	}

	// The secret the SDK got works: the app signs in for a DICOM token.
	cc, err := azidentity.NewClientSecretCredential(c.tgt().TenantID, appID, secretText, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: c.tgt().clientOptions(), DisableInstanceDiscovery: true})
	c.must(err, "ClientSecretCredential")
	c.eventually("token with the SDK's secret", func() error { _, err := tokenFor(c, cc, dicomScope); return err })

	c.must(g.Oauth2PermissionGrants().ByOAuth2PermissionGrantId(grantID).Delete(ctx, nil), "delete grant")
	c.must(g.ServicePrincipals().ByServicePrincipalId(spID).Delete(ctx, nil), "delete service principal")
	c.must(g.Applications().ByApplicationId(id).Delete(ctx, nil), "delete application")
	c.eventually("the deleted application is gone", func() error {
		_, err := g.Applications().ByApplicationId(id).Get(ctx, nil)
		if code := odataCode(err); code != "Request_ResourceNotFound" {
			return errors.New("GET of a deleted application: want 404 Request_ResourceNotFound, got " + errString(err))
		}
		return nil
	})
}

func ignoreSDKNotFound(err error) error {
	if odataCode(err) == "Request_ResourceNotFound" {
		return nil
	}
	return err
}

func errString(err error) string {
	if err == nil {
		return "success"
	}
	return err.Error()
}

func ptr[T any](v T) *T { return &v }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
