package converge

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/plugin/auth"
	"github.com/dicomreg/dicomreg/plugin/directory"
)

// ResolveApp finds the one app ref names: by app id or object id when it is a GUID, else by
// display name (two apps with the name: a conflict listing both, never a guess).
func ResolveApp(ctx context.Context, dir Directory, ref string) (*Application, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, Invalidf("--app NAME|APPID|OBJECTID is required")
	}
	if auth.IsGUID(ref) {
		a, err := dir.GetApplicationByAppID(ctx, ref)
		if !directory.IsNotFound(err) {
			return a, err
		}
		if a, err = dir.GetApplication(ctx, ref); !directory.IsNotFound(err) {
			return a, err
		}
		return nil, NotFoundf("no app registration with app id or object id %s in this tenant", ref)
	}
	apps, err := dir.FindApplications(ctx, ref)
	if err != nil {
		return nil, err
	}
	switch len(apps) {
	case 0:
		return nil, NotFoundf("no app registration named %q in this tenant", ref)
	case 1:
		return &apps[0], nil
	}
	return nil, duplicateAppsError(ref, apps)
}

func duplicateAppsError(name string, apps []Application) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d app registrations are named %q; dicomreg will not guess which one to change:", len(apps), name)
	for _, a := range apps {
		created := ""
		if a.CreatedDateTime != nil {
			created = a.CreatedDateTime.Format(time.RFC3339)
		}
		fmt.Fprintf(&b, "\n  appId %s  objectId %s  created %s", a.AppID, a.ID, created)
	}
	b.WriteString("\nRename or delete the extra ones (dicomreg app delete --app <objectId>), then run register again.")
	return &ConflictError{Msg: b.String()}
}

// IsPublicClient says whether the app allows public client flows.
func IsPublicClient(a *Application) bool {
	return a.IsFallbackPublicClient != nil && *a.IsFallbackPublicClient
}

// PlatformURIs points at an app's redirect URIs of one platform.
func PlatformURIs(a *Application, platform string) **RedirectURIs {
	switch platform {
	case PlatformWeb:
		return &a.Web
	case PlatformSPA:
		return &a.Spa
	}
	return &a.PublicClient
}

// PlatformProperty is the Graph property that holds a platform's redirect URIs.
func PlatformProperty(platform string) string {
	switch platform {
	case PlatformWeb:
		return "web"
	case PlatformSPA:
		return "spa"
	}
	return "publicClient"
}

// Redirects lists an app's redirect URIs with their platforms, mobile first as the portal does.
func Redirects(a *Application) []RedirectEntry {
	out := []RedirectEntry{}
	for _, p := range Platforms {
		if r := *PlatformURIs(a, p); r != nil {
			for _, u := range r.RedirectURIs {
				out = append(out, RedirectEntry{Platform: p, URI: u})
			}
		}
	}
	return out
}

// NewApplication is the body that creates the app reg asks for in one request.
func NewApplication(reg *Registration, perm *Permission, cert *KeyCredential) *Application {
	a := &Application{DisplayName: reg.Name, SignInAudience: SignInAudienceMyOrg}
	if reg.PublicClient {
		t := true
		a.IsFallbackPublicClient = &t
	}
	for _, e := range reg.RedirectURIs {
		target := PlatformURIs(a, e.Platform)
		if *target == nil {
			*target = &RedirectURIs{}
		}
		if !slices.Contains((*target).RedirectURIs, e.URI) {
			(*target).RedirectURIs = append((*target).RedirectURIs, e.URI)
		}
	}
	if perm != nil {
		a.RequiredResourceAccess = []RequiredResourceAccess{{ResourceAppID: perm.Resource.AppID,
			ResourceAccess: []ResourceAccess{{ID: perm.ScopeID, Type: "Scope"}}}}
	}
	if cert != nil {
		a.KeyCredentials = []KeyCredential{*cert}
	}
	return a
}

// Change is a PATCH of an application and what it does, one line per change.
type Change struct {
	Patch map[string]any
	What  []string
}

// Empty says whether there is nothing to send.
func (c Change) Empty() bool { return len(c.Patch) == 0 }

// Additions is what an existing app lacks of reg and perm: only additions, never removals.
func Additions(app *Application, reg *Registration, perm *Permission) Change {
	c := Change{Patch: map[string]any{}}
	if reg.PublicClient && !IsPublicClient(app) {
		c.Patch["isFallbackPublicClient"] = true
		c.What = append(c.What, "allowed public client flows")
	}
	for _, p := range Platforms {
		var have []string
		if cur := *PlatformURIs(app, p); cur != nil {
			have = cur.RedirectURIs
		}
		next := slices.Clone(have)
		for _, e := range reg.RedirectURIs {
			if e.Platform == p && !slices.Contains(next, e.URI) {
				next = append(next, e.URI)
				c.What = append(c.What, fmt.Sprintf("added %s redirect URI %s", p, e.URI))
			}
		}
		if len(next) != len(have) {
			c.Patch[PlatformProperty(p)] = map[string]any{"redirectUris": next}
		}
	}
	if perm != nil {
		rra := slices.Clone(app.RequiredResourceAccess)
		i := slices.IndexFunc(rra, func(r RequiredResourceAccess) bool {
			return strings.EqualFold(r.ResourceAppID, perm.Resource.AppID)
		})
		if i < 0 {
			rra = append(rra, RequiredResourceAccess{ResourceAppID: perm.Resource.AppID})
			i = len(rra) - 1
		}
		if !slices.ContainsFunc(rra[i].ResourceAccess, func(a ResourceAccess) bool { return strings.EqualFold(a.ID, perm.ScopeID) }) {
			rra[i].ResourceAccess = append(slices.Clone(rra[i].ResourceAccess), ResourceAccess{ID: perm.ScopeID, Type: "Scope"})
			c.Patch["requiredResourceAccess"] = rra
			c.What = append(c.What, fmt.Sprintf("added API permission %s / %s", perm.Resource.DisplayName, perm.Scope))
		}
	}
	return c
}

// PermissionRemoval drops perm's scope from the app's requested permissions, and the resource
// entry with it when it was the last.
func PermissionRemoval(app *Application, perm *Permission) Change {
	var rra []RequiredResourceAccess
	removed := false
	for _, r := range app.RequiredResourceAccess {
		if strings.EqualFold(r.ResourceAppID, perm.Resource.AppID) {
			keep := slices.DeleteFunc(slices.Clone(r.ResourceAccess), func(a ResourceAccess) bool {
				return strings.EqualFold(a.ID, perm.ScopeID) && a.Type == "Scope"
			})
			removed = removed || len(keep) != len(r.ResourceAccess)
			if len(keep) == 0 {
				continue
			}
			r.ResourceAccess = keep
		}
		rra = append(rra, r)
	}
	if !removed {
		return Change{}
	}
	if rra == nil {
		rra = []RequiredResourceAccess{}
	}
	return Change{Patch: map[string]any{"requiredResourceAccess": rra},
		What: []string{"removed API permission " + perm.Resource.DisplayName + " / " + perm.Scope}}
}

// RedirectRemoval drops the URIs of entries from the app: from their own platform, or from every
// platform when anyPlatform.
func RedirectRemoval(app *Application, entries []RedirectEntry, anyPlatform bool) Change {
	c := Change{Patch: map[string]any{}}
	for _, p := range Platforms {
		cur := *PlatformURIs(app, p)
		if cur == nil {
			continue
		}
		keep := slices.DeleteFunc(slices.Clone(cur.RedirectURIs), func(u string) bool {
			return slices.ContainsFunc(entries, func(e RedirectEntry) bool { return e.URI == u && (anyPlatform || e.Platform == p) })
		})
		if len(keep) != len(cur.RedirectURIs) {
			c.Patch[PlatformProperty(p)] = map[string]any{"redirectUris": keep}
			c.What = append(c.What, "removed "+p+" redirect URIs")
		}
	}
	return c
}

// Apply updates the local copy of app with what a change sent, so what is printed after a PATCH
// is what Graph now holds without reading it again.
func (c Change) Apply(app *Application) {
	for _, p := range Platforms {
		if v, ok := c.Patch[PlatformProperty(p)].(map[string]any); ok {
			uris, _ := v["redirectUris"].([]string)
			*PlatformURIs(app, p) = &RedirectURIs{RedirectURIs: uris}
		}
	}
	if rra, ok := c.Patch["requiredResourceAccess"].([]RequiredResourceAccess); ok {
		app.RequiredResourceAccess = rra
	}
	if v, ok := c.Patch["isFallbackPublicClient"].(bool); ok {
		app.IsFallbackPublicClient = &v
	}
	if v, ok := c.Patch["displayName"].(string); ok {
		app.DisplayName = v
	}
}
