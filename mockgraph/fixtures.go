package mockgraph

import (
	"crypto/sha1"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// The fixture API: tests put objects straight into the tenant (no request, no replication delay)
// and read what the surfaces made, without reaching into the mock's packages.

// The DICOM data roles' role definition ids (role-based-access-control/built-in-roles/integration.md).
const (
	RoleDICOMDataOwner  = tenant.RoleDefDICOMDataOwner
	RoleDICOMDataReader = tenant.RoleDefDICOMDataReader
)

// App is an app registration as a fixture: what the portal would have set.
type App struct {
	Name                     string
	PublicClient             bool // "Allow public client flows"
	PublicClientRedirectURIs []string
	WebRedirectURIs          []string
	SPARedirectURIs          []string
	// Secret is a client secret's value the app accepts ("" none), valid until SecretExpires
	// (zero: a year from now); SecretName is its description.
	Secret        string
	SecretName    string
	SecretExpires time.Time
	// Certificates are uploaded client certificates (public part only).
	Certificates []*x509.Certificate
	// DICOMPermission requests Azure API for DICOM / Dicom.ReadWrite (delegated).
	DICOMPermission bool
}

// AddedApp names what AddApplication made.
type AddedApp struct {
	ObjectID    string
	AppID       string
	SecretKeyID string // "" without a secret
}

// AddApplication puts an app registration into the tenant, created an hour ago by the mock's
// clock, and returns its ids.
func (s *Server) AddApplication(a App) (AddedApp, error) {
	if strings.TrimSpace(a.Name) == "" {
		return AddedApp{}, errors.New("mockgraph: AddApplication needs a Name")
	}
	now := s.clock.Now()
	app := &tenant.Application{ID: s.rand.GUID(), AppID: s.rand.GUID(), DisplayName: a.Name, SignInAudience: "AzureADMyOrg",
		PublicClient: tenant.PublicClient{RedirectURIs: a.PublicClientRedirectURIs}, Web: tenant.Web{RedirectURIs: a.WebRedirectURIs},
		Spa: tenant.Spa{RedirectURIs: a.SPARedirectURIs}, CreatedDateTime: now.Add(-time.Hour)}
	if a.PublicClient {
		yes := true
		app.IsFallbackPublicClient = &yes
	}
	added := AddedApp{ObjectID: app.ID, AppID: app.AppID}
	if a.Secret != "" {
		end := a.SecretExpires
		if end.IsZero() {
			end = now.AddDate(1, 0, 0)
		}
		added.SecretKeyID = s.rand.GUID()
		app.PasswordCredentials = []tenant.PasswordCredential{{KeyID: added.SecretKeyID, DisplayName: optional(a.SecretName),
			Hint: a.Secret[:min(3, len(a.Secret))], StartDateTime: now.Add(-time.Hour), EndDateTime: end}}
	}
	for _, c := range a.Certificates {
		thumb := sha1.Sum(c.Raw)
		app.KeyCredentials = append(app.KeyCredentials, tenant.KeyCredential{KeyID: s.rand.GUID(), CustomKeyIdentifier: thumb[:],
			DisplayName: optional("CN=" + c.Subject.CommonName), Key: c.Raw, Type: "AsymmetricX509Cert", Usage: "Verify",
			StartDateTime: c.NotBefore, EndDateTime: c.NotAfter})
	}
	if a.DICOMPermission {
		app.RequiredResourceAccess = []tenant.RequiredResourceAccess{{ResourceAppID: tenant.DICOMAppID,
			ResourceAccess: []tenant.ResourceAccess{{ID: tenant.DICOMReadWriteID, Type: "Scope"}}}}
	}
	err := s.store.Update(func(d *tenant.Directory) error {
		d.PutApplication(app)
		if a.Secret != "" {
			d.SetSecretHash(added.SecretKeyID, tenant.HashSecret(a.Secret))
		}
		return nil
	})
	return added, err
}

// AddServicePrincipal gives the app its service principal and returns the principal's object id.
func (s *Server) AddServicePrincipal(appID string) (string, error) {
	var id string
	err := s.store.Update(func(d *tenant.Directory) error {
		app := d.ApplicationByAppID(appID)
		if app == nil {
			return fmt.Errorf("mockgraph: no application with appId %s", appID)
		}
		if sp := d.ServicePrincipalByAppID(appID); sp != nil {
			return fmt.Errorf("mockgraph: application %s already has service principal %s", appID, sp.ID)
		}
		sp := &tenant.ServicePrincipal{ID: s.rand.GUID(), AppID: appID, DisplayName: app.DisplayName, AccountEnabled: true,
			ServicePrincipalNames: []string{appID}, ServicePrincipalType: "Application", SignInAudience: app.SignInAudience,
			CreatedDateTime: s.clock.Now()}
		d.PutServicePrincipal(sp)
		id = sp.ID
		return nil
	})
	return id, err
}

// GrantAdminConsent gives the client principal tenant-wide consent to Azure API for DICOM's
// scopes (default Dicom.ReadWrite).
func (s *Server) GrantAdminConsent(clientSPID string, scopes ...string) error {
	if len(scopes) == 0 {
		scopes = []string{"Dicom.ReadWrite"}
	}
	return s.store.Update(func(d *tenant.Directory) error {
		if d.ServicePrincipal(clientSPID) == nil {
			return fmt.Errorf("mockgraph: no service principal %s", clientSPID)
		}
		if d.Seeded.DICOMPrincipalID == "" {
			return errors.New("mockgraph: this tenant has no Azure API for DICOM principal")
		}
		d.PutGrant(&tenant.OAuth2PermissionGrant{ID: s.rand.GUID(), ClientID: clientSPID, ConsentType: "AllPrincipals",
			ResourceID: d.Seeded.DICOMPrincipalID, Scope: strings.Join(scopes, " ")})
		return nil
	})
}

// AssignRole assigns the role definition (RoleDICOMDataOwner, RoleDICOMDataReader) to the
// principal at scope (an ARM id; "" is the seeded DICOM service), made an hour ago by the mock's
// clock like AddApplication's app, so it has propagated whatever the delays.
func (s *Server) AssignRole(principalID, roleDefinitionID, scope string) error {
	now := s.clock.Now().Add(-time.Hour)
	return s.store.Update(func(d *tenant.Directory) error {
		if scope == "" {
			scope = d.Seeded.DicomServiceID
		}
		principalType := "ServicePrincipal"
		if d.ServicePrincipal(principalID) == nil {
			if d.User(principalID) == nil {
				return fmt.Errorf("mockgraph: no service principal or user %s", principalID)
			}
			principalType = "User"
		}
		d.PutRoleAssignment(&tenant.RoleAssignment{Name: s.rand.GUID(), Scope: scope, RoleDefinitionID: roleDefinitionID,
			PrincipalID: principalID, PrincipalType: principalType, CreatedOn: now, UpdatedOn: now})
		return nil
	})
}

// AppState is an app registration as the tenant holds it.
type AppState struct {
	ObjectID                 string
	AppID                    string
	DisplayName              string
	SignInAudience           string
	PublicClient             bool
	PublicClientRedirectURIs []string
	WebRedirectURIs          []string
	SPARedirectURIs          []string
	Secrets                  []CredentialState
	Certificates             []CredentialState
	Permissions              []PermissionState
}

// CredentialState is a secret or certificate of an app (never a secret's value).
type CredentialState struct {
	KeyID       string
	DisplayName string
	Hint        string // secrets: the value's first characters
	Thumbprint  []byte // certificates: SHA-1 of the DER
	End         time.Time
}

// PermissionState is one requested API permission.
type PermissionState struct {
	ResourceAppID string
	ID            string
	Type          string // Scope (delegated) or Role (application)
}

// PrincipalState is a service principal as the tenant holds it.
type PrincipalState struct {
	ID     string
	AppID  string
	Scopes map[string]string // delegated permission value → id
}

// GrantState is a delegated-permission grant.
type GrantState struct {
	ClientID    string
	ConsentType string
	ResourceID  string
	Scope       string
}

// Applications returns the tenant's app registrations named name ("" every one).
func (s *Server) Applications(name string) []AppState {
	var out []AppState
	_ = s.store.View(func(d *tenant.Directory) error {
		for _, a := range d.Applications() {
			if name == "" || a.DisplayName == name {
				out = append(out, appState(a))
			}
		}
		return nil
	})
	return out
}

func appState(a *tenant.Application) AppState {
	st := AppState{ObjectID: a.ID, AppID: a.AppID, DisplayName: a.DisplayName, SignInAudience: a.SignInAudience,
		PublicClient:             a.IsFallbackPublicClient != nil && *a.IsFallbackPublicClient,
		PublicClientRedirectURIs: slices.Clone(a.PublicClient.RedirectURIs), WebRedirectURIs: slices.Clone(a.Web.RedirectURIs),
		SPARedirectURIs: slices.Clone(a.Spa.RedirectURIs)}
	for _, p := range a.PasswordCredentials {
		st.Secrets = append(st.Secrets, CredentialState{KeyID: p.KeyID, DisplayName: deref(p.DisplayName), Hint: p.Hint, End: p.EndDateTime})
	}
	for _, k := range a.KeyCredentials {
		st.Certificates = append(st.Certificates, CredentialState{KeyID: k.KeyID, DisplayName: deref(k.DisplayName),
			Thumbprint: slices.Clone(k.CustomKeyIdentifier), End: k.EndDateTime})
	}
	for _, r := range a.RequiredResourceAccess {
		for _, ra := range r.ResourceAccess {
			st.Permissions = append(st.Permissions, PermissionState{ResourceAppID: r.ResourceAppID, ID: ra.ID, Type: ra.Type})
		}
	}
	return st
}

// ServicePrincipals returns the principals of appID (one, unless something went wrong).
func (s *Server) ServicePrincipals(appID string) []PrincipalState {
	var out []PrincipalState
	_ = s.store.View(func(d *tenant.Directory) error {
		for _, sp := range d.ServicePrincipals() {
			if strings.EqualFold(sp.AppID, appID) {
				out = append(out, principalState(sp))
			}
		}
		return nil
	})
	return out
}

// DICOMPrincipal is the tenant's Azure API for DICOM principal; ok false when it has none.
func (s *Server) DICOMPrincipal() (p PrincipalState, ok bool) {
	_ = s.store.View(func(d *tenant.Directory) error {
		if sp := d.ServicePrincipal(d.Seeded.DICOMPrincipalID); sp != nil {
			p, ok = principalState(sp), true
		}
		return nil
	})
	return p, ok
}

func principalState(sp *tenant.ServicePrincipal) PrincipalState {
	p := PrincipalState{ID: sp.ID, AppID: sp.AppID, Scopes: map[string]string{}}
	for _, sc := range sp.OAuth2PermissionScopes {
		p.Scopes[sc.Value] = sc.ID
	}
	return p
}

// Grants returns the delegated-permission grants of a client principal.
func (s *Server) Grants(clientSPID string) []GrantState {
	var out []GrantState
	_ = s.store.View(func(d *tenant.Directory) error {
		for _, g := range d.Grants() {
			if g.ClientID == clientSPID {
				out = append(out, GrantState{ClientID: g.ClientID, ConsentType: g.ConsentType, ResourceID: g.ResourceID, Scope: g.Scope})
			}
		}
		return nil
	})
	return out
}

// RoleState is an Azure role assignment.
type RoleState struct {
	Name             string
	Scope            string
	RoleDefinitionID string
	PrincipalID      string
}

// RoleAssignments returns the role assignments made to the principal, at any scope.
func (s *Server) RoleAssignments(principalID string) []RoleState {
	var out []RoleState
	_ = s.store.View(func(d *tenant.Directory) error {
		for _, ra := range d.RoleAssignments() {
			if strings.EqualFold(ra.PrincipalID, principalID) {
				out = append(out, RoleState{Name: ra.Name, Scope: ra.Scope, RoleDefinitionID: ra.RoleDefinitionID, PrincipalID: ra.PrincipalID})
			}
		}
		return nil
	})
	return out
}

// EffectiveRoles returns the role definition ids the principal holds at scope, inherited ones
// included (an assignment on a parent scope applies below it).
func (s *Server) EffectiveRoles(principalID, scope string) []string {
	var out []string
	_ = s.store.View(func(d *tenant.Directory) error {
		out = d.EffectiveRoles(principalID, scope)
		return nil
	})
	return out
}

// optional is Graph's null for "".
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
