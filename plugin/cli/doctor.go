package cli

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/spf13/pflag"

	"github.com/dicomreg/dicomreg/plugin/auth"
	"github.com/dicomreg/dicomreg/plugin/dicom"
)

// registrationSource reads, from Graph and ARM, what doctor checks about one app registration.
type registrationSource interface {
	// Registration finds the app by display name or app id; dicomServiceID "" skips the roles.
	Registration(ctx context.Context, app, dicomServiceID string) (dicom.Registration, error)
}

type doctorOptions struct {
	App          string // --app NAME|APPID
	DICOMService string // --dicom-service RESOURCE_ID
	Source       func() (registrationSource, error)
}

// doctorResult is doctor's answer: one finding per check, each with its fix.
type doctorResult struct {
	App      string          `json:"app"`
	AppID    string          `json:"appId"`
	Healthy  bool            `json:"healthy"`
	Findings []dicom.Finding `json:"findings"`
}

func (o *doctorOptions) bind(fs *pflag.FlagSet) {
	fs.StringVar(&o.App, "app", "", "the app registration: display name or app (client) id")
	fs.StringVar(&o.DICOMService, "dicom-service", "", "ARM resource id of the DICOM service whose role assignments to check (default $"+EnvDICOMServiceID+")")
}

func runDoctor(ctx context.Context, f *Factory, opts *doctorOptions) error {
	if opts.App == "" {
		return usageErrorf("--app NAME|APPID is required")
	}
	src, err := opts.Source()
	if err != nil {
		return err
	}
	serviceID := dicomServiceID(f, opts.DICOMService)
	reg, err := src.Registration(ctx, opts.App, serviceID)
	if err != nil {
		return err
	}
	reg.DICOMServiceID = serviceID
	reg.Now = f.Now()
	fs := dicom.Diagnose(reg)
	out := doctorResult{App: reg.App.DisplayName, AppID: reg.App.AppID, Healthy: dicom.Worst(fs) != dicom.Error, Findings: fs}
	if err := f.Print(out); err != nil {
		return err
	}
	if !out.Healthy {
		reportFindings(f, fs)
		return &SilentError{Code: ExitError}
	}
	return nil
}

func newCmdDoctor(f *Factory) *Command {
	opts := &doctorOptions{Source: func() (registrationSource, error) { return newGraphReader(f) }}
	return &Command{
		Name:  "doctor",
		Short: "Diagnose an app registration against what the DICOM service needs",
		Long: `Checks an app registration end to end: its service principal, the Azure API for DICOM principal
in the tenant, Dicom.ReadWrite in its API permissions and admin consent for it, public/confidential
settings against its redirect URIs, secrets and certificates expired or expiring within 30 days, and
(with --dicom-service) a DICOM data role on the service. Each finding has a severity (ok, warn,
error) and the command that fixes it. Exit code 1 if any finding is an error.`,
		Example: `dicomreg doctor --app my-viewer
dicomreg doctor --app 11111111-2222-3333-4444-555555555555 --dicom-service /subscriptions/…/dicomservices/mydicom -o table --query findings`,
		Flags: opts.bind,
		Run:   func(ctx context.Context, _ []string) error { return runDoctor(ctx, f, opts) },
	}
}

// graphApp is the part of a Graph application doctor and `app cert` read.
type graphApp struct {
	ID                     string `json:"id"`
	AppID                  string `json:"appId"`
	DisplayName            string `json:"displayName"`
	IsFallbackPublicClient *bool  `json:"isFallbackPublicClient"`
	PublicClient           struct {
		RedirectURIs []string `json:"redirectUris"`
	} `json:"publicClient"`
	Web struct {
		RedirectURIs []string `json:"redirectUris"`
	} `json:"web"`
	Spa struct {
		RedirectURIs []string `json:"redirectUris"`
	} `json:"spa"`
	RequiredResourceAccess []struct {
		ResourceAppID  string `json:"resourceAppId"`
		ResourceAccess []struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		} `json:"resourceAccess"`
	} `json:"requiredResourceAccess"`
	PasswordCredentials []struct {
		KeyID       string    `json:"keyId"`
		DisplayName *string   `json:"displayName"`
		EndDateTime time.Time `json:"endDateTime"`
	} `json:"passwordCredentials"`
	KeyCredentials []keyCredential `json:"keyCredentials"`
}

// The Graph and ARM calls doctor and `app cert` make.
const (
	graphScope          = "https://graph.microsoft.com/.default"
	armScope            = "https://management.azure.com/.default"
	roleAssignmentsPath = "/providers/Microsoft.Authorization/roleAssignments"
	armAPIVersion       = "2022-04-01"
	appSelect           = "id,appId,displayName,isFallbackPublicClient,publicClient,web,spa,requiredResourceAccess,passwordCredentials,keyCredentials"
)

// graphReader reads Graph and ARM through azcore's pipeline (retries with Retry-After, bearer
// tokens per audience) with the Factory's credential and transport.
type graphReader struct {
	graph, arm runtime.Pipeline
	graphURL   string
	armURL     string
}

func newGraphReader(f *Factory) (*graphReader, error) {
	cred, err := f.Credential()
	if err != nil {
		return nil, err
	}
	pipeline := func(scope string) runtime.Pipeline {
		return runtime.NewPipeline("dicomreg", Version, runtime.PipelineOptions{
			PerRetry: []policy.Policy{runtime.NewBearerTokenPolicy(cred, []string{scope}, nil)},
		}, &policy.ClientOptions{Transport: f.Transport()})
	}
	return &graphReader{graph: pipeline(graphScope), arm: pipeline(armScope),
		graphURL: strings.TrimRight(f.Global.GraphURL, "/"), armURL: strings.TrimRight(f.Global.ARMURL, "/")}, nil
}

func (g *graphReader) do(ctx context.Context, p runtime.Pipeline, method, u string, body any, out any) error {
	req, err := runtime.NewRequest(ctx, method, u)
	if err != nil {
		return err
	}
	if body != nil {
		if err := runtime.MarshalAsJSON(req, body); err != nil {
			return err
		}
	}
	resp, err := p.Do(req)
	if err != nil {
		return err
	}
	if !runtime.HasStatusCode(resp, http.StatusOK, http.StatusNoContent) {
		return runtime.NewResponseError(resp)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	return runtime.UnmarshalAsJSON(resp, out)
}

// graphList GETs a Graph collection with a $filter (one page: lookups by key match a handful).
func graphList[T any](ctx context.Context, g *graphReader, path, filter, sel string) ([]T, error) {
	q := url.Values{"$filter": {filter}}
	if sel != "" {
		q.Set("$select", sel)
	}
	var page struct {
		Value []T `json:"value"`
	}
	err := g.do(ctx, g.graph, http.MethodGet, g.graphURL+path+"?"+q.Encode(), nil, &page)
	return page.Value, err
}

// odataString quotes s for an OData filter.
func odataString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// app finds one app by app id or display name; none is not-found, two by one name a conflict.
func (g *graphReader) app(ctx context.Context, nameOrAppID string) (*graphApp, error) {
	filter := "appId eq " + odataString(nameOrAppID)
	if !auth.IsGUID(nameOrAppID) {
		filter = "displayName eq " + odataString(nameOrAppID)
	}
	apps, err := graphList[graphApp](ctx, g, "/applications", filter, appSelect)
	if err != nil {
		return nil, err
	}
	switch len(apps) {
	case 0:
		return nil, notFoundf("no app registration %q in this tenant", nameOrAppID)
	case 1:
		return &apps[0], nil
	}
	return nil, &ConflictError{Msg: fmt.Sprintf("%d app registrations are named %q: pass the app id instead", len(apps), nameOrAppID)}
}

type graphSP struct {
	ID                     string `json:"id"`
	AppID                  string `json:"appId"`
	OAuth2PermissionScopes []struct {
		ID    string `json:"id"`
		Value string `json:"value"`
	} `json:"oauth2PermissionScopes"`
}

type graphGrant struct {
	ConsentType string `json:"consentType"`
	ResourceID  string `json:"resourceId"`
	Scope       string `json:"scope"`
}

type armRoleAssignment struct {
	Properties struct {
		RoleDefinitionID string `json:"roleDefinitionId"`
	} `json:"properties"`
}

// Registration reads what doctor checks: the app, its principal, the tenant's DICOM principal,
// the app's grants and, with a DICOM service, the roles its principal holds there.
func (g *graphReader) Registration(ctx context.Context, nameOrAppID, serviceID string) (dicom.Registration, error) {
	var r dicom.Registration
	a, err := g.app(ctx, nameOrAppID)
	if err != nil {
		return r, err
	}
	r.App = dicom.App{AppID: a.AppID, DisplayName: a.DisplayName,
		IsFallbackPublicClient: a.IsFallbackPublicClient != nil && *a.IsFallbackPublicClient,
		PublicClientRedirects:  a.PublicClient.RedirectURIs, WebRedirects: a.Web.RedirectURIs, SPARedirects: a.Spa.RedirectURIs}
	for _, rra := range a.RequiredResourceAccess {
		for _, ra := range rra.ResourceAccess {
			r.App.RequiredResourceAccess = append(r.App.RequiredResourceAccess, dicom.ResourceAccess{ResourceAppID: rra.ResourceAppID, ID: ra.ID, Type: ra.Type})
		}
	}
	for _, p := range a.PasswordCredentials {
		c := dicom.Credential{KeyID: p.KeyID, End: p.EndDateTime}
		if p.DisplayName != nil {
			c.DisplayName = *p.DisplayName
		}
		r.App.Secrets = append(r.App.Secrets, c)
	}
	for _, k := range a.KeyCredentials {
		c := dicom.Credential{KeyID: k.KeyID, DisplayName: k.DisplayName, Thumbprint: hex.EncodeToString(k.CustomKeyIdentifier)}
		if k.EndDateTime != nil {
			c.End = *k.EndDateTime
		}
		r.App.Certificates = append(r.App.Certificates, c)
	}
	dicomSPs, err := graphList[graphSP](ctx, g, "/servicePrincipals", "servicePrincipalNames/any(c:c eq "+odataString(dicom.Resource)+")", "id,appId,oauth2PermissionScopes")
	if err != nil {
		return r, err
	}
	if len(dicomSPs) > 0 {
		p := &dicom.Principal{ID: dicomSPs[0].ID, AppID: dicomSPs[0].AppID, Scopes: map[string]string{}}
		for _, s := range dicomSPs[0].OAuth2PermissionScopes {
			p.Scopes[s.Value] = s.ID
		}
		r.DICOMPrincipal = p
	}
	sps, err := graphList[graphSP](ctx, g, "/servicePrincipals", "appId eq "+odataString(a.AppID), "id,appId")
	if err != nil || len(sps) == 0 {
		return r, err
	}
	r.ServicePrincipal = &dicom.Principal{ID: sps[0].ID, AppID: sps[0].AppID}
	grants, err := graphList[graphGrant](ctx, g, "/oauth2PermissionGrants", "clientId eq "+odataString(sps[0].ID), "")
	if err != nil {
		return r, err
	}
	for _, gr := range grants {
		r.Grants = append(r.Grants, dicom.Grant{ConsentType: gr.ConsentType, ResourceID: gr.ResourceID, Scope: gr.Scope})
	}
	if serviceID == "" {
		return r, nil
	}
	q := url.Values{"api-version": {armAPIVersion}, "$filter": {"principalId eq " + odataString(sps[0].ID)}}
	var page struct {
		Value []armRoleAssignment `json:"value"`
	}
	if err := g.do(ctx, g.arm, http.MethodGet, g.armURL+serviceID+roleAssignmentsPath+"?"+q.Encode(), nil, &page); err != nil {
		return r, err
	}
	for _, ra := range page.Value {
		// roleDefinitionId is a full ARM id ending in the definition's GUID.
		id := ra.Properties.RoleDefinitionID
		r.Roles = append(r.Roles, id[strings.LastIndex(id, "/")+1:])
	}
	return r, nil
}
