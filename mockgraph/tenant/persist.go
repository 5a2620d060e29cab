package tenant

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// stateVersion is written into every state file; a file of another version is refused, not guessed at.
const stateVersion = 1

// snapshot is the state file's layout: every table in order, and the private hashes.
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

// MarshalState encodes the directory as a state file's content.
func MarshalState(d *Directory) ([]byte, error) {
	s := snapshot{
		Version: stateVersion, TenantID: d.TenantID, Organization: d.Organization, Seeded: d.Seeded,
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

// check refuses entries a hand-edited or damaged file can hold and the directory cannot: null
// objects.
func (s *snapshot) check() error {
	return errors.Join(noNulls("applications", s.Applications), noNulls("servicePrincipals", s.ServicePrincipals),
		noNulls("users", s.Users), noNulls("grants", s.Grants), noNulls("appRoleAssignments", s.AppRoleAssignments),
		noNulls("roleAssignments", s.RoleAssignments), noNulls("subscriptions", s.Subscriptions),
		noNulls("dicomServices", s.DicomServices), noNulls("dicomInstances", s.DicomInstances))
}

func noNulls[T any](field string, objects []*T) error {
	if i := slices.Index(objects, nil); i >= 0 {
		return fmt.Errorf("state file: %s[%d] is null", field, i)
	}
	return nil
}

// UnmarshalState decodes a state file's content, rebuilding every index.
func UnmarshalState(data []byte) (*Directory, error) {
	var s snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("state file is not valid JSON: %w", err)
	}
	if s.Version != stateVersion {
		return nil, fmt.Errorf("state file has version %d, this mock reads version %d", s.Version, stateVersion)
	}
	if s.TenantID == "" {
		return nil, errors.New("state file names no tenant")
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	d := NewDirectory(s.TenantID)
	d.Organization, d.Seeded, d.changeFeed = s.Organization, s.Seeded, s.ChangeFeed
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

// stateFile writes snapshots atomically: a temporary file in the same folder, fsynced, renamed
// over the old one, and the folder fsynced, so a crash leaves either the old or the new file.
type stateFile struct{ path string }

func (f *stateFile) save(d *Directory) error {
	data, err := MarshalState(d)
	if err != nil {
		return err
	}
	dir := filepath.Dir(f.path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(f.path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return err
	}
	if dh, err := os.Open(dir); err == nil {
		_ = dh.Sync()
		dh.Close()
	}
	return nil
}

// OpenStore returns a store backed by the state file at path. An existing file is loaded (a file
// that cannot be read or decoded is an error, never a silent reset); a missing one is created
// from seed().
func OpenStore(path string, seed func() (*Directory, error)) (*Store, error) {
	f := &stateFile{path: path}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		d, derr := UnmarshalState(data)
		if derr != nil {
			return nil, fmt.Errorf("state file %s: %w", path, derr)
		}
		return &Store{dir: d, state: f}, nil
	case errors.Is(err, fs.ErrNotExist):
		d, serr := seed()
		if serr != nil {
			return nil, serr
		}
		if err := f.save(d); err != nil {
			return nil, fmt.Errorf("state file %s: %w", path, err)
		}
		return &Store{dir: d, state: f}, nil
	default:
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
}
