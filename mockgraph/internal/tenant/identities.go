package tenant

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"time"
)

// Managed identities are service principals of type ManagedIdentity with no application object
// in the tenant (managed-identities-azure-resources/overview.md): a system-assigned one belongs to
// an Azure resource (here an App Service app), a user-assigned one is its own ARM resource.
const (
	ManagedIdentityType   = "ManagedIdentity"
	SystemIdentityName    = "dicomreg-mock-webapp"
	UserIdentityName      = "dicomreg-mock-identity"
	managedIdentitySPName = "https://identity.azure.net/"
)

// ManagedIdentity is what the App Service token endpoint needs about one identity.
type ManagedIdentity struct {
	ClientID    string // the service principal's appId (client_id)
	PrincipalID string // the service principal's object id (principal_id / object_id)
	ResourceID  string // the ARM id: the web app (system-assigned) or the identity (user-assigned)
	System      bool
}

// seedIdentities adds a system-assigned identity (of an App Service app) and a user-assigned one
// to the seeded tenant. Their ids derive from the tenant id rather than the random source, so the
// ids everything else draws stay what they were before identities existed.
func seedIdentities(d *Directory, subscriptionID, resourceGroup string, now time.Time) {
	res := &d.Seeded
	rg := "/subscriptions/" + subscriptionID + "/resourceGroups/" + resourceGroup
	for _, mi := range []struct {
		name, resourceID string
		system           bool
	}{
		{SystemIdentityName, rg + "/providers/Microsoft.Web/sites/" + SystemIdentityName, true},
		{UserIdentityName, rg + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + UserIdentityName, false},
	} {
		sp := &ServicePrincipal{
			ID: derivedGUID(d.TenantID, mi.name+"/principal"), AppID: derivedGUID(d.TenantID, mi.name+"/client"),
			DisplayName: mi.name, AccountEnabled: true, AppOwnerOrganizationID: MicrosoftServicesTenantID,
			ServicePrincipalType: ManagedIdentityType, SignInAudience: "AzureADMyOrg", CreatedDateTime: now,
		}
		sp.ServicePrincipalNames = []string{sp.AppID, managedIdentitySPName + d.TenantID + "/" + sp.AppID}
		sp.Tags = []string{}
		d.PutServicePrincipal(sp)
		if mi.system {
			res.SystemIdentityClientID, res.SystemIdentityPrincipalID, res.SystemIdentityResourceID = sp.AppID, sp.ID, mi.resourceID
		} else {
			res.UserIdentityClientID, res.UserIdentityPrincipalID, res.UserIdentityResourceID = sp.AppID, sp.ID, mi.resourceID
		}
	}
}

// MicrosoftServicesTenantID owns managed identities' service principals ("f8cdef31-…", the
// Microsoft Services tenant, as appOwnerOrganizationId of managed identities shows).
const MicrosoftServicesTenantID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"

// ManagedIdentities returns the seeded identities: the system-assigned one first.
func (d *Directory) ManagedIdentities() []ManagedIdentity {
	s := d.Seeded
	if s.SystemIdentityClientID == "" {
		return nil
	}
	return []ManagedIdentity{
		{ClientID: s.SystemIdentityClientID, PrincipalID: s.SystemIdentityPrincipalID, ResourceID: s.SystemIdentityResourceID, System: true},
		{ClientID: s.UserIdentityClientID, PrincipalID: s.UserIdentityPrincipalID, ResourceID: s.UserIdentityResourceID},
	}
}

func derivedGUID(tenantID, name string) string {
	h := sha256.Sum256([]byte(strings.ToLower(tenantID) + "|" + name))
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
