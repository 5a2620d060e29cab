package tenant

import (
	"maps"
	"slices"
)

// Objects in the store are shared and never changed in place: to change one, Clone it, change the
// copy, and Put it back inside Store.Update. Readers that hold an old pointer keep a consistent view.

// Clone returns a deep copy.
func (a *Application) Clone() *Application {
	c := *a
	c.IdentifierURIs = slices.Clone(a.IdentifierURIs)
	c.Tags = slices.Clone(a.Tags)
	c.PublicClient.RedirectURIs = slices.Clone(a.PublicClient.RedirectURIs)
	c.Web.RedirectURIs = slices.Clone(a.Web.RedirectURIs)
	c.Spa.RedirectURIs = slices.Clone(a.Spa.RedirectURIs)
	c.API.OAuth2PermissionScopes = slices.Clone(a.API.OAuth2PermissionScopes)
	c.AppRoles = cloneAppRoles(a.AppRoles)
	c.RequiredResourceAccess = make([]RequiredResourceAccess, len(a.RequiredResourceAccess))
	for i, r := range a.RequiredResourceAccess {
		c.RequiredResourceAccess[i] = RequiredResourceAccess{ResourceAppID: r.ResourceAppID, ResourceAccess: slices.Clone(r.ResourceAccess)}
	}
	c.PasswordCredentials = slices.Clone(a.PasswordCredentials)
	c.KeyCredentials = slices.Clone(a.KeyCredentials)
	return &c
}

// Clone returns a deep copy.
func (s *ServicePrincipal) Clone() *ServicePrincipal {
	c := *s
	c.ServicePrincipalNames = slices.Clone(s.ServicePrincipalNames)
	c.Tags = slices.Clone(s.Tags)
	c.AppRoles = cloneAppRoles(s.AppRoles)
	c.OAuth2PermissionScopes = slices.Clone(s.OAuth2PermissionScopes)
	return &c
}

func cloneAppRoles(in []AppRole) []AppRole {
	out := slices.Clone(in)
	for i := range out {
		out[i].AllowedMemberTypes = slices.Clone(in[i].AllowedMemberTypes)
	}
	return out
}

// Normalize replaces nil collections with empty ones, as Graph shows [] and never null for them.
func (a *Application) Normalize() {
	orEmpty(&a.IdentifierURIs)
	orEmpty(&a.Tags)
	orEmpty(&a.PublicClient.RedirectURIs)
	orEmpty(&a.Web.RedirectURIs)
	orEmpty(&a.Spa.RedirectURIs)
	orEmpty(&a.API.OAuth2PermissionScopes)
	orEmpty(&a.AppRoles)
	orEmpty(&a.RequiredResourceAccess)
	for i := range a.RequiredResourceAccess {
		orEmpty(&a.RequiredResourceAccess[i].ResourceAccess)
	}
	orEmpty(&a.PasswordCredentials)
	orEmpty(&a.KeyCredentials)
}

// Normalize replaces nil collections with empty ones.
func (s *ServicePrincipal) Normalize() {
	orEmpty(&s.ServicePrincipalNames)
	orEmpty(&s.Tags)
	orEmpty(&s.AppRoles)
	orEmpty(&s.OAuth2PermissionScopes)
}

func orEmpty[T any](s *[]T) {
	if *s == nil {
		*s = []T{}
	}
}

// Copy returns a directory with the same content that shares its objects (they are never
// changed in place): it costs a pointer per object, not a copy of the objects or DICOM bytes.
func (d *Directory) Copy() *Directory {
	c := NewDirectory(d.TenantID)
	c.Organization, c.Seeded = d.Organization, d.Seeded
	copyTable(&c.apps, &d.apps)
	copyTable(&c.sps, &d.sps)
	copyTable(&c.users, &d.users)
	copyTable(&c.grants, &d.grants)
	copyTable(&c.appRoleAssign, &d.appRoleAssign)
	copyTable(&c.roleAssign, &d.roleAssign)
	copyTable(&c.subscriptions, &d.subscriptions)
	copyTable(&c.dicomServices, &d.dicomServices)
	copyTable(&c.instances, &d.instances)
	c.firstParty, c.secretHashes, c.userPassword = maps.Clone(d.firstParty), maps.Clone(d.secretHashes), maps.Clone(d.userPassword)
	c.federated = maps.Clone(d.federated)
	c.changeFeed = slices.Clone(d.changeFeed)
	c.appByAppID, c.appByUniqueName, c.appByIDURI = maps.Clone(d.appByAppID), maps.Clone(d.appByUniqueName), maps.Clone(d.appByIDURI)
	c.spByAppID, c.spByName, c.userByUPN = maps.Clone(d.spByAppID), maps.Clone(d.spByName), maps.Clone(d.userByUPN)
	c.appsByName, c.instByStudy = cloneLists(d.appsByName), cloneLists(d.instByStudy)
	return c
}

func copyTable[T any](dst, src *table[T]) {
	dst.rows, dst.order, dst.holes, dst.next = maps.Clone(src.rows), slices.Clone(src.order), src.holes, src.next
}

// cloneLists copies a map of lists deeply: the indexes insert into their lists in place.
func cloneLists(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}
