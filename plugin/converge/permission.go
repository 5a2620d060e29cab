package converge

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/dicomreg/dicomreg/plugin/directory"
)

// Permission is a delegated API permission found in the tenant: the resource's service principal
// and one scope it exposes.
type Permission struct {
	Resource *ServicePrincipal
	ScopeID  string
	Scope    string
}

// FindPermission finds the resource's service principal in the tenant and the id of its scope,
// by name, never by a hard-coded id. api "" is Azure API for DICOM; scope "" is Dicom.ReadWrite.
func FindPermission(ctx context.Context, dir Directory, api, scope string) (*Permission, error) {
	spn, display := DICOMResourceURI, DICOMDisplayName
	if api != "" {
		spn, display = api, ""
	}
	if scope == "" {
		scope = DICOMScope
	}
	sp, err := dir.ServicePrincipalByName(ctx, spn, display)
	if err != nil {
		return nil, err
	}
	if sp == nil && api != "" {
		if sp, err = dir.ServicePrincipalByAppID(ctx, api); err != nil {
			return nil, err
		}
	}
	if sp == nil {
		if api == "" {
			return nil, NotFoundf("this tenant has no %q service principal (%s): no DICOM service has been deployed in it yet. Deploy a DICOM service in an Azure Health Data Services workspace first (the portal adds the principal then), or pass --no-dicom-permission, or --api for another resource", DICOMDisplayName, DICOMResourceURI)
		}
		return nil, NotFoundf("no service principal for --api %q in this tenant", api)
	}
	for _, s := range sp.OAuth2PermissionScopes {
		if strings.EqualFold(s.Value, scope) {
			return &Permission{Resource: sp, ScopeID: s.ID, Scope: s.Value}, nil
		}
	}
	return nil, NotFoundf("%s exposes no delegated permission %q", sp.DisplayName, scope)
}

// EnsureServicePrincipal finds the app's service principal or creates it, and says whether it
// created it. appJustCreated skips the lookup: a new app has none.
func EnsureServicePrincipal(ctx context.Context, dir Directory, appID string, appJustCreated bool) (*ServicePrincipal, bool, error) {
	if !appJustCreated {
		sp, err := dir.ServicePrincipalByAppID(ctx, appID)
		if err != nil || sp != nil {
			return sp, false, err
		}
	}
	sp, err := dir.CreateServicePrincipal(ctx, appID)
	if directory.IsConflict(err) {
		// It exists (an earlier run made it) but Graph has not replicated it to reads yet.
		sp, err = dir.AwaitServicePrincipal(ctx, appID)
		return sp, false, err
	}
	return sp, err == nil, err
}

// EnsureAdminConsent makes sure a tenant-wide grant from the client principal holds perm's scope,
// merging into an existing grant rather than deleting and recreating it. It returns what it did
// ("" when nothing); spJustCreated skips the lookup.
func EnsureAdminConsent(ctx context.Context, dir Directory, clientSPID string, perm *Permission, spJustCreated bool) (string, error) {
	if !spJustCreated {
		grants, err := dir.Grants(ctx, clientSPID)
		if err != nil {
			return "", err
		}
		for _, g := range grants {
			if g.ConsentType != ConsentAllPrincipals || !strings.EqualFold(g.ResourceID, perm.Resource.ID) {
				continue
			}
			if slices.Contains(strings.Fields(g.Scope), perm.Scope) {
				return "", nil
			}
			if err := dir.UpdateGrantScope(ctx, g.ID, strings.TrimSpace(g.Scope+" "+perm.Scope)); err != nil {
				return "", err
			}
			return fmt.Sprintf("added %s to the admin consent for %s", perm.Scope, perm.Resource.DisplayName), nil
		}
	}
	if _, err := dir.CreateGrant(ctx, &Grant{ClientID: clientSPID, ConsentType: ConsentAllPrincipals, ResourceID: perm.Resource.ID, Scope: perm.Scope}); err != nil {
		return "", err
	}
	return fmt.Sprintf("granted admin consent for %s / %s", perm.Resource.DisplayName, perm.Scope), nil
}

// ConsentAllPrincipals is a tenant-wide (admin) consent's consentType.
const ConsentAllPrincipals = "AllPrincipals"

// Consented says whether a tenant-wide grant to resource holds scope.
func Consented(grants []Grant, resourceSPID, scope string) bool {
	return slices.ContainsFunc(grants, func(g Grant) bool {
		return g.ConsentType == ConsentAllPrincipals && strings.EqualFold(g.ResourceID, resourceSPID) && slices.Contains(strings.Fields(g.Scope), scope)
	})
}
