package converge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/plugin/directory"
)

// fakeDirectory is a tenant in memory behind the Directory interface: what the engine sees of
// Graph and ARM, without HTTP. It counts reads and writes, and fails the calls named in failOn
// (method name → error, once).
type fakeDirectory struct {
	tenant string
	apps   []*Application
	sps    []*ServicePrincipal
	grants []*Grant
	roles  []RoleAssignment
	// spConflict makes CreateServicePrincipal answer 409 for an app whose principal exists
	// but is not yet visible to reads (replication lag).
	hiddenSPs map[string]*ServicePrincipal
	failOn    map[string]error
	// lose names writes that are applied but whose answer never arrives (the process dies).
	lose   map[string]bool
	calls  []string
	reads  int
	writes int
	next   int
}

// dicomSP is the tenant's Azure API for DICOM principal, as the mock seeds it.
func dicomSP() *ServicePrincipal {
	return &ServicePrincipal{ID: "sp-dicom", AppID: "75e725bf-66ce-4cea-9b9a-5c4caae57f33", DisplayName: DICOMDisplayName,
		ServicePrincipalNames:  []string{DICOMResourceURI},
		OAuth2PermissionScopes: []directory.PermissionScope{{ID: "e69ab058-b8ae-4c0f-b687-5d97888ddccb", Value: DICOMScope}}}
}

func newFakeDirectory() *fakeDirectory {
	return &fakeDirectory{tenant: "tenant-1", sps: []*ServicePrincipal{dicomSP()}, hiddenSPs: map[string]*ServicePrincipal{}, failOn: map[string]error{}, lose: map[string]bool{}}
}

func (d *fakeDirectory) id(kind string) string {
	d.next++
	return fmt.Sprintf("%s-%d", kind, d.next)
}

func (d *fakeDirectory) call(name string, write bool) error {
	d.calls = append(d.calls, name)
	if write {
		d.writes++
	} else {
		d.reads++
	}
	if err, ok := d.failOn[name]; ok {
		delete(d.failOn, name)
		return err
	}
	return nil
}

func notFound(msg string) error {
	return &directory.Error{Status: http.StatusNotFound, Code: "Request_ResourceNotFound", Message: msg}
}

func (d *fakeDirectory) FindApplications(_ context.Context, name string) ([]Application, error) {
	if err := d.call("FindApplications", false); err != nil {
		return nil, err
	}
	var out []Application
	for _, a := range d.apps {
		if a.DisplayName == name {
			out = append(out, copyApp(a))
		}
	}
	return out, nil
}

func (d *fakeDirectory) app(objectID string) *Application {
	for _, a := range d.apps {
		if a.ID == objectID {
			return a
		}
	}
	return nil
}

func (d *fakeDirectory) GetApplication(_ context.Context, id string) (*Application, error) {
	if err := d.call("GetApplication", false); err != nil {
		return nil, err
	}
	if a := d.app(id); a != nil {
		c := copyApp(a)
		return &c, nil
	}
	return nil, notFound("no application " + id)
}

func (d *fakeDirectory) GetApplicationByAppID(_ context.Context, appID string) (*Application, error) {
	if err := d.call("GetApplicationByAppID", false); err != nil {
		return nil, err
	}
	for _, a := range d.apps {
		if a.AppID == appID {
			c := copyApp(a)
			return &c, nil
		}
	}
	return nil, notFound("no application with appId " + appID)
}

func (d *fakeDirectory) GetApplicationKeys(_ context.Context, id string) ([]KeyCredential, error) {
	if err := d.call("GetApplicationKeys", false); err != nil {
		return nil, err
	}
	if a := d.app(id); a != nil {
		return append([]KeyCredential(nil), a.KeyCredentials...), nil
	}
	return nil, notFound("no application " + id)
}

func (d *fakeDirectory) CreateApplication(_ context.Context, a *Application) (*Application, error) {
	if err := d.call("CreateApplication", true); err != nil {
		return nil, err
	}
	c := copyApp(a)
	c.ID, c.AppID = d.id("obj"), d.id("app")
	for i := range c.KeyCredentials {
		c.KeyCredentials[i].KeyID = d.id("key")
	}
	d.apps = append(d.apps, &c)
	out := copyApp(&c)
	return &out, nil
}

func (d *fakeDirectory) PatchApplication(_ context.Context, id string, patch map[string]any) error {
	if err := d.call("PatchApplication", true); err != nil {
		return err
	}
	a := d.app(id)
	if a == nil {
		return notFound("no application " + id)
	}
	Change{Patch: patch}.Apply(a)
	if keys, ok := patch["keyCredentials"].([]KeyCredential); ok {
		a.KeyCredentials = append([]KeyCredential(nil), keys...)
	}
	return nil
}

func (d *fakeDirectory) AddPassword(_ context.Context, id, name string, end time.Time) (*PasswordCredential, error) {
	if err := d.call("AddPassword", true); err != nil {
		return nil, err
	}
	a := d.app(id)
	if a == nil {
		return nil, notFound("no application " + id)
	}
	if end.IsZero() {
		end = fakeNow.AddDate(2, 0, 0)
	}
	secret := "S3cret~" + d.id("value")
	p := PasswordCredential{KeyID: d.id("pw"), DisplayName: name, Hint: secret[:3], StartDateTime: fakeNow, EndDateTime: end}
	a.PasswordCredentials = append(a.PasswordCredentials, p)
	if d.lose["AddPassword"] {
		delete(d.lose, "AddPassword")
		return nil, errKilled
	}
	p.SecretText = secret
	return &p, nil
}

func (d *fakeDirectory) RemovePassword(_ context.Context, id, keyID string) error {
	if err := d.call("RemovePassword", true); err != nil {
		return err
	}
	a := d.app(id)
	for i, p := range a.PasswordCredentials {
		if p.KeyID == keyID {
			a.PasswordCredentials = append(a.PasswordCredentials[:i:i], a.PasswordCredentials[i+1:]...)
			return nil
		}
	}
	return notFound("no password " + keyID)
}

func (d *fakeDirectory) ServicePrincipalByAppID(_ context.Context, appID string) (*ServicePrincipal, error) {
	if err := d.call("ServicePrincipalByAppID", false); err != nil {
		return nil, err
	}
	for _, sp := range d.sps {
		if strings.EqualFold(sp.AppID, appID) {
			c := *sp
			return &c, nil
		}
	}
	return nil, nil
}

func (d *fakeDirectory) ServicePrincipalByName(_ context.Context, spn, display string) (*ServicePrincipal, error) {
	if err := d.call("ServicePrincipalByName", false); err != nil {
		return nil, err
	}
	for _, sp := range d.sps {
		for _, n := range sp.ServicePrincipalNames {
			if n == spn {
				c := *sp
				return &c, nil
			}
		}
	}
	for _, sp := range d.sps {
		if display != "" && sp.DisplayName == display {
			c := *sp
			return &c, nil
		}
	}
	return nil, nil
}

func (d *fakeDirectory) CreateServicePrincipal(_ context.Context, appID string) (*ServicePrincipal, error) {
	if err := d.call("CreateServicePrincipal", true); err != nil {
		return nil, err
	}
	if _, hidden := d.hiddenSPs[appID]; hidden {
		return nil, &directory.Error{Status: http.StatusConflict, Code: "Request_MultipleObjectsWithSameKeyValue", Message: "exists"}
	}
	sp := &ServicePrincipal{ID: d.id("sp"), AppID: appID}
	d.sps = append(d.sps, sp)
	c := *sp
	return &c, nil
}

func (d *fakeDirectory) AwaitServicePrincipal(_ context.Context, appID string) (*ServicePrincipal, error) {
	if err := d.call("AwaitServicePrincipal", false); err != nil {
		return nil, err
	}
	sp, ok := d.hiddenSPs[appID]
	if !ok {
		return nil, notFound("no principal for " + appID)
	}
	delete(d.hiddenSPs, appID)
	d.sps = append(d.sps, sp)
	c := *sp
	return &c, nil
}

func (d *fakeDirectory) Grants(_ context.Context, clientID string) ([]Grant, error) {
	if err := d.call("Grants", false); err != nil {
		return nil, err
	}
	var out []Grant
	for _, g := range d.grants {
		if g.ClientID == clientID {
			out = append(out, *g)
		}
	}
	return out, nil
}

func (d *fakeDirectory) CreateGrant(_ context.Context, g *Grant) (*Grant, error) {
	if err := d.call("CreateGrant", true); err != nil {
		return nil, err
	}
	c := *g
	c.ID = d.id("grant")
	d.grants = append(d.grants, &c)
	out := c
	return &out, nil
}

func (d *fakeDirectory) UpdateGrantScope(_ context.Context, id, scope string) error {
	if err := d.call("UpdateGrantScope", true); err != nil {
		return err
	}
	for _, g := range d.grants {
		if g.ID == id {
			g.Scope = scope
			return nil
		}
	}
	return notFound("no grant " + id)
}

func (d *fakeDirectory) RoleAssignments(_ context.Context, scope, principalID string) ([]RoleAssignment, error) {
	if err := d.call("RoleAssignments", false); err != nil {
		return nil, err
	}
	var out []RoleAssignment
	for _, ra := range d.roles {
		if ra.Properties.PrincipalID == principalID && (covers(ra.Properties.Scope, scope) || covers(scope, ra.Properties.Scope)) {
			out = append(out, ra)
		}
	}
	return out, nil
}

func (d *fakeDirectory) CreateRoleAssignment(_ context.Context, scope, name, roleGUID, principalID, principalType string) (*RoleAssignment, error) {
	if err := d.call("CreateRoleAssignment", true); err != nil {
		return nil, err
	}
	d.roles = append(d.roles, roleAssignment(scope, name, roleGUID, principalID, principalType))
	ra := d.roles[len(d.roles)-1]
	return &ra, nil
}

func roleAssignment(scope, name, roleGUID, principalID, principalType string) RoleAssignment {
	var ra RoleAssignment
	ra.ID = scope + "/providers/Microsoft.Authorization/roleAssignments/" + name
	ra.Name = name
	ra.Properties.RoleDefinitionID = "/providers/Microsoft.Authorization/roleDefinitions/" + roleGUID
	ra.Properties.PrincipalID, ra.Properties.PrincipalType, ra.Properties.Scope = principalID, principalType, scope
	return ra
}

func (d *fakeDirectory) RoleDefinitionByName(_ context.Context, scope, name string) (string, error) {
	if err := d.call("RoleDefinitionByName", false); err != nil {
		return "", err
	}
	return "", &directory.Error{Status: http.StatusNotFound, Code: "RoleDefinitionDoesNotExist", Message: "no role named " + name}
}

func (d *fakeDirectory) Organization(context.Context) (string, error) {
	if err := d.call("Organization", false); err != nil {
		return "", err
	}
	return d.tenant, nil
}

// copyApp copies an application deep enough that the engine's edits never reach the store.
func copyApp(a *Application) Application {
	c := *a
	c.PasswordCredentials = append([]PasswordCredential(nil), a.PasswordCredentials...)
	c.KeyCredentials = append([]KeyCredential(nil), a.KeyCredentials...)
	c.RequiredResourceAccess = append([]RequiredResourceAccess(nil), a.RequiredResourceAccess...)
	for _, p := range Platforms {
		if r := *PlatformURIs(a, p); r != nil {
			*PlatformURIs(&c, p) = &RedirectURIs{RedirectURIs: append([]string(nil), r.RedirectURIs...)}
		}
	}
	return c
}

var errKilled = errors.New("process killed")

var fakeNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

var _ Directory = (*fakeDirectory)(nil)
