package tenant

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// jsonStateVersion is the version of the one-file JSON state (the first state format, still
// read to import old state files, and the reset snapshot); the state store has its own.
const jsonStateVersion = 1

// snapshot is a whole directory as one value: every table in order, and the private hashes.
type snapshot struct {
	Version            int                      `json:"version"`
	SavedAt            time.Time                `json:"savedAt"`
	TenantID           string                   `json:"tenantId"`
	Organization       Organization             `json:"organization"`
	Seeded             SeedResult               `json:"seeded"`
	Applications       []*Application           `json:"applications"`
	ServicePrincipals  []*ServicePrincipal      `json:"servicePrincipals"`
	Users              []*User                  `json:"users"`
	Grants             []*OAuth2PermissionGrant `json:"oauth2PermissionGrants"`
	AppRoleAssignments []*AppRoleAssignment     `json:"appRoleAssignments"`
	RoleAssignments    []*RoleAssignment        `json:"roleAssignments"`
	Subscriptions      []*Subscription          `json:"subscriptions"`
	DicomServices      []*DicomService          `json:"dicomServices"`
	DicomInstances     []*DicomInstance         `json:"dicomInstances"`
	ChangeFeed         []ChangeFeedEntry        `json:"changeFeed"`
	FirstPartyClients  []FirstPartyClient       `json:"firstPartyClients"`
	SecretHashes       map[string][]byte        `json:"secretHashes"`
	UserPasswords      map[string][]byte        `json:"userPasswordHashes"`
	// Federated are the apps' federated identity credentials by app object id (absent in files
	// written before they existed).
	Federated map[string][]FederatedIdentityCredential `json:"federatedIdentityCredentials,omitempty"`
}

// MarshalState encodes the directory as one JSON document.
func MarshalState(d *Directory) ([]byte, error) {
	s := snapshot{
		Version: jsonStateVersion, TenantID: d.TenantID, Organization: d.Organization, Seeded: d.Seeded,
		Applications: d.apps.all(), ServicePrincipals: d.sps.all(), Users: d.users.all(),
		Grants: d.grants.all(), AppRoleAssignments: d.appRoleAssign.all(), RoleAssignments: d.roleAssign.all(),
		Subscriptions: d.subscriptions.all(), DicomServices: d.dicomServices.all(),
		DicomInstances: d.instances.all(), ChangeFeed: d.changeFeed,
		SecretHashes: d.secretHashes, UserPasswords: d.userPassword, Federated: d.federated,
	}
	for _, c := range d.firstParty {
		s.FirstPartyClients = append(s.FirstPartyClients, c)
	}
	return json.Marshal(s)
}

// UnmarshalState decodes a JSON state document, checks it and rebuilds every index.
func UnmarshalState(data []byte) (*Directory, error) {
	var s snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("state file is not valid JSON: %w", err)
	}
	if s.Version != jsonStateVersion {
		return nil, fmt.Errorf("state file has version %d, this mock reads version %d", s.Version, jsonStateVersion)
	}
	return s.directory()
}

var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// check refuses what a hand-edited or damaged state can hold and a directory cannot: null
// objects, empty or repeated keys, a tenant id that is not a GUID. Each error names the entry.
func (s *snapshot) check() error {
	if s.TenantID == "" {
		return errors.New("state names no tenant")
	}
	if !guidPattern.MatchString(s.TenantID) {
		return fmt.Errorf("state: tenant id %q is not a GUID", s.TenantID)
	}
	return errors.Join(
		unique("applications", "id", s.Applications, func(a *Application) string { return a.ID }),
		unique("applications", "appId", s.Applications, func(a *Application) string { return a.AppID }),
		unique("servicePrincipals", "id", s.ServicePrincipals, func(p *ServicePrincipal) string { return p.ID }),
		unique("servicePrincipals", "appId", s.ServicePrincipals, func(p *ServicePrincipal) string { return p.AppID }),
		unique("users", "id", s.Users, func(u *User) string { return u.ID }),
		unique("users", "userPrincipalName", s.Users, func(u *User) string { return u.UserPrincipalName }),
		unique("oauth2PermissionGrants", "id", s.Grants, func(g *OAuth2PermissionGrant) string { return g.ID }),
		unique("appRoleAssignments", "id", s.AppRoleAssignments, func(a *AppRoleAssignment) string { return a.ID }),
		unique("roleAssignments", "name", s.RoleAssignments, func(r *RoleAssignment) string { return r.Name }),
		unique("subscriptions", "subscriptionId", s.Subscriptions, func(x *Subscription) string { return x.ID }),
		unique("dicomServices", "workspace-name", s.DicomServices, func(x *DicomService) string { return x.HostName() }),
		unique("dicomInstances", "service/sopInstanceUid", s.DicomInstances, func(in *DicomInstance) string {
			if in.Service == "" || in.SOPInstanceUID == "" {
				return ""
			}
			return instanceKey(in.Service, in.SOPInstanceUID)
		}),
	)
}

// unique reports the first null object, empty key or repeated key (compared as the directory
// compares them, ignoring case) in objects.
func unique[T any](field, prop string, objects []*T, keyOf func(*T) string) error {
	seen := make(map[string]int, len(objects))
	for i, o := range objects {
		if o == nil {
			return fmt.Errorf("state: %s[%d] is null", field, i)
		}
		k := keyOf(o)
		if k == "" || k == "-" {
			return fmt.Errorf("state: %s[%d] has an empty %s", field, i, prop)
		}
		if j, dup := seen[key(k)]; dup {
			return fmt.Errorf("state: %s[%d] and %s[%d] have the same %s %q", field, j, field, i, prop, k)
		}
		seen[key(k)] = i
	}
	return nil
}

// directory checks the snapshot and builds a directory from it.
func (s *snapshot) directory() (*Directory, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	d := NewDirectory(s.TenantID)
	d.Organization, d.Seeded, d.changeFeed = s.Organization, s.Seeded, s.ChangeFeed
	for i := range d.changeFeed {
		if d.changeFeed[i].Sequence != int64(i)+1 {
			return nil, fmt.Errorf("state: changeFeed[%d] has sequence %d, want %d", i, d.changeFeed[i].Sequence, i+1)
		}
	}
	for _, a := range s.Applications {
		d.PutApplication(a)
	}
	for _, sp := range s.ServicePrincipals {
		d.PutServicePrincipal(sp)
	}
	for _, u := range s.Users {
		d.PutUser(u, "")
	}
	for _, g := range s.Grants {
		d.PutGrant(g)
	}
	for _, a := range s.AppRoleAssignments {
		d.PutAppRoleAssignment(a)
	}
	for _, r := range s.RoleAssignments {
		d.PutRoleAssignment(r)
	}
	for _, sub := range s.Subscriptions {
		d.PutSubscription(sub)
	}
	for _, ds := range s.DicomServices {
		d.PutDicomService(ds)
	}
	for _, in := range s.DicomInstances {
		d.putInstance(instanceKey(in.Service, in.SOPInstanceUID), in)
	}
	for _, c := range s.FirstPartyClients {
		d.PutFirstPartyClient(c)
	}
	for k, v := range s.SecretHashes {
		d.secretHashes[k] = v
	}
	for k, v := range s.UserPasswords {
		d.userPassword[k] = v
	}
	for k, v := range s.Federated {
		if d.Application(k) != nil {
			d.PutFederatedCredentials(k, v)
		}
	}
	return d, nil
}
