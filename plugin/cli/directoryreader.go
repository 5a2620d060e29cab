package cli

import (
	"context"
	"encoding/hex"
	"slices"
	"time"

	"github.com/dicomreg/dicomreg/plugin/converge"
	"github.com/dicomreg/dicomreg/plugin/dicom"
	"github.com/dicomreg/dicomreg/plugin/directory"
)

// directoryReader gives doctor (registrationSource) and `app cert` (keyCredentialStore) what
// they read and write, through the one Graph/ARM client every command uses.
type directoryReader struct{ client *directory.Client }

func newDirectoryReader(f *Factory) (*directoryReader, error) {
	client, err := f.Directory()
	if err != nil {
		return nil, err
	}
	return &directoryReader{client}, nil
}

// AppKeys reads the app's certificates with their keys: only a single-object GET with
// $select=keyCredentials returns key, and a PATCH must send back every certificate it keeps.
func (r *directoryReader) AppKeys(ctx context.Context, ref string) (*appKeys, error) {
	app, err := converge.ResolveApp(ctx, r.client, ref)
	if err != nil {
		return nil, err
	}
	keys := app.KeyCredentials
	// A lookup by id is a single-object GET, which returns keys; one by name is a list, which
	// does not, and needs the second read.
	if slices.ContainsFunc(keys, func(k keyCredential) bool { return len(k.Key) == 0 }) {
		if keys, err = r.client.GetApplicationKeys(ctx, app.ID); err != nil {
			return nil, err
		}
	}
	return &appKeys{ObjectID: app.ID, AppID: app.AppID, DisplayName: app.DisplayName, Keys: keys}, nil
}

// SetKeys replaces the app's keyCredentials collection.
func (r *directoryReader) SetKeys(ctx context.Context, objectID string, keys []keyCredential) error {
	if keys == nil {
		keys = []keyCredential{}
	}
	return r.client.PatchApplication(ctx, objectID, map[string]any{"keyCredentials": keys})
}

// Registration reads what doctor checks: the app, its principal, the tenant's DICOM principal,
// the app's grants and, with a DICOM service, the roles its principal holds there.
func (r *directoryReader) Registration(ctx context.Context, ref, serviceID string) (dicom.Registration, error) {
	var reg dicom.Registration
	a, err := converge.ResolveApp(ctx, r.client, ref)
	if err != nil {
		return reg, err
	}
	reg.App = dicomApp(a)
	feds, err := r.client.ListFederatedCredentials(ctx, a.ID)
	if err != nil {
		return reg, err
	}
	for _, f := range feds {
		reg.App.Federated = append(reg.App.Federated, dicom.Federated{Name: f.Name, Issuer: f.Issuer, Subject: f.Subject, Audiences: f.Audiences})
	}
	dicomSP, err := r.client.ServicePrincipalByName(ctx, dicom.Resource, "")
	if err != nil {
		return reg, err
	}
	if dicomSP != nil {
		p := &dicom.Principal{ID: dicomSP.ID, AppID: dicomSP.AppID, Scopes: map[string]string{}}
		for _, s := range dicomSP.OAuth2PermissionScopes {
			p.Scopes[s.Value] = s.ID
		}
		reg.DICOMPrincipal = p
	}
	sp, err := r.client.ServicePrincipalByAppID(ctx, a.AppID)
	if err != nil || sp == nil {
		return reg, err
	}
	reg.ServicePrincipal = &dicom.Principal{ID: sp.ID, AppID: sp.AppID}
	grants, err := r.client.Grants(ctx, sp.ID)
	if err != nil {
		return reg, err
	}
	for _, g := range grants {
		reg.Grants = append(reg.Grants, dicom.Grant{ConsentType: g.ConsentType, ResourceID: g.ResourceID, Scope: g.Scope})
	}
	if serviceID == "" {
		return reg, nil
	}
	roles, err := r.client.RoleAssignments(ctx, serviceID, sp.ID)
	if err != nil {
		return reg, err
	}
	for _, ra := range roles {
		var at time.Time
		if ra.Properties.CreatedOn != nil {
			at = *ra.Properties.CreatedOn
		}
		reg.Roles, reg.RolesAssigned = append(reg.Roles, ra.RoleDefinitionGUID()), append(reg.RolesAssigned, at)
	}
	return reg, nil
}

// dicomApp is the part of an application doctor checks.
func dicomApp(a *directory.Application) dicom.App {
	app := dicom.App{AppID: a.AppID, DisplayName: a.DisplayName, IsFallbackPublicClient: converge.IsPublicClient(a)}
	for _, rv := range redirectsOf(a) {
		switch rv.Platform {
		case converge.PlatformWeb:
			app.WebRedirects = append(app.WebRedirects, rv.URI)
		case converge.PlatformSPA:
			app.SPARedirects = append(app.SPARedirects, rv.URI)
		default:
			app.PublicClientRedirects = append(app.PublicClientRedirects, rv.URI)
		}
	}
	for _, rra := range a.RequiredResourceAccess {
		for _, ra := range rra.ResourceAccess {
			app.RequiredResourceAccess = append(app.RequiredResourceAccess, dicom.ResourceAccess{ResourceAppID: rra.ResourceAppID, ID: ra.ID, Type: ra.Type})
		}
	}
	for _, p := range a.PasswordCredentials {
		app.Secrets = append(app.Secrets, dicom.Credential{KeyID: p.KeyID, DisplayName: p.DisplayName, End: p.EndDateTime})
	}
	for _, k := range a.KeyCredentials {
		c := dicom.Credential{KeyID: k.KeyID, DisplayName: k.DisplayName, Thumbprint: hex.EncodeToString(k.CustomKeyIdentifier)}
		if k.EndDateTime != nil {
			c.End = *k.EndDateTime
		}
		app.Certificates = append(app.Certificates, c)
	}
	return app
}
