package tenant

import (
	"crypto/sha256"
	"crypto/subtle"
	"iter"
	"slices"
	"strings"
)

// Directory is one tenant's state. Read it inside Store.View and change it inside Store.Update;
// its methods keep the lookup indexes right, so all changes go through them.
type Directory struct {
	TenantID     string
	j            *journal
	Organization Organization
	// Seeded holds what the seed made, including the admin secret and test password in clear:
	// a test tenant's env file must be writable again after a restart from a state file.
	Seeded SeedResult

	apps          table[Application]
	sps           table[ServicePrincipal]
	users         table[User]
	grants        table[OAuth2PermissionGrant]
	appRoleAssign table[AppRoleAssignment]
	roleAssign    table[RoleAssignment] // by assignment name (GUID)
	subscriptions table[Subscription]
	dicomServices table[DicomService]  // by HostName()
	instances     table[DicomInstance] // by service + "/" + SOP instance UID
	firstParty    map[string]FirstPartyClient
	changeFeed    []ChangeFeedEntry

	secretHashes map[string][]byte                        // password credential keyId → SHA-256 of the secret
	federated    map[string][]FederatedIdentityCredential // lower-case app object id → its credentials
	userPassword map[string][]byte                        // user id → SHA-256 of the password

	appByAppID      map[string]string   // lower-case appId → object id
	appByUniqueName map[string]string   // lower-case uniqueName → object id
	appsByName      map[string][]string // lower-case displayName → object ids, oldest first
	appByIDURI      map[string]string   // lower-case identifier URI → object id of the app holding it
	instByStudy     map[string][]string // instanceStudyKey → instance keys, in store order
	spByAppID       map[string]string   // lower-case appId → object id
	spByName        map[string]string   // lower-case servicePrincipalName → object id
	userByUPN       map[string]string   // lower-case UPN → object id
}

// Bucket names: one per kind of stored record, in memory (the journal) and in the state store.
const (
	bucketApplications  = "applications"
	bucketSPs           = "servicePrincipals"
	bucketUsers         = "users"
	bucketGrants        = "oauth2PermissionGrants"
	bucketAppRoleAssign = "appRoleAssignments"
	bucketRoleAssign    = "roleAssignments"
	bucketSubscriptions = "subscriptions"
	bucketDicomServices = "dicomServices"
	bucketInstances     = "dicomInstances"
	bucketFirstParty    = "firstPartyClients"
	bucketChangeFeed    = "changeFeed"
	bucketSecretHashes  = "secretHashes"
	bucketUserPasswords = "userPasswordHashes"
	bucketFederated     = "federatedIdentityCredentials"
)

// NewDirectory returns an empty directory for a tenant.
func NewDirectory(tenantID string) *Directory {
	j := &journal{}
	d := &Directory{
		TenantID:        tenantID,
		j:               j,
		apps:            newTable[Application](bucketApplications, j),
		sps:             newTable[ServicePrincipal](bucketSPs, j),
		users:           newTable[User](bucketUsers, j),
		grants:          newTable[OAuth2PermissionGrant](bucketGrants, j),
		appRoleAssign:   newTable[AppRoleAssignment](bucketAppRoleAssign, j),
		roleAssign:      newTable[RoleAssignment](bucketRoleAssign, j),
		subscriptions:   newTable[Subscription](bucketSubscriptions, j),
		dicomServices:   newTable[DicomService](bucketDicomServices, j),
		instances:       newTable[DicomInstance](bucketInstances, j),
		firstParty:      map[string]FirstPartyClient{},
		secretHashes:    map[string][]byte{},
		federated:       map[string][]FederatedIdentityCredential{},
		userPassword:    map[string][]byte{},
		appByAppID:      map[string]string{},
		appByUniqueName: map[string]string{},
		appsByName:      map[string][]string{},
		appByIDURI:      map[string]string{},
		instByStudy:     map[string][]string{},
		spByAppID:       map[string]string{},
		spByName:        map[string]string{},
		userByUPN:       map[string]string{},
	}
	d.apps.index, d.apps.unindex = d.indexApp, d.unindexApp
	d.sps.index, d.sps.unindex = d.indexSP, d.unindexSP
	d.users.index = func(id string, u *User) { d.userByUPN[key(u.UserPrincipalName)] = id }
	d.users.unindex = func(id string, u *User) { unclaim(d.userByUPN, []string{u.UserPrincipalName}, id) }
	d.instances.index, d.instances.unindex = d.indexInstance, d.unindexInstance
	return d
}

// compact drops the holes deletes left, once an Update is over.
func (d *Directory) compact() {
	d.apps.compactIfSparse()
	d.sps.compactIfSparse()
	d.users.compactIfSparse()
	d.grants.compactIfSparse()
	d.appRoleAssign.compactIfSparse()
	d.roleAssign.compactIfSparse()
	d.subscriptions.compactIfSparse()
	d.dicomServices.compactIfSparse()
	d.instances.compactIfSparse()
}

// insertByPos adds id to ids, which are in table order, at its place.
func insertByPos(ids []string, id string, pos func(string) int) []string {
	p := pos(id)
	i := len(ids)
	for i > 0 && pos(ids[i-1]) > p {
		i--
	}
	return slices.Insert(ids, i, id)
}

// removeID removes id from the list index[k], dropping the key when the list empties.
func removeID(index map[string][]string, k, id string) {
	if ids := slices.DeleteFunc(index[k], func(x string) bool { return x == id }); len(ids) > 0 {
		index[k] = ids
	} else {
		delete(index, k)
	}
}

func key(s string) string { return strings.ToLower(s) }

// HashSecret is how client secrets and user passwords are kept: they are long and random (or
// test fixtures), so an unsalted SHA-256 is enough to keep them out of the state file.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// --- applications ---

// Application returns the app with this object id, or nil.
func (d *Directory) Application(id string) *Application { return d.apps.get(key(id)) }

// ApplicationByAppID returns the app with this appId (client id), or nil.
func (d *Directory) ApplicationByAppID(appID string) *Application {
	return d.apps.get(d.appByAppID[key(appID)])
}

// ApplicationByUniqueName returns the app with this uniqueName, or nil.
func (d *Directory) ApplicationByUniqueName(name string) *Application {
	return d.apps.get(d.appByUniqueName[key(name)])
}

// ApplicationsByDisplayName returns the apps with this display name (any case), oldest first:
// clients look apps up by name all the time, so this is an index, not a scan.
func (d *Directory) ApplicationsByDisplayName(name string) []*Application {
	ids := d.appsByName[key(name)]
	out := make([]*Application, 0, len(ids))
	for _, id := range ids {
		out = append(out, d.apps.get(id))
	}
	return out
}

// ApplicationByIdentifierURI returns the app holding this identifier URI (any case), or nil:
// identifier URIs are unique in a tenant.
func (d *Directory) ApplicationByIdentifierURI(uri string) *Application {
	return d.apps.get(d.appByIDURI[key(uri)])
}

// Applications returns every app in creation order.
func (d *Directory) Applications() []*Application { return d.apps.all() }

// EachApplication yields the applications in creation order.
func (d *Directory) EachApplication() iter.Seq[*Application] { return d.apps.each() }

// PutApplication stores a new app or replaces the one with the same object id.
func (d *Directory) PutApplication(a *Application) {
	a.Normalize()
	if old := d.apps.get(key(a.ID)); old != nil {
		for _, p := range old.PasswordCredentials {
			if !slices.ContainsFunc(a.PasswordCredentials, func(n PasswordCredential) bool { return n.KeyID == p.KeyID }) {
				deleteMap(d.j, bucketSecretHashes, d.secretHashes, p.KeyID)
			}
		}
	}
	d.apps.put(key(a.ID), a)
}

func (d *Directory) indexApp(id string, a *Application) {
	d.appsByName[key(a.DisplayName)] = insertByPos(d.appsByName[key(a.DisplayName)], id, d.apps.pos)
	d.appByAppID[key(a.AppID)] = id
	if a.UniqueName != nil {
		d.appByUniqueName[key(*a.UniqueName)] = id
	}
	claim(d.appByIDURI, a.IdentifierURIs, id)
}

func (d *Directory) unindexApp(id string, a *Application) {
	removeID(d.appsByName, key(a.DisplayName), id)
	unclaim(d.appByAppID, []string{a.AppID}, id)
	if a.UniqueName != nil {
		unclaim(d.appByUniqueName, []string{*a.UniqueName}, id)
	}
	unclaim(d.appByIDURI, a.IdentifierURIs, id)
}

// claim indexes names for owner, but never a name another object already holds: the Graph
// surface refuses such writes, and the index must not let a write that slipped through (a
// hand-edited state file, a caller's bug) take a name over.
func claim(index map[string]string, names []string, owner string) {
	for _, n := range names {
		if cur, taken := index[key(n)]; !taken || cur == owner {
			index[key(n)] = owner
		}
	}
}

// unclaim removes from index the names owner holds, and only those: removing an object never
// removes a name someone else holds.
func unclaim(index map[string]string, names []string, owner string) {
	for _, n := range names {
		if index[key(n)] == owner {
			delete(index, key(n))
		}
	}
}

// DeleteApplication removes an app and its secrets' hashes; it reports whether it existed.
func (d *Directory) DeleteApplication(id string) bool {
	a := d.apps.get(key(id))
	if a == nil {
		return false
	}
	for _, p := range a.PasswordCredentials {
		deleteMap(d.j, bucketSecretHashes, d.secretHashes, p.KeyID)
	}
	deleteMap(d.j, bucketFederated, d.federated, key(a.ID))
	return d.apps.del(key(id))
}

// SetSecretHash records the hash of a password credential's secret.
func (d *Directory) SetSecretHash(keyID string, hash []byte) {
	setMap(d.j, bucketSecretHashes, d.secretHashes, keyID, hash)
}

// MatchSecret returns the app's password credential whose secret is secret, or nil.
// The caller checks the credential's dates.
func (d *Directory) MatchSecret(a *Application, secret string) *PasswordCredential {
	h := HashSecret(secret)
	for i := range a.PasswordCredentials {
		if stored, ok := d.secretHashes[a.PasswordCredentials[i].KeyID]; ok && subtle.ConstantTimeCompare(stored, h) == 1 {
			return &a.PasswordCredentials[i]
		}
	}
	return nil
}

// --- service principals ---

// ServicePrincipal returns the service principal with this object id, or nil.
func (d *Directory) ServicePrincipal(id string) *ServicePrincipal { return d.sps.get(key(id)) }

// ServicePrincipalByAppID returns the service principal of this appId, or nil.
func (d *Directory) ServicePrincipalByAppID(appID string) *ServicePrincipal {
	return d.sps.get(d.spByAppID[key(appID)])
}

// ServicePrincipalByName returns the service principal with this servicePrincipalName (an appId
// or an identifier URI such as https://dicom.healthcareapis.azure.com), or nil. A trailing slash
// is not ignored, as Entra does not ignore it.
func (d *Directory) ServicePrincipalByName(name string) *ServicePrincipal {
	return d.sps.get(d.spByName[key(name)])
}

// ServicePrincipals returns every service principal in creation order.
func (d *Directory) ServicePrincipals() []*ServicePrincipal { return d.sps.all() }

// EachServicePrincipal yields the service principals in creation order.
func (d *Directory) EachServicePrincipal() iter.Seq[*ServicePrincipal] { return d.sps.each() }

// PutServicePrincipal stores a new service principal or replaces one with the same object id.
func (d *Directory) PutServicePrincipal(s *ServicePrincipal) {
	s.Normalize()
	d.sps.put(key(s.ID), s)
}

func (d *Directory) indexSP(id string, s *ServicePrincipal) {
	claim(d.spByAppID, []string{s.AppID}, id)
	claim(d.spByName, []string{s.AppID}, id)
	claim(d.spByName, s.ServicePrincipalNames, id)
}

func (d *Directory) unindexSP(id string, s *ServicePrincipal) {
	unclaim(d.spByAppID, []string{s.AppID}, id)
	unclaim(d.spByName, []string{s.AppID}, id)
	unclaim(d.spByName, s.ServicePrincipalNames, id)
}

// DeleteServicePrincipal removes a service principal with its grants and app role assignments.
func (d *Directory) DeleteServicePrincipal(id string) bool {
	s := d.sps.get(key(id))
	if s == nil {
		return false
	}
	for _, g := range d.grants.all() {
		if key(g.ClientID) == key(id) || key(g.ResourceID) == key(id) {
			d.grants.del(key(g.ID))
		}
	}
	for _, a := range d.appRoleAssign.all() {
		if key(a.PrincipalID) == key(id) || key(a.ResourceID) == key(id) {
			d.appRoleAssign.del(key(a.ID))
		}
	}
	return d.sps.del(key(id))
}

// --- users ---

// User returns the user with this object id, or nil.
func (d *Directory) User(id string) *User { return d.users.get(key(id)) }

// UserByUPN returns the user with this userPrincipalName, or nil.
func (d *Directory) UserByUPN(upn string) *User { return d.users.get(d.userByUPN[key(upn)]) }

// Users returns every user in creation order.
func (d *Directory) Users() []*User { return d.users.all() }

// PutUser stores a user; a non-empty password replaces the user's password.
func (d *Directory) PutUser(u *User, password string) {
	d.users.put(key(u.ID), u)
	if password != "" {
		setMap(d.j, bucketUserPasswords, d.userPassword, key(u.ID), HashSecret(password))
	}
}

// CheckPassword reports whether password is the user's.
func (d *Directory) CheckPassword(u *User, password string) bool {
	stored, ok := d.userPassword[key(u.ID)]
	return ok && subtle.ConstantTimeCompare(stored, HashSecret(password)) == 1
}

// --- delegated consent ---

// Grant returns the oauth2PermissionGrant with this id, or nil.
func (d *Directory) Grant(id string) *OAuth2PermissionGrant { return d.grants.get(key(id)) }

// Grants returns every oauth2PermissionGrant in creation order.
func (d *Directory) Grants() []*OAuth2PermissionGrant { return d.grants.all() }

// EachGrant yields the delegated permission grants in creation order.
func (d *Directory) EachGrant() iter.Seq[*OAuth2PermissionGrant] { return d.grants.each() }

// PutGrant stores or replaces a grant.
func (d *Directory) PutGrant(g *OAuth2PermissionGrant) { d.grants.put(key(g.ID), g) }

// DeleteGrant removes a grant.
func (d *Directory) DeleteGrant(id string) bool { return d.grants.del(key(id)) }

// ConsentedScopes returns the delegated scopes (by value) consented for client SP → resource SP,
// for all users and for the given user (userID may be empty).
func (d *Directory) ConsentedScopes(clientSPID, resourceSPID, userID string) []string {
	var out []string
	for _, g := range d.grants.all() {
		if key(g.ClientID) != key(clientSPID) || key(g.ResourceID) != key(resourceSPID) {
			continue
		}
		if g.ConsentType == "Principal" && (g.PrincipalID == nil || userID == "" || key(*g.PrincipalID) != key(userID)) {
			continue
		}
		for _, s := range strings.Fields(g.Scope) {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// --- application permissions ---

// AppRoleAssignment returns the assignment with this id, or nil.
func (d *Directory) AppRoleAssignment(id string) *AppRoleAssignment {
	return d.appRoleAssign.get(key(id))
}

// AppRoleAssignments returns every app role assignment in creation order.
func (d *Directory) AppRoleAssignments() []*AppRoleAssignment { return d.appRoleAssign.all() }

// PutAppRoleAssignment stores or replaces an app role assignment.
func (d *Directory) PutAppRoleAssignment(a *AppRoleAssignment) { d.appRoleAssign.put(key(a.ID), a) }

// DeleteAppRoleAssignment removes an app role assignment.
func (d *Directory) DeleteAppRoleAssignment(id string) bool { return d.appRoleAssign.del(key(id)) }

// AssignedRoles returns the values of the app roles that principal holds on resource SP.
func (d *Directory) AssignedRoles(principalID, resourceSPID string) []string {
	res := d.ServicePrincipal(resourceSPID)
	if res == nil {
		return nil
	}
	var out []string
	for _, a := range d.appRoleAssign.all() {
		if key(a.PrincipalID) != key(principalID) || key(a.ResourceID) != key(resourceSPID) {
			continue
		}
		for _, r := range res.AppRoles {
			if key(r.ID) == key(a.AppRoleID) && !slices.Contains(out, r.Value) {
				out = append(out, r.Value)
			}
		}
	}
	return out
}

// --- first-party clients ---

// FirstPartyClient returns the Microsoft client app with this appId, if the tenant knows it.
func (d *Directory) FirstPartyClient(appID string) (FirstPartyClient, bool) {
	c, ok := d.firstParty[key(appID)]
	return c, ok
}

// PutFirstPartyClient records a Microsoft client app.
func (d *Directory) PutFirstPartyClient(c FirstPartyClient) {
	setMap(d.j, bucketFirstParty, d.firstParty, key(c.AppID), c)
}

// --- Azure resources and RBAC ---

// Subscriptions returns the tenant's subscriptions.
func (d *Directory) Subscriptions() []*Subscription { return d.subscriptions.all() }

// Subscription returns the subscription with this id, or nil.
func (d *Directory) Subscription(id string) *Subscription { return d.subscriptions.get(key(id)) }

// PutSubscription stores a subscription.
func (d *Directory) PutSubscription(s *Subscription) { d.subscriptions.put(key(s.ID), s) }

// DicomServices returns every DICOM service.
func (d *Directory) DicomServices() []*DicomService { return d.dicomServices.all() }

// DicomService returns the DICOM service with this host name (<workspace>-<service>), or nil.
func (d *Directory) DicomService(hostName string) *DicomService {
	return d.dicomServices.get(key(hostName))
}

// PutDicomService stores a DICOM service.
func (d *Directory) PutDicomService(s *DicomService) { d.dicomServices.put(key(s.HostName()), s) }

// RoleAssignment returns the role assignment with this name (GUID), or nil.
func (d *Directory) RoleAssignment(name string) *RoleAssignment { return d.roleAssign.get(key(name)) }

// RoleAssignments returns every role assignment in creation order.
func (d *Directory) RoleAssignments() []*RoleAssignment { return d.roleAssign.all() }

// PutRoleAssignment stores or replaces a role assignment.
func (d *Directory) PutRoleAssignment(r *RoleAssignment) { d.roleAssign.put(key(r.Name), r) }

// DeleteRoleAssignment removes a role assignment.
func (d *Directory) DeleteRoleAssignment(name string) bool { return d.roleAssign.del(key(name)) }

// EffectiveRoles returns the role definition ids principal holds at scope, counting assignments
// at scope and at every scope above it (ARM ids are paths; comparison ignores case).
func (d *Directory) EffectiveRoles(principalID, scope string) []string {
	return d.EffectiveRolesWhere(principalID, scope, nil)
}

// EffectiveRolesWhere is EffectiveRoles counting only the assignments keep accepts (nil: all),
// e.g. those that have propagated.
func (d *Directory) EffectiveRolesWhere(principalID, scope string, keep func(*RoleAssignment) bool) []string {
	var out []string
	s := key(strings.TrimSuffix(scope, "/"))
	for _, r := range d.roleAssign.all() {
		if key(r.PrincipalID) != key(principalID) || (keep != nil && !keep(r)) {
			continue
		}
		rs := key(strings.TrimSuffix(r.Scope, "/"))
		if (rs == s || rs == "" || strings.HasPrefix(s, rs+"/")) && !slices.Contains(out, r.RoleDefinitionID) {
			out = append(out, r.RoleDefinitionID)
		}
	}
	return out
}

// --- DICOM data ---

func instanceKey(service, sopUID string) string { return key(service) + "/" + sopUID }

// DicomInstance returns a stored instance, or nil.
func (d *Directory) DicomInstance(service, sopUID string) *DicomInstance {
	return d.instances.get(instanceKey(service, sopUID))
}

// DicomInstances returns the instances of one service in the order they were stored.
func (d *Directory) DicomInstances(service string) []*DicomInstance {
	var out []*DicomInstance
	svc := key(service)
	for in := range d.instances.each() {
		if key(in.Service) == svc {
			out = append(out, in)
		}
	}
	return out
}

// DicomInstancesOfStudy returns one study's instances in the order they were stored, from an
// index: a study-level query or retrieve does not scan the store.
func (d *Directory) DicomInstancesOfStudy(service, studyUID string) []*DicomInstance {
	keys := d.instByStudy[instanceStudyKey(service, studyUID)]
	out := make([]*DicomInstance, 0, len(keys))
	for _, k := range keys {
		out = append(out, d.instances.get(k))
	}
	return out
}

func instanceStudyKey(service, studyUID string) string { return key(service) + "/" + studyUID }

// putInstance stores in under k; the table's hooks keep the study index.
func (d *Directory) putInstance(k string, in *DicomInstance) { d.instances.put(k, in) }

func (d *Directory) indexInstance(k string, in *DicomInstance) {
	sk := instanceStudyKey(in.Service, in.StudyInstanceUID)
	d.instByStudy[sk] = insertByPos(d.instByStudy[sk], k, d.instances.pos)
}

func (d *Directory) unindexInstance(k string, in *DicomInstance) {
	removeID(d.instByStudy, instanceStudyKey(in.Service, in.StudyInstanceUID), k)
}

// PutDicomInstance stores an instance (replacing one with the same SOP Instance UID) and appends
// to the change feed.
func (d *Directory) PutDicomInstance(in *DicomInstance) ChangeFeedEntry {
	k := instanceKey(in.Service, in.SOPInstanceUID)
	if d.instances.get(k) != nil {
		d.setChangeState(in.Service, in.SOPInstanceUID, "Replaced")
	}
	d.putInstance(k, in)
	e := ChangeFeedEntry{
		Service: in.Service, StudyInstanceUID: in.StudyInstanceUID, SeriesInstanceUID: in.SeriesInstanceUID, SOPInstanceUID: in.SOPInstanceUID,
		Action: "Create", State: "Current", Timestamp: in.StoredAt,
	}
	return d.appendChange(e)
}

// ChangeFeed returns the change feed of one service from sequence offset (exclusive), at most limit rows.
func (d *Directory) ChangeFeed(service string, offset int64, limit int) []ChangeFeedEntry {
	var out []ChangeFeedEntry
	for _, e := range d.changeFeed {
		if e.Sequence > offset && key(e.Service) == key(service) {
			out = append(out, e)
			if len(out) == limit {
				break
			}
		}
	}
	return out
}

// Counts reports how many objects of each kind the directory holds (for health and tests).
func (d *Directory) Counts() map[string]int {
	return map[string]int{
		"applications": d.apps.len(), "servicePrincipals": d.sps.len(), "users": d.users.len(),
		"oauth2PermissionGrants": d.grants.len(), "appRoleAssignments": d.appRoleAssign.len(),
		"roleAssignments": d.roleAssign.len(), "dicomInstances": d.instances.len(),
	}
}
