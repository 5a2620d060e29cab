package tenant

import (
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/rng"
)

// SeedOptions shape the seeded tenant.
type SeedOptions struct {
	TenantID string    // empty: drawn from the random source
	Domain   string    // default "dicomreg-mock.onmicrosoft.com"
	Now      time.Time // creation time of everything seeded
	// NoDICOMPrincipal leaves out the Azure API for DICOM principal, as in a tenant where no DICOM
	// service has been deployed yet.
	NoDICOMPrincipal bool
	// DICOMAppID overrides the DICOM first-party appId (FACTS.md marks it unverified).
	DICOMAppID string
}

// SeedResult is what the seed made that callers need to know (and the env file prints).
type SeedResult struct {
	AdminAppID         string    `json:"adminAppId"`
	AdminAppObjectID   string    `json:"adminAppObjectId"`
	AdminSPID          string    `json:"adminServicePrincipalId"`
	AdminSecret        string    `json:"adminSecret"`
	TestUserID         string    `json:"testUserId"`
	TestUsername       string    `json:"testUsername"`
	TestPassword       string    `json:"testPassword"`
	SubscriptionID     string    `json:"subscriptionId"`
	DicomServiceHost   string    `json:"dicomServiceHost"` // <workspace>-<service>
	DicomServiceID     string    `json:"dicomServiceId"`   // ARM resource id
	DICOMPrincipalID   string    `json:"dicomPrincipalId"` // empty when NoDICOMPrincipal
	GraphPrincipalID   string    `json:"graphPrincipalId"`
	ARMPrincipalID     string    `json:"armPrincipalId"`
	AzureCLIPrincipal  string    `json:"azureCliPrincipalId"`
	AdminSecretKeyID   string    `json:"adminSecretKeyId"`
	AdminSecretExpires time.Time `json:"adminSecretExpires"`
	// The managed identities (identities.go): client id, principal (object) id, ARM resource id.
	SystemIdentityClientID    string `json:"systemIdentityClientId,omitempty"`
	SystemIdentityPrincipalID string `json:"systemIdentityPrincipalId,omitempty"`
	SystemIdentityResourceID  string `json:"systemIdentityResourceId,omitempty"`
	UserIdentityClientID      string `json:"userIdentityClientId,omitempty"`
	UserIdentityPrincipalID   string `json:"userIdentityPrincipalId,omitempty"`
	UserIdentityResourceID    string `json:"userIdentityResourceId,omitempty"`
}

// GraphAppRoles are Microsoft Graph's application permissions the mock knows.
var GraphAppRoles = []AppRole{
	graphRole(RoleApplicationReadAll, "Application.Read.All", "Read all applications"),
	graphRole(RoleApplicationReadWriteAll, "Application.ReadWrite.All", "Read and write all applications"),
	graphRole(RoleApplicationReadWriteOwnedBy, "Application.ReadWrite.OwnedBy", "Manage apps that this app creates or owns"),
	graphRole(RoleAppRoleAssignmentRWAll, "AppRoleAssignment.ReadWrite.All", "Manage app permission grants and app role assignments"),
	graphRole(RoleDelegatedPermissionGrantRW, "DelegatedPermissionGrant.ReadWrite.All", "Manage all delegated permission grants"),
	graphRole(RoleDirectoryReadAll, "Directory.Read.All", "Read directory data"),
	graphRole(RoleDirectoryReadWriteAll, "Directory.ReadWrite.All", "Read and write directory data"),
}

// GraphScopes are Microsoft Graph's delegated permissions the mock knows.
var GraphScopes = []PermissionScope{
	scope("e1fe6dd8-ba31-4d61-89e7-88639da4683d", "User.Read", "User", "Sign in and read user profile"),
	scope("c79f8feb-a9db-4090-85f9-90d820caa0eb", "Application.Read.All", "Admin", "Read applications"),
	scope("bdfbf15f-ee85-4955-8675-146e8e5b7b41", "Application.ReadWrite.All", "Admin", "Read and write all applications"),
	scope("41ce6ca6-6826-4807-84f1-1c82854f7ee5", "DelegatedPermissionGrant.ReadWrite.All", "Admin", "Manage all delegated permission grants"),
	scope("84bccea3-f856-4a8a-967b-dbe0a3d53a64", "AppRoleAssignment.ReadWrite.All", "Admin", "Manage all app role assignments"),
	scope("0e263e50-5827-48a4-b97c-d940288653c7", "Directory.AccessAsUser.All", "Admin", "Access directory as the signed in user"),
	scope("37f7f235-527c-4136-accd-4a02d197296e", "openid", "User", "Sign users in"),
	scope("14dad69e-099b-42c9-810b-d002981feec1", "profile", "User", "View users' basic profile"),
	scope("64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0", "email", "User", "View users' email address"),
	scope("7427e0e9-2fba-42fe-b0c0-848c9e6a8182", "offline_access", "User", "Maintain access to data you have given it access to"),
}

func graphRole(id, value, name string) AppRole {
	return AppRole{ID: id, Value: value, DisplayName: name, Description: name, IsEnabled: true, AllowedMemberTypes: []string{"Application"}}
}

func scope(id, value, typ, name string) PermissionScope {
	return PermissionScope{ID: id, Value: value, Type: typ, IsEnabled: true,
		AdminConsentDisplayName: name, AdminConsentDescription: name, UserConsentDisplayName: name, UserConsentDescription: name}
}

// Seed builds the tenant DESIGN.md describes: the organization, Microsoft's first-party principals
// (Azure API for DICOM, Microsoft Graph, Azure Service Management, the Azure CLI), an admin service
// principal allowed to manage applications, consent and RBAC, a test user, one subscription and one
// DICOM service.
func Seed(r *rng.Source, o SeedOptions) *Directory {
	if o.TenantID == "" {
		o.TenantID = r.GUID()
	}
	if o.Domain == "" {
		o.Domain = "dicomreg-mock.onmicrosoft.com"
	}
	if o.Now.IsZero() {
		o.Now = time.Now().UTC()
	}
	if o.DICOMAppID == "" {
		o.DICOMAppID = DICOMAppID
	}
	now := o.Now
	d := NewDirectory(o.TenantID)
	d.Organization = Organization{
		ID: o.TenantID, DisplayName: "dicomreg mock tenant", TenantType: "AAD", CreatedDateTime: now,
		VerifiedDomains: []VerifiedDomain{{Name: o.Domain, Type: "Managed", IsDefault: true, IsInitial: true}},
	}
	res := &d.Seeded

	firstParty := func(appID, name string, spns []string, scopes []PermissionScope, roles []AppRole) *ServicePrincipal {
		sp := &ServicePrincipal{
			ID: r.GUID(), AppID: appID, DisplayName: name, AccountEnabled: true,
			AppOwnerOrganizationID: MicrosoftTenantID, ServicePrincipalNames: append([]string{appID}, spns...),
			ServicePrincipalType: "Application", SignInAudience: "AzureADMultipleOrgs",
			OAuth2PermissionScopes: scopes, AppRoles: roles, CreatedDateTime: now,
		}
		d.PutServicePrincipal(sp)
		return sp
	}
	if !o.NoDICOMPrincipal {
		dicom := firstParty(o.DICOMAppID, DICOMDisplayName, []string{DICOMResource, DICOMResource + "/"},
			[]PermissionScope{scope(DICOMReadWriteID, DICOMReadWriteScope, "User", "Read and write DICOM")}, nil)
		res.DICOMPrincipalID = dicom.ID
	}
	graph := firstParty(GraphAppID, GraphDisplayName, []string{GraphResource, GraphResource + "/", "https://graph.microsoft.us", "https://canary.graph.microsoft.com"}, GraphScopes, GraphAppRoles)
	res.GraphPrincipalID = graph.ID
	arm := firstParty(ARMAppID, ARMDisplayName, []string{ARMResource, ARMResource + "/", ARMResourceLegacy, strings.TrimSuffix(ARMResourceLegacy, "/")},
		[]PermissionScope{scope("41094075-9dad-400e-a0bd-54e686782033", "user_impersonation", "User", "Access Azure Service Management as organization users")}, nil)
	res.ARMPrincipalID = arm.ID

	// The Azure CLI: a Microsoft public client, pre-consented for Graph and ARM as in real tenants.
	d.PutFirstPartyClient(FirstPartyClient{AppID: AzureCLIAppID, DisplayName: "Microsoft Azure CLI", PublicClient: true,
		RedirectURIs: []string{"http://localhost", "https://login.microsoftonline.com/common/oauth2/nativeclient"}})
	cli := firstParty(AzureCLIAppID, "Microsoft Azure CLI", nil, nil, nil)
	res.AzureCLIPrincipal = cli.ID
	d.PutGrant(&OAuth2PermissionGrant{ID: r.Token(32), ClientID: cli.ID, ConsentType: "AllPrincipals", ResourceID: graph.ID,
		Scope: "User.Read Application.ReadWrite.All DelegatedPermissionGrant.ReadWrite.All AppRoleAssignment.ReadWrite.All Directory.AccessAsUser.All"})
	d.PutGrant(&OAuth2PermissionGrant{ID: r.Token(32), ClientID: cli.ID, ConsentType: "AllPrincipals", ResourceID: arm.ID, Scope: "user_impersonation"})

	// The admin principal: what AZURE_CLIENT_ID/AZURE_CLIENT_SECRET in the env file sign in as.
	admin := &Application{
		ID: r.GUID(), AppID: r.GUID(), DisplayName: "dicomreg-mock-admin", SignInAudience: "AzureADMyOrg",
		CreatedDateTime: now,
		RequiredResourceAccess: []RequiredResourceAccess{{ResourceAppID: GraphAppID, ResourceAccess: []ResourceAccess{
			{ID: RoleApplicationReadWriteAll, Type: "Role"}, {ID: RoleAppRoleAssignmentRWAll, Type: "Role"},
			{ID: RoleDelegatedPermissionGrantRW, Type: "Role"}, {ID: RoleDirectoryReadAll, Type: "Role"},
		}}},
	}
	secret := r.SecretText()
	name := "mock admin secret"
	cred := PasswordCredential{KeyID: r.GUID(), DisplayName: &name, Hint: secret[:3], StartDateTime: now, EndDateTime: now.AddDate(2, 0, 0)}
	admin.PasswordCredentials = []PasswordCredential{cred}
	d.PutApplication(admin)
	d.SetSecretHash(cred.KeyID, HashSecret(secret))
	adminSP := &ServicePrincipal{ID: r.GUID(), AppID: admin.AppID, DisplayName: admin.DisplayName, AccountEnabled: true,
		AppOwnerOrganizationID: o.TenantID, ServicePrincipalNames: []string{admin.AppID}, ServicePrincipalType: "Application",
		SignInAudience: "AzureADMyOrg", CreatedDateTime: now}
	d.PutServicePrincipal(adminSP)
	for _, roleID := range []string{RoleApplicationReadWriteAll, RoleAppRoleAssignmentRWAll, RoleDelegatedPermissionGrantRW, RoleDirectoryReadAll} {
		d.PutAppRoleAssignment(&AppRoleAssignment{ID: r.Token(32), AppRoleID: roleID, PrincipalID: adminSP.ID, PrincipalType: "ServicePrincipal",
			PrincipalDisplayName: adminSP.DisplayName, ResourceID: graph.ID, ResourceDisplayName: graph.DisplayName, CreatedDateTime: now})
	}
	res.AdminAppID, res.AdminAppObjectID, res.AdminSPID, res.AdminSecret = admin.AppID, admin.ID, adminSP.ID, secret
	res.AdminSecretKeyID, res.AdminSecretExpires = cred.KeyID, cred.EndDateTime

	// The test user, for delegated flows.
	given, sur := "Dicom", "Tester"
	user := &User{ID: r.GUID(), UserPrincipalName: "dicom.tester@" + o.Domain, DisplayName: "Dicom Tester",
		GivenName: &given, Surname: &sur, AccountEnabled: true}
	user.Mail = &user.UserPrincipalName
	password := "Pw-" + r.Token(18)
	d.PutUser(user, password)
	res.TestUserID, res.TestUsername, res.TestPassword = user.ID, user.UserPrincipalName, password

	// One subscription with one DICOM service; the admin may manage it and its role assignments.
	sub := &Subscription{ID: r.GUID(), DisplayName: "dicomreg mock subscription", State: "Enabled"}
	d.PutSubscription(sub)
	svc := &DicomService{SubscriptionID: sub.ID, ResourceGroup: "dicomreg-mock-rg", Workspace: "mockws", Name: "mockdicom",
		Location: "westeurope", CreatedAt: now}
	d.PutDicomService(svc)
	res.SubscriptionID, res.DicomServiceHost, res.DicomServiceID = sub.ID, svc.HostName(), svc.ResourceID()
	d.PutRoleAssignment(&RoleAssignment{Name: r.GUID(), Scope: "/subscriptions/" + sub.ID, RoleDefinitionID: RoleDefOwner,
		PrincipalID: adminSP.ID, PrincipalType: "ServicePrincipal", Description: "seeded: mock admin", CreatedOn: now, UpdatedOn: now})
	seedIdentities(d, sub.ID, svc.ResourceGroup, now)
	return d
}
