package tenant

// Well-known identifiers of Microsoft's first-party apps, permissions and roles. They seed the
// mock tenant; sources are in ../shared/FACTS.md. DICOMAppID is unverified there, so the seed
// takes it from SeedOptions and this is only the default.
const (
	MicrosoftTenantID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a" // owner of first-party apps

	DICOMAppID          = "75e725bf-66ce-4cea-9b9a-5c4caae57f33"
	DICOMDisplayName    = "Azure API for DICOM"
	DICOMResource       = "https://dicom.healthcareapis.azure.com"
	DICOMReadWriteScope = "Dicom.ReadWrite"
	DICOMReadWriteID    = "e69ab058-b8ae-4c0f-b687-5d97888ddccb"

	GraphAppID       = "00000003-0000-0000-c000-000000000000"
	GraphDisplayName = "Microsoft Graph"
	GraphResource    = "https://graph.microsoft.com"

	ARMAppID       = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
	ARMDisplayName = "Windows Azure Service Management API"
	ARMResource    = "https://management.azure.com"
	// ARMResourceLegacy is the audience the Azure CLI asks for (note the double slash in its scope).
	ARMResourceLegacy = "https://management.core.windows.net/"

	AzureCLIAppID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
)

// Microsoft Graph application permissions (app roles) the mock enforces.
const (
	RoleApplicationReadAll          = "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30"
	RoleApplicationReadWriteAll     = "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"
	RoleApplicationReadWriteOwnedBy = "18a4783c-866b-4cc7-a460-3d5e5662c884"
	RoleAppRoleAssignmentRWAll      = "06b708a9-e830-4db3-a914-8e69da51d44f"
	RoleDelegatedPermissionGrantRW  = "8e8e4742-1d95-4f68-9d56-6ee75648c72a"
	RoleDirectoryReadAll            = "7ab1d382-f21e-4acd-a863-ba3e13f7da61"
	RoleDirectoryReadWriteAll       = "19dbc75e-c2e2-444c-a770-ec69d8559fc7"
)

// Azure RBAC role definition ids (role-based-access-control/built-in-roles).
const (
	RoleDefOwner                   = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
	RoleDefContributor             = "b24988ac-6180-42a0-ab88-20f7382dd24c"
	RoleDefReader                  = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	RoleDefUserAccessAdministrator = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
	RoleDefDICOMDataOwner          = "58a3b984-7adf-4c20-983a-32417c86fbc8"
	RoleDefDICOMDataReader         = "e89c7a3c-2f64-4fa1-a847-3e4c9ba4283a"
)

// RoleDefinition is a built-in Azure role as far as the mock needs it.
type RoleDefinition struct {
	ID          string   `json:"id"` // the bare GUID
	RoleName    string   `json:"roleName"`
	Description string   `json:"description"`
	Actions     []string `json:"actions"`
	DataActions []string `json:"dataActions"`
}

// BuiltInRoles are the role definitions the mock knows, by id.
var BuiltInRoles = map[string]RoleDefinition{
	RoleDefOwner:                   {ID: RoleDefOwner, RoleName: "Owner", Description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.", Actions: []string{"*"}},
	RoleDefContributor:             {ID: RoleDefContributor, RoleName: "Contributor", Description: "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.", Actions: []string{"*"}},
	RoleDefReader:                  {ID: RoleDefReader, RoleName: "Reader", Description: "View all resources, but does not allow you to make any changes.", Actions: []string{"*/read"}},
	RoleDefUserAccessAdministrator: {ID: RoleDefUserAccessAdministrator, RoleName: "User Access Administrator", Description: "Lets you manage user access to Azure resources.", Actions: []string{"*/read", "Microsoft.Authorization/*"}},
	RoleDefDICOMDataOwner:          {ID: RoleDefDICOMDataOwner, RoleName: "DICOM Data Owner", Description: "Full access to DICOM data.", DataActions: []string{"Microsoft.HealthcareApis/workspaces/dicomservices/resources/*"}},
	RoleDefDICOMDataReader:         {ID: RoleDefDICOMDataReader, RoleName: "DICOM Data Reader", Description: "Read and search DICOM data.", DataActions: []string{"Microsoft.HealthcareApis/workspaces/dicomservices/resources/read"}},
}
