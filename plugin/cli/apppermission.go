package cli

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dicomreg/dicomreg/plugin/converge"
	"github.com/dicomreg/dicomreg/plugin/directory"
)

// PermissionOptions are `app permission add`'s, `remove`'s and `grant`'s.
type PermissionOptions struct {
	IO        Console
	Directory func() (*directory.Client, error)
	App       string
	API       string
	Scope     string
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

func newCmdAppPermission(f *Factory) *cobra.Command {
	cmd := newGroup("permission", "Manage an app's API permissions (default: Azure API for DICOM / Dicom.ReadWrite)",
		`The permission is found by name in this tenant (the Azure API for DICOM service principal and its
Dicom.ReadWrite scope), never by a hard-coded id; --api and --scope name another resource. A
permission on the app is a request; 'grant' is the tenant-wide admin consent that lets users and
the app get tokens without a consent prompt (AADSTS65001 otherwise).`)
	cmd.AddCommand(NewCmdPermissionAdd(f, nil), NewCmdPermissionList(f, nil), NewCmdPermissionRemove(f, nil), NewCmdPermissionGrant(f, nil))
	return cmd
}

func newPermissionCommand(f *Factory, cmd *cobra.Command, runF, run func(context.Context, *PermissionOptions) error) *cobra.Command {
	opts := &PermissionOptions{IO: f, Directory: f.Directory}
	cmd.RunE = runner(opts, runF, run)
	fs := cmd.Flags()
	fs.StringVar(&opts.App, "app", "", appFlagHelp)
	fs.StringVar(&opts.API, "api", "", "resource app (appId or identifier URI) instead of Azure API for DICOM")
	fs.StringVar(&opts.Scope, "scope", "", "delegated permission of --api (default "+converge.DICOMScope+")")
	return cmd
}

// NewCmdPermissionAdd is `app permission add`.
func NewCmdPermissionAdd(f *Factory, runF func(context.Context, *PermissionOptions) error) *cobra.Command {
	return newPermissionCommand(f, &cobra.Command{
		Use:   "add",
		Short: "Add a delegated API permission to the app (idempotent)",
		Example: `dicomreg app permission add --app my-viewer
dicomreg app permission add --app my-viewer --api https://graph.microsoft.com --scope User.Read`,
	}, runF, func(ctx context.Context, opts *PermissionOptions) error { return permissionChangeRun(ctx, opts, true) })
}

// NewCmdPermissionRemove is `app permission remove`.
func NewCmdPermissionRemove(f *Factory, runF func(context.Context, *PermissionOptions) error) *cobra.Command {
	return newPermissionCommand(f, &cobra.Command{
		Use:     "remove",
		Short:   "Remove a delegated API permission from the app",
		Example: `dicomreg app permission remove --app my-viewer`,
	}, runF, func(ctx context.Context, opts *PermissionOptions) error { return permissionChangeRun(ctx, opts, false) })
}

// NewCmdPermissionGrant is `app permission grant`.
func NewCmdPermissionGrant(f *Factory, runF func(context.Context, *PermissionOptions) error) *cobra.Command {
	return newPermissionCommand(f, &cobra.Command{
		Use:   "grant",
		Short: "Grant tenant-wide admin consent (creates the service principal if missing)",
		Example: `dicomreg app permission grant --app my-viewer
dicomreg app permission grant --app my-viewer --api https://graph.microsoft.com --scope User.Read`,
	}, runF, permissionGrantRun)
}

// NewCmdPermissionList is `app permission list`.
func NewCmdPermissionList(f *Factory, runF func(context.Context, *AppRefOptions) error) *cobra.Command {
	return newAppRefCommand(f, &cobra.Command{
		Use:     "list",
		Short:   "List the app's API permissions and whether admin consent covers them",
		Example: `dicomreg app permission list --app my-viewer -o table`,
	}, runF, func(ctx context.Context, opts *AppRefOptions) error {
		client, app, err := appFor(ctx, opts.Directory, opts.App)
		if err != nil {
			return err
		}
		return printPermissions(ctx, opts.IO, client, app)
	})
}

// target is what the permission commands work on: the app and the permission asked for, found
// by name in the tenant.
func (o *PermissionOptions) target(ctx context.Context) (*directory.Client, *directory.Application, *converge.Permission, error) {
	client, app, err := appFor(ctx, o.Directory, o.App)
	if err != nil {
		return nil, nil, nil, err
	}
	perm, err := converge.FindPermission(ctx, client, o.API, o.Scope)
	return client, app, perm, err
}

func permissionChangeRun(ctx context.Context, opts *PermissionOptions, add bool) error {
	client, app, perm, err := opts.target(ctx)
	if err != nil {
		return err
	}
	c := converge.PermissionRemoval(app, perm)
	if add {
		c = converge.Additions(app, &converge.Registration{}, perm)
	} else if c.Empty() {
		// As the other removes: removing what is not there is "not found" (exit 3).
		return notFoundf("%s does not request %s / %s: nothing to remove", app.DisplayName, perm.Resource.DisplayName, perm.Scope)
	}
	if err := applyChange(ctx, opts.IO, client, app, c); err != nil {
		return err
	}
	if !add {
		// Graph keeps the admin consent of a permission the app stops requesting; say so, so a
		// later 'grant' answering "already as asked" is no surprise.
		opts.IO.Warn("the admin consent for %s / %s stays (Graph keeps oauth2PermissionGrants); revoke it in the portal (Enterprise applications → %s → Permissions) if it should go",
			perm.Resource.DisplayName, perm.Scope, app.DisplayName)
	}
	return printPermissions(ctx, opts.IO, client, app)
}

func permissionGrantRun(ctx context.Context, opts *PermissionOptions) error {
	client, app, perm, err := opts.target(ctx)
	if err != nil {
		return err
	}
	if !converge.Additions(app, &converge.Registration{}, perm).Empty() {
		opts.IO.Warn("%s does not request %s / %s: consent works, but add it too (dicomreg app permission add --app %s) so the portal shows it", app.DisplayName, perm.Resource.DisplayName, perm.Scope, app.AppID)
	}
	sp, spCreated, err := converge.EnsureServicePrincipal(ctx, client, app.AppID, false)
	if err != nil {
		return err
	}
	if spCreated {
		opts.IO.Progress("Created service principal %s for %s.", sp.ID, app.DisplayName)
	}
	msg, err := converge.EnsureAdminConsent(ctx, client, sp.ID, perm, spCreated)
	if err != nil {
		return err
	}
	if msg == "" {
		opts.IO.Progress("%s is already as asked: nothing to change.", app.DisplayName)
	} else {
		opts.IO.Progress("%s: %s", app.DisplayName, msg)
	}
	return printPermissions(ctx, opts.IO, client, app)
}

func printPermissions(ctx context.Context, io Console, client *directory.Client, app *directory.Application) error {
	rows, err := permissionRows(ctx, client, app)
	if err != nil {
		return err
	}
	return io.Print(rows)
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
				row.AdminConsent = row.Permission != "" && converge.Consented(consented, res.ID, row.Permission)
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}
