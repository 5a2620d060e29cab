package cli

import (
	"context"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/dicomreg/dicomreg/plugin/directory"
)

type permissionOptions struct {
	App   string
	API   string
	Scope string
}

func (o *permissionOptions) bind(fs *pflag.FlagSet) {
	fs.StringVar(&o.App, "app", "", appFlagHelp)
	fs.StringVar(&o.API, "api", "", "resource app (appId or identifier URI) instead of Azure API for DICOM")
	fs.StringVar(&o.Scope, "scope", "", "delegated permission of --api (default "+dicomScopeValue+")")
}

// permissionRow is one API permission as the portal's API permissions page lists it.
type permissionRow struct {
	API           string `json:"api"`
	ResourceAppID string `json:"resourceAppId"`
	Permission    string `json:"permission"`
	ID            string `json:"id"`
	Type          string `json:"type"` // Delegated or Application
	AdminConsent  bool   `json:"adminConsented"`
}

func newCmdAppPermission(f *Factory) *Command {
	add, remove, grant, list := &permissionOptions{}, &permissionOptions{}, &permissionOptions{}, &appRefOptions{}
	return &Command{
		Name:  "permission",
		Short: "Manage an app's API permissions (default: Azure API for DICOM / Dicom.ReadWrite)",
		Long: `The permission is found by name in this tenant (the Azure API for DICOM service principal and its
Dicom.ReadWrite scope), never by a hard-coded id; --api and --scope name another resource. A
permission on the app is a request; 'grant' is the tenant-wide admin consent that lets users and
the app get tokens without a consent prompt (AADSTS65001 otherwise).`,
		Children: []*Command{
			{
				Name:  "add",
				Short: "Add a delegated API permission to the app (idempotent)",
				Example: `dicomreg app permission add --app my-viewer
dicomreg app permission add --app my-viewer --api https://graph.microsoft.com --scope User.Read`,
				Flags: add.bind,
				Run:   func(ctx context.Context, _ []string) error { return runPermissionChange(ctx, f, add, true) },
			},
			{
				Name:    "list",
				Short:   "List the app's API permissions and whether admin consent covers them",
				Example: `dicomreg app permission list --app my-viewer -o table`,
				Flags:   list.bind,
				Run:     func(ctx context.Context, _ []string) error { return runPermissionList(ctx, f, list) },
			},
			{
				Name:    "remove",
				Short:   "Remove a delegated API permission from the app",
				Example: `dicomreg app permission remove --app my-viewer`,
				Flags:   remove.bind,
				Run:     func(ctx context.Context, _ []string) error { return runPermissionChange(ctx, f, remove, false) },
			},
			{
				Name:  "grant",
				Short: "Grant tenant-wide admin consent (creates the service principal if missing)",
				Example: `dicomreg app permission grant --app my-viewer
dicomreg app permission grant --app my-viewer --api https://graph.microsoft.com --scope User.Read`,
				Flags: grant.bind,
				Run:   func(ctx context.Context, _ []string) error { return runPermissionGrant(ctx, f, grant) },
			},
		},
	}
}

// target is what the permission commands work on: the app and the permission asked for, found
// by name in the tenant.
func (o *permissionOptions) target(ctx context.Context, f *Factory) (*directory.Client, *directory.Application, *resourceGrant, error) {
	client, app, err := appFor(ctx, f, o.App)
	if err != nil {
		return nil, nil, nil, err
	}
	grant, err := findResource(ctx, client, o.API, o.Scope)
	return client, app, grant, err
}

func runPermissionChange(ctx context.Context, f *Factory, opts *permissionOptions, add bool) error {
	client, app, grant, err := opts.target(ctx, f)
	if err != nil {
		return err
	}
	var patch map[string]any
	var what []string
	if add {
		patch, what = applicationPatch(app, &registration{}, grant)
	} else {
		patch, what = permissionRemoval(app, grant)
	}
	if len(patch) == 0 {
		f.Progress("%s is already as asked: nothing to change.", app.DisplayName)
	} else {
		if err := client.PatchApplication(ctx, app.ID, patch); err != nil {
			return err
		}
		app.RequiredResourceAccess = patch["requiredResourceAccess"].([]directory.RequiredResourceAccess)
		for _, w := range what {
			f.Progress("%s: %s", app.DisplayName, w)
		}
	}
	return printPermissions(ctx, f, client, app)
}

// permissionRemoval drops grant's scope from the app's requested permissions, and the resource
// entry with it when it was the last.
func permissionRemoval(app *directory.Application, grant *resourceGrant) (map[string]any, []string) {
	var rra []directory.RequiredResourceAccess
	removed := false
	for _, r := range app.RequiredResourceAccess {
		if strings.EqualFold(r.ResourceAppID, grant.sp.AppID) {
			keep := slices.DeleteFunc(slices.Clone(r.ResourceAccess), func(a directory.ResourceAccess) bool {
				return strings.EqualFold(a.ID, grant.scopeID) && a.Type == "Scope"
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
		return nil, nil
	}
	if rra == nil {
		rra = []directory.RequiredResourceAccess{}
	}
	return map[string]any{"requiredResourceAccess": rra}, []string{"removed API permission " + grant.sp.DisplayName + " / " + grant.scope}
}

func printPermissions(ctx context.Context, f *Factory, client *directory.Client, app *directory.Application) error {
	rows, err := permissionRows(ctx, client, app)
	if err != nil {
		return err
	}
	return f.Print(rows)
}

// permissionRows names each requested permission from its resource's service principal and
// says whether a tenant-wide grant covers it.
func permissionRows(ctx context.Context, client *directory.Client, app *directory.Application) ([]permissionRow, error) {
	rows := []permissionRow{}
	if len(app.RequiredResourceAccess) == 0 {
		return rows, nil
	}
	var consented []directory.Grant
	if sp, err := client.ServicePrincipalByAppID(ctx, app.AppID); err != nil {
		return nil, err
	} else if sp != nil {
		if consented, err = client.Grants(ctx, sp.ID); err != nil {
			return nil, err
		}
	}
	for _, r := range app.RequiredResourceAccess {
		res, err := client.ServicePrincipalByAppID(ctx, r.ResourceAppID)
		if err != nil {
			return nil, err
		}
		for _, a := range r.ResourceAccess {
			row := permissionRow{ResourceAppID: r.ResourceAppID, ID: a.ID, Type: "Application", API: r.ResourceAppID}
			if a.Type == "Scope" {
				row.Type = "Delegated"
			}
			if res != nil {
				row.API = res.DisplayName
				for _, s := range res.OAuth2PermissionScopes {
					if strings.EqualFold(s.ID, a.ID) {
						row.Permission = s.Value
					}
				}
				row.AdminConsent = row.Permission != "" && slices.ContainsFunc(consented, func(g directory.Grant) bool {
					return g.ConsentType == "AllPrincipals" && strings.EqualFold(g.ResourceID, res.ID) && slices.Contains(strings.Fields(g.Scope), row.Permission)
				})
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

func runPermissionGrant(ctx context.Context, f *Factory, opts *permissionOptions) error {
	client, app, grant, err := opts.target(ctx, f)
	if err != nil {
		return err
	}
	if patch, _ := applicationPatch(app, &registration{}, grant); len(patch) > 0 {
		f.Warn("%s does not request %s / %s: consent works, but add it too (dicomreg app permission add --app %s) so the portal shows it", app.DisplayName, grant.sp.DisplayName, grant.scope, app.AppID)
	}
	sp, spCreated, err := ensureServicePrincipal(ctx, client, app.AppID, false)
	if err != nil {
		return err
	}
	if spCreated {
		f.Progress("Created service principal %s for %s.", sp.ID, app.DisplayName)
	}
	msg, err := ensureAdminConsent(ctx, client, sp.ID, grant, spCreated)
	if err != nil {
		return err
	}
	if msg == "" {
		f.Progress("%s is already as asked: nothing to change.", app.DisplayName)
	} else {
		f.Progress("%s: %s", app.DisplayName, msg)
	}
	return printPermissions(ctx, f, client, app)
}

func runPermissionList(ctx context.Context, f *Factory, opts *appRefOptions) error {
	client, app, err := appFor(ctx, f, opts.App)
	if err != nil {
		return err
	}
	return printPermissions(ctx, f, client, app)
}
