package converge

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// Short names for the tests.
type Time = time.Time

const Hour = time.Hour

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		reg  Registration
		want string // "" valid
	}{
		{"no name", Registration{Name: " "}, "--name is required"},
		{"cert and cert file", Registration{Name: "v", Cert: true, CertFile: "c.pem"}, "give only one"},
		{"role without service", Registration{Name: "v", Role: "owner"}, "--role needs --dicom-service"},
		{"consent without permission", Registration{Name: "v", NoDICOMPermission: true, GrantAdminConsent: true}, "--grant-admin-consent needs"},
		{"bad platform", Registration{Name: "v", RedirectURIs: []RedirectEntry{{URI: "http://x", Platform: "desktop"}}}, `--platform "desktop"`},
		{"not a URI", Registration{Name: "v", RedirectURIs: []RedirectEntry{{URI: "localhost"}}}, "is not a URI"},
		{"ok", Registration{Name: "v", RedirectURIs: []RedirectEntry{{URI: "http://localhost:8400"}}}, ""},
	}
	for _, tt := range tests {
		err := tt.reg.Validate()
		var invalid *InvalidError
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (!errors.As(err, &invalid) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: err %v, want an InvalidError with %q", tt.name, err, tt.want)
		}
	}
	reg := Registration{Name: "v", SecretOut: "v.env", Postman: true, RedirectURIs: []RedirectEntry{{URI: "http://localhost:8400"}}}
	if err := reg.Validate(); err != nil {
		t.Fatal(err)
	}
	if !reg.Secret || !slices.Equal(reg.RedirectURIs, []RedirectEntry{{"http://localhost:8400", PlatformMobile}, {PostmanRedirectURI, PlatformMobile}}) {
		t.Errorf("completed registration %+v", reg)
	}
}

func TestResolveApp(t *testing.T) {
	const appID, objectID = "11111111-2222-3333-4444-555555555555", "66666666-7777-8888-9999-000000000000"
	d := newFakeDirectory()
	d.apps = []*Application{{ID: objectID, AppID: appID, DisplayName: "viewer"}, {ID: "o2", AppID: "a2", DisplayName: "twin"}, {ID: "o3", AppID: "a3", DisplayName: "twin"}}
	ctx := context.Background()
	for _, ref := range []string{appID, objectID, "viewer", " viewer "} {
		if a, err := ResolveApp(ctx, d, ref); err != nil || a.ID != objectID {
			t.Errorf("%q: %+v %v", ref, a, err)
		}
	}
	var nf *NotFoundError
	var conflict *ConflictError
	var invalid *InvalidError
	if _, err := ResolveApp(ctx, d, "aaaaaaaa-2222-3333-4444-555555555555"); !errors.As(err, &nf) {
		t.Errorf("unknown GUID: %v", err)
	}
	if _, err := ResolveApp(ctx, d, "nobody"); !errors.As(err, &nf) {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := ResolveApp(ctx, d, "twin"); !errors.As(err, &conflict) {
		t.Errorf("two apps: %v", err)
	}
	if _, err := ResolveApp(ctx, d, ""); !errors.As(err, &invalid) {
		t.Errorf("empty: %v", err)
	}
}

func TestRemovals(t *testing.T) {
	perm := &Permission{Resource: dicomSP(), ScopeID: "scope-1", Scope: DICOMScope}
	app := &Application{RequiredResourceAccess: []RequiredResourceAccess{
		{ResourceAppID: perm.Resource.AppID, ResourceAccess: []ResourceAccess{{ID: "scope-1", Type: "Scope"}}},
		{ResourceAppID: "graph", ResourceAccess: []ResourceAccess{{ID: "user-read", Type: "Scope"}}}}}
	c := PermissionRemoval(app, perm)
	c.Apply(app)
	if len(app.RequiredResourceAccess) != 1 || app.RequiredResourceAccess[0].ResourceAppID != "graph" {
		t.Errorf("after removal %+v", app.RequiredResourceAccess)
	}
	if !PermissionRemoval(app, perm).Empty() {
		t.Error("removing an absent permission is a change")
	}

	app = &Application{PublicClient: &RedirectURIs{RedirectURIs: []string{"http://a", "http://b"}}, Web: &RedirectURIs{RedirectURIs: []string{"http://a"}}}
	only := RedirectRemoval(app, []RedirectEntry{{URI: "http://a", Platform: PlatformWeb}}, false)
	if len(only.Patch) != 1 || only.Patch["web"] == nil {
		t.Errorf("one platform: %+v", only.Patch)
	}
	every := RedirectRemoval(app, []RedirectEntry{{URI: "http://a", Platform: PlatformMobile}}, true)
	every.Apply(app)
	if !slices.Equal(app.PublicClient.RedirectURIs, []string{"http://b"}) || len(app.Web.RedirectURIs) != 0 {
		t.Errorf("every platform: %+v %+v", app.PublicClient, app.Web)
	}
}
