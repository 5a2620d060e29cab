package converge

import (
	"context"
	"time"

	"github.com/dicomreg/dicomreg/plugin/directory"
)

// The directory's types, named here so callers of this package need not import plugin/directory.
type (
	Application            = directory.Application
	ServicePrincipal       = directory.ServicePrincipal
	KeyCredential          = directory.KeyCredential
	PasswordCredential     = directory.PasswordCredential
	RedirectURIs           = directory.RedirectURIs
	RequiredResourceAccess = directory.RequiredResourceAccess
	ResourceAccess         = directory.ResourceAccess
	Grant                  = directory.Grant
	RoleAssignment         = directory.RoleAssignment
)

// Directory is every Graph and ARM call the engine makes. plugin/directory's Client implements
// it (with retries through replication lag and throttling); tests use an in-memory fake.
type Directory interface {
	FindApplications(ctx context.Context, displayName string) ([]Application, error)
	GetApplication(ctx context.Context, objectID string) (*Application, error)
	GetApplicationByAppID(ctx context.Context, appID string) (*Application, error)
	// GetApplicationKeys reads keyCredentials with their keys, to PATCH the collection back whole.
	GetApplicationKeys(ctx context.Context, objectID string) ([]KeyCredential, error)
	CreateApplication(ctx context.Context, a *Application) (*Application, error)
	PatchApplication(ctx context.Context, objectID string, patch map[string]any) error
	AddPassword(ctx context.Context, objectID, displayName string, end time.Time) (*PasswordCredential, error)
	RemovePassword(ctx context.Context, objectID, keyID string) error

	// ServicePrincipalByAppID and ServicePrincipalByName answer nil, nil when there is none.
	ServicePrincipalByAppID(ctx context.Context, appID string) (*ServicePrincipal, error)
	ServicePrincipalByName(ctx context.Context, spn, displayName string) (*ServicePrincipal, error)
	CreateServicePrincipal(ctx context.Context, appID string) (*ServicePrincipal, error)
	// AwaitServicePrincipal waits until an existing principal that reads do not show yet appears.
	AwaitServicePrincipal(ctx context.Context, appID string) (*ServicePrincipal, error)

	Grants(ctx context.Context, clientSPID string) ([]Grant, error)
	CreateGrant(ctx context.Context, g *Grant) (*Grant, error)
	UpdateGrantScope(ctx context.Context, id, scope string) error

	RoleAssignments(ctx context.Context, scope, principalID string) ([]RoleAssignment, error)
	CreateRoleAssignment(ctx context.Context, scope, name, roleDefinitionGUID, principalID, principalType string) (*RoleAssignment, error)
	RoleDefinitionByName(ctx context.Context, scope, name string) (string, error)

	// Organization is the tenant id the credential signs in to.
	Organization(ctx context.Context) (string, error)
}

var _ Directory = (*directory.Client)(nil)
