// Package tenant is the mock's directory: the tenant's applications, service principals, users,
// consent grants, Azure role assignments and DICOM data, in memory and optionally in a state file.
//
// The types carry Microsoft Graph's JSON names so the Graph surface can render and decode them
// directly; values Graph never shows (secret and password hashes, private state) live beside the
// objects in the Directory, never inside them.
package tenant

import "time"

// Application is a Graph application object (an app registration).
type Application struct {
	ID                     string                   `json:"id"`
	AppID                  string                   `json:"appId"`
	DisplayName            string                   `json:"displayName"`
	Description            *string                  `json:"description"`
	UniqueName             *string                  `json:"uniqueName"`
	SignInAudience         string                   `json:"signInAudience"`
	IsFallbackPublicClient *bool                    `json:"isFallbackPublicClient"`
	IdentifierURIs         []string                 `json:"identifierUris"`
	Notes                  *string                  `json:"notes"`
	Tags                   []string                 `json:"tags"`
	PublicClient           PublicClient             `json:"publicClient"`
	Web                    Web                      `json:"web"`
	Spa                    Spa                      `json:"spa"`
	API                    API                      `json:"api"`
	AppRoles               []AppRole                `json:"appRoles"`
	RequiredResourceAccess []RequiredResourceAccess `json:"requiredResourceAccess"`
	PasswordCredentials    []PasswordCredential     `json:"passwordCredentials"`
	KeyCredentials         []KeyCredential          `json:"keyCredentials"`
	CreatedDateTime        time.Time                `json:"createdDateTime"`
}

// PublicClient is the portal's "Mobile and desktop applications" platform.
type PublicClient struct {
	RedirectURIs []string `json:"redirectUris"`
}

// Web is the portal's "Web" platform.
type Web struct {
	RedirectURIs          []string              `json:"redirectUris"`
	HomePageURL           *string               `json:"homePageUrl"`
	LogoutURL             *string               `json:"logoutUrl"`
	ImplicitGrantSettings ImplicitGrantSettings `json:"implicitGrantSettings"`
}

// ImplicitGrantSettings says which tokens the implicit flow may issue.
type ImplicitGrantSettings struct {
	EnableAccessTokenIssuance bool `json:"enableAccessTokenIssuance"`
	EnableIDTokenIssuance     bool `json:"enableIdTokenIssuance"`
}

// Spa is the portal's "Single-page application" platform.
type Spa struct {
	RedirectURIs []string `json:"redirectUris"`
}

// API is what an application exposes as a resource.
type API struct {
	RequestedAccessTokenVersion *int              `json:"requestedAccessTokenVersion"`
	OAuth2PermissionScopes      []PermissionScope `json:"oauth2PermissionScopes"`
}

// PermissionScope is a delegated permission a resource exposes.
type PermissionScope struct {
	ID                      string `json:"id"`
	Value                   string `json:"value"`
	Type                    string `json:"type"` // "User" or "Admin"
	IsEnabled               bool   `json:"isEnabled"`
	AdminConsentDisplayName string `json:"adminConsentDisplayName"`
	AdminConsentDescription string `json:"adminConsentDescription"`
	UserConsentDisplayName  string `json:"userConsentDisplayName"`
	UserConsentDescription  string `json:"userConsentDescription"`
}

// AppRole is an application permission (or a role users can hold) a resource exposes.
type AppRole struct {
	ID                 string   `json:"id"`
	Value              string   `json:"value"`
	DisplayName        string   `json:"displayName"`
	Description        string   `json:"description"`
	IsEnabled          bool     `json:"isEnabled"`
	AllowedMemberTypes []string `json:"allowedMemberTypes"` // "Application", "User"
}

// RequiredResourceAccess is one resource's entry under the portal's "API permissions".
type RequiredResourceAccess struct {
	ResourceAppID  string           `json:"resourceAppId"`
	ResourceAccess []ResourceAccess `json:"resourceAccess"`
}

// ResourceAccess names one permission: Type "Scope" (delegated) or "Role" (application).
type ResourceAccess struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// PasswordCredential is a client secret as Graph shows it; the secret itself is never stored,
// only its hash (Directory.SecretHash).
type PasswordCredential struct {
	CustomKeyIdentifier []byte    `json:"customKeyIdentifier"`
	DisplayName         *string   `json:"displayName"`
	EndDateTime         time.Time `json:"endDateTime"`
	Hint                string    `json:"hint"`
	KeyID               string    `json:"keyId"`
	SecretText          *string   `json:"secretText"` // always nil in the store; set only in addPassword's answer
	StartDateTime       time.Time `json:"startDateTime"`
	// AddedDateTime is when the secret was added (not a Graph property): the token service
	// accepts it only once it has propagated.
	AddedDateTime time.Time `json:"-"`
}

// KeyCredential is an uploaded certificate (public key only).
type KeyCredential struct {
	CustomKeyIdentifier []byte    `json:"customKeyIdentifier"` // SHA-1 thumbprint
	DisplayName         *string   `json:"displayName"`
	EndDateTime         time.Time `json:"endDateTime"`
	Key                 []byte    `json:"key"` // DER certificate
	KeyID               string    `json:"keyId"`
	StartDateTime       time.Time `json:"startDateTime"`
	Type                string    `json:"type"`  // "AsymmetricX509Cert"
	Usage               string    `json:"usage"` // "Verify"
	// AddedDateTime is when the certificate was uploaded (not a Graph property); see
	// PasswordCredential.AddedDateTime.
	AddedDateTime time.Time `json:"-"`
}

// ServicePrincipal is an application's instance in this tenant (an "enterprise application").
type ServicePrincipal struct {
	ID                        string            `json:"id"`
	AppID                     string            `json:"appId"`
	DisplayName               string            `json:"displayName"`
	AccountEnabled            bool              `json:"accountEnabled"`
	AppOwnerOrganizationID    string            `json:"appOwnerOrganizationId"`
	AppRoleAssignmentRequired bool              `json:"appRoleAssignmentRequired"`
	ServicePrincipalNames     []string          `json:"servicePrincipalNames"`
	ServicePrincipalType      string            `json:"servicePrincipalType"`
	SignInAudience            string            `json:"signInAudience"`
	Tags                      []string          `json:"tags"`
	AppRoles                  []AppRole         `json:"appRoles"`
	OAuth2PermissionScopes    []PermissionScope `json:"oauth2PermissionScopes"`
	CreatedDateTime           time.Time         `json:"createdDateTime"`
}

// User is a member of the tenant who can sign in.
type User struct {
	ID                string  `json:"id"`
	UserPrincipalName string  `json:"userPrincipalName"`
	DisplayName       string  `json:"displayName"`
	GivenName         *string `json:"givenName"`
	Surname           *string `json:"surname"`
	Mail              *string `json:"mail"`
	AccountEnabled    bool    `json:"accountEnabled"`
}

// OAuth2PermissionGrant is delegated-permission consent (admin consent when AllPrincipals).
type OAuth2PermissionGrant struct {
	ID          string  `json:"id"`
	ClientID    string  `json:"clientId"`    // client service principal id
	ConsentType string  `json:"consentType"` // "AllPrincipals" or "Principal"
	PrincipalID *string `json:"principalId"` // user id, for Principal
	ResourceID  string  `json:"resourceId"`  // resource service principal id
	Scope       string  `json:"scope"`       // space separated
}

// AppRoleAssignment grants an app role (an application permission) to a principal.
type AppRoleAssignment struct {
	ID                   string    `json:"id"`
	AppRoleID            string    `json:"appRoleId"`
	PrincipalID          string    `json:"principalId"`
	PrincipalType        string    `json:"principalType"`
	PrincipalDisplayName string    `json:"principalDisplayName"`
	ResourceID           string    `json:"resourceId"`
	ResourceDisplayName  string    `json:"resourceDisplayName"`
	CreatedDateTime      time.Time `json:"createdDateTime"`
}

// Organization is the tenant itself.
type Organization struct {
	ID              string           `json:"id"`
	DisplayName     string           `json:"displayName"`
	TenantType      string           `json:"tenantType"`
	VerifiedDomains []VerifiedDomain `json:"verifiedDomains"`
	CreatedDateTime time.Time        `json:"createdDateTime"`
}

// VerifiedDomain is one of the organization's domains.
type VerifiedDomain struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	IsDefault bool   `json:"isDefault"`
	IsInitial bool   `json:"isInitial"`
}

// FirstPartyClient is a Microsoft client app (the Azure CLI) that can sign in to any tenant
// without an application object in it.
type FirstPartyClient struct {
	AppID        string   `json:"appId"`
	DisplayName  string   `json:"displayName"`
	PublicClient bool     `json:"publicClient"`
	RedirectURIs []string `json:"redirectUris"`
}

// Subscription is an Azure subscription of the tenant.
type Subscription struct {
	ID          string `json:"subscriptionId"`
	DisplayName string `json:"displayName"`
	State       string `json:"state"`
}

// DicomService is an Azure Health Data Services DICOM service (an ARM resource).
type DicomService struct {
	SubscriptionID string    `json:"subscriptionId"`
	ResourceGroup  string    `json:"resourceGroup"`
	Workspace      string    `json:"workspace"`
	Name           string    `json:"name"`
	Location       string    `json:"location"`
	CreatedAt      time.Time `json:"createdAt"`
}

// ResourceID is the service's ARM id.
func (s DicomService) ResourceID() string {
	return "/subscriptions/" + s.SubscriptionID + "/resourceGroups/" + s.ResourceGroup +
		"/providers/Microsoft.HealthcareApis/workspaces/" + s.Workspace + "/dicomservices/" + s.Name
}

// HostName is the service's name in the DICOMweb URL: <workspace>-<service>.
func (s DicomService) HostName() string { return s.Workspace + "-" + s.Name }

// RoleAssignment is an Azure RBAC role assignment.
type RoleAssignment struct {
	Name             string    `json:"name"`             // the assignment's GUID
	Scope            string    `json:"scope"`            // ARM id it applies at (and below)
	RoleDefinitionID string    `json:"roleDefinitionId"` // bare GUID of the role definition
	PrincipalID      string    `json:"principalId"`      // object id of a user or service principal
	PrincipalType    string    `json:"principalType"`    // "User", "ServicePrincipal", "Group"
	Description      string    `json:"description"`
	CreatedOn        time.Time `json:"createdOn"`
	UpdatedOn        time.Time `json:"updatedOn"`
	CreatedBy        string    `json:"createdBy"`
}

// ID is the assignment's ARM id.
func (r RoleAssignment) ID() string {
	return r.Scope + "/providers/Microsoft.Authorization/roleAssignments/" + r.Name
}

// DicomInstance is one stored DICOM Part 10 object.
type DicomInstance struct {
	Service           string            `json:"service"` // DicomService.HostName()
	StudyInstanceUID  string            `json:"studyInstanceUid"`
	SeriesInstanceUID string            `json:"seriesInstanceUid"`
	SOPInstanceUID    string            `json:"sopInstanceUid"`
	SOPClassUID       string            `json:"sopClassUid"`
	Attributes        map[string]string `json:"attributes"` // searchable tags, keyword → value
	Data              []byte            `json:"data"`       // the Part 10 file as stored
	StoredAt          time.Time         `json:"storedAt"`
}

// ChangeFeedEntry is one row of a DICOM service's change feed.
type ChangeFeedEntry struct {
	Sequence          int64     `json:"sequence"`
	Service           string    `json:"service"`
	StudyInstanceUID  string    `json:"studyInstanceUid"`
	SeriesInstanceUID string    `json:"seriesInstanceUid"`
	SOPInstanceUID    string    `json:"sopInstanceUid"`
	Action            string    `json:"action"` // "Create", "Delete"
	State             string    `json:"state"`  // "Current", "Replaced", "Deleted"
	Timestamp         time.Time `json:"timestamp"`
}
