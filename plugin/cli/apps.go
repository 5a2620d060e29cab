package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dicomreg/dicomreg/plugin/converge"
	"github.com/dicomreg/dicomreg/plugin/directory"
)

// appFlagHelp is the --app flag's help, the same on every command that takes it.
const appFlagHelp = "the app registration: display name, app (client) id or object id"

// newCmdApp is the `app` group: the portal page's steps one by one.
func newCmdApp(f *Factory) *cobra.Command {
	cmd := newGroup("app", "Manage app registrations step by step (register does it all at once)",
		`The portal page's steps one at a time: create the app, make it public or confidential, add
redirect URIs, secrets, certificates and the Azure API for DICOM permission, grant admin consent.
Every command that adds something is idempotent; --app takes a display name, an app (client) id
or an object id.`)
	cmd.AddCommand(
		NewCmdAppCreate(f, nil), NewCmdAppShow(f, nil), NewCmdAppList(f, nil), NewCmdAppUpdate(f, nil), NewCmdAppDelete(f, nil),
		newCmdAppSecret(f), newCmdAppCert(f), newCmdAppRedirect(f), newCmdAppPermission(f), newCmdAppFederated(f), newCmdAppPostman(f),
	)
	return cmd
}

// appFor is the directory client and the app --app names: how every app command begins.
func appFor(ctx context.Context, open func() (*directory.Client, error), ref string) (*directory.Client, *directory.Application, error) {
	if strings.TrimSpace(ref) == "" {
		return nil, nil, usageErrorf("--app NAME|APPID|OBJECTID is required")
	}
	client, err := open()
	if err != nil {
		return nil, nil, err
	}
	app, err := converge.ResolveApp(ctx, client, ref)
	return client, app, err
}

// appView is how app commands print an application: what the portal's Overview and
// Authentication pages show, never a secret.
type appView struct {
	DisplayName    string         `json:"displayName"`
	AppID          string         `json:"appId"`
	ObjectID       string         `json:"objectId"`
	SignInAudience string         `json:"signInAudience"`
	PublicClient   bool           `json:"publicClient"`
	RedirectURIs   []redirectView `json:"redirectUris"`
	Permissions    int            `json:"apiPermissions"`
	Secrets        int            `json:"secrets"`
	Certificates   int            `json:"certificates"`
	Created        string         `json:"createdDateTime,omitempty"`
}

// redirectView is one redirect URI as commands print it.
type redirectView struct {
	Platform string `json:"platform"`
	URI      string `json:"uri"`
}

// redirectsOf lists an app's redirect URIs with their platforms, mobile first as the portal does.
func redirectsOf(a *directory.Application) []redirectView {
	out := []redirectView{}
	for _, r := range converge.Redirects(a) {
		out = append(out, redirectView{Platform: r.Platform, URI: r.URI})
	}
	return out
}

func viewOf(a *directory.Application) appView {
	v := appView{DisplayName: a.DisplayName, AppID: a.AppID, ObjectID: a.ID, SignInAudience: a.SignInAudience,
		PublicClient: converge.IsPublicClient(a), RedirectURIs: redirectsOf(a),
		Secrets: len(a.PasswordCredentials), Certificates: len(a.KeyCredentials)}
	for _, r := range a.RequiredResourceAccess {
		v.Permissions += len(r.ResourceAccess)
	}
	if a.CreatedDateTime != nil {
		v.Created = a.CreatedDateTime.UTC().Format(time.RFC3339)
	}
	return v
}

// AppCreateOptions are `app create`'s.
type AppCreateOptions struct {
	IO           Console
	Directory    func() (*directory.Client, error)
	Name         string
	PublicClient bool
}

// NewCmdAppCreate is `app create`.
func NewCmdAppCreate(f *Factory, runF func(context.Context, *AppCreateOptions) error) *cobra.Command {
	opts := &AppCreateOptions{IO: f, Directory: f.Directory}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a single-tenant app registration (refuses a name that is taken)",
		Long: `Creates an app registration for this tenant only (signInAudience AzureADMyOrg), the portal's
"Accounts in this organizational directory only". A second app with the same name would make
every later --app NAME ambiguous, so a taken name is refused: use 'app show' to see it.`,
		Example: `dicomreg app create --name my-viewer
dicomreg app create --name my-mobile-viewer --public-client --query appId -o tsv`,
		RunE: runner(opts, runF, appCreateRun),
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "display name of the new app registration")
	cmd.Flags().BoolVar(&opts.PublicClient, "public-client", false, `allow public client flows (the portal's "Allow public client flows")`)
	return cmd
}

func appCreateRun(ctx context.Context, opts *AppCreateOptions) error {
	if strings.TrimSpace(opts.Name) == "" {
		return usageErrorf("--name is required")
	}
	client, err := opts.Directory()
	if err != nil {
		return err
	}
	existing, err := client.FindApplications(ctx, opts.Name)
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		return &converge.ConflictError{Msg: `an app registration named "` + opts.Name + `" exists (appId ` + existing[0].AppID +
			"); dicomreg does not make a second one. Change it with 'dicomreg app update --app " + existing[0].AppID + "' or use 'dicomreg register', which converges it."}
	}
	app, err := client.CreateApplication(ctx, converge.NewApplication(&converge.Registration{Name: opts.Name, PublicClient: opts.PublicClient}, nil, nil))
	if err != nil {
		return err
	}
	opts.IO.Progress("Created app registration %s (appId %s).", app.DisplayName, app.AppID)
	return opts.IO.Print(viewOf(app))
}

// AppRefOptions are the options of commands that take only --app.
type AppRefOptions struct {
	IO        Console
	Directory func() (*directory.Client, error)
	App       string
}

// newAppRefCommand is a command that takes only --app.
func newAppRefCommand(f *Factory, cmd *cobra.Command, runF, run func(context.Context, *AppRefOptions) error) *cobra.Command {
	opts := &AppRefOptions{IO: f, Directory: f.Directory}
	cmd.RunE = runner(opts, runF, run)
	cmd.Flags().StringVar(&opts.App, "app", "", appFlagHelp)
	return cmd
}

// NewCmdAppShow is `app show`.
func NewCmdAppShow(f *Factory, runF func(context.Context, *AppRefOptions) error) *cobra.Command {
	return newAppRefCommand(f, &cobra.Command{
		Use:   "show",
		Short: "Show an app registration: ids, client type, redirect URIs, credential counts",
		Example: `dicomreg app show --app my-viewer
dicomreg app show --app my-viewer --query appId -o tsv`,
	}, runF, appShowRun)
}

func appShowRun(ctx context.Context, opts *AppRefOptions) error {
	_, app, err := appFor(ctx, opts.Directory, opts.App)
	if err != nil {
		return err
	}
	return opts.IO.Print(viewOf(app))
}

// AppListOptions are `app list`'s.
type AppListOptions struct {
	IO         Console
	Directory  func() (*directory.Client, error)
	NamePrefix string
}

// NewCmdAppList is `app list`.
func NewCmdAppList(f *Factory, runF func(context.Context, *AppListOptions) error) *cobra.Command {
	opts := &AppListOptions{IO: f, Directory: f.Directory}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List app registrations (optionally those whose name starts with --name)",
		Example: `dicomreg app list -o table
dicomreg app list --name viewer- --query "[].appId" -o tsv`,
		RunE: runner(opts, runF, appListRun),
	}
	cmd.Flags().StringVar(&opts.NamePrefix, "name", "", "only apps whose display name starts with this (case-insensitive)")
	return cmd
}

func appListRun(ctx context.Context, opts *AppListOptions) error {
	client, err := opts.Directory()
	if err != nil {
		return err
	}
	apps, err := client.ListApplications(ctx, opts.NamePrefix)
	if err != nil {
		return err
	}
	views := make([]appView, 0, len(apps))
	for i := range apps {
		views = append(views, viewOf(&apps[i]))
	}
	return opts.IO.Print(views)
}

// AppUpdateOptions are `app update`'s.
type AppUpdateOptions struct {
	IO           Console
	Directory    func() (*directory.Client, error)
	App          string
	Name         string
	PublicClient bool
	// Changed says whether a flag was set (only those are changed).
	Changed func(name string) bool
}

// NewCmdAppUpdate is `app update`.
func NewCmdAppUpdate(f *Factory, runF func(context.Context, *AppUpdateOptions) error) *cobra.Command {
	opts := &AppUpdateOptions{IO: f, Directory: f.Directory}
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Rename an app or switch public client flows on or off",
		Long: `--public-client (or --public-client=false) sets the portal's "Allow public client flows":
device code, username/password and redirect URIs of the Mobile and desktop platform without a
secret need it on. Only what a flag names is changed; an app already as asked gets no write.`,
		Example: `dicomreg app update --app my-viewer --public-client
dicomreg app update --app my-viewer --public-client=false
dicomreg app update --app 0d5c…-appid --name my-viewer-prod`,
		RunE: runner(opts, runF, appUpdateRun),
	}
	cmd.Flags().StringVar(&opts.App, "app", "", appFlagHelp)
	cmd.Flags().StringVar(&opts.Name, "name", "", "new display name")
	cmd.Flags().BoolVar(&opts.PublicClient, "public-client", false, "allow public client flows (true or false)")
	opts.Changed = cmd.Flags().Changed
	return cmd
}

func appUpdateRun(ctx context.Context, opts *AppUpdateOptions) error {
	if !opts.Changed("name") && !opts.Changed("public-client") {
		return usageErrorf("nothing to update: give --name or --public-client")
	}
	if opts.Changed("name") && strings.TrimSpace(opts.Name) == "" {
		return usageErrorf("--name must not be empty")
	}
	client, app, err := appFor(ctx, opts.Directory, opts.App)
	if err != nil {
		return err
	}
	c := converge.Change{Patch: map[string]any{}}
	if opts.Changed("name") && opts.Name != app.DisplayName {
		// The same rule as app create: a name another app has would make both ambiguous to
		// every --app and register that names them.
		twins, err := client.FindApplications(ctx, opts.Name)
		if err != nil {
			return err
		}
		for _, t := range twins {
			if t.ID != app.ID {
				return &converge.ConflictError{Msg: `an app registration named "` + opts.Name + `" exists (appId ` + t.AppID +
					"); renaming " + app.DisplayName + " to it would make both ambiguous. Choose another name."}
			}
		}
		c.Patch["displayName"] = opts.Name
	}
	if opts.Changed("public-client") && opts.PublicClient != converge.IsPublicClient(app) {
		c.Patch["isFallbackPublicClient"] = opts.PublicClient
	}
	if c.Empty() {
		opts.IO.Progress("%s is already as asked: nothing to change.", app.DisplayName)
	} else if err := client.PatchApplication(ctx, app.ID, c.Patch); err != nil {
		return err
	}
	c.Apply(app)
	return opts.IO.Print(viewOf(app))
}

// NewCmdAppDelete is `app delete`.
func NewCmdAppDelete(f *Factory, runF func(context.Context, *AppRefOptions) error) *cobra.Command {
	return newAppRefCommand(f, &cobra.Command{
		Use:   "delete",
		Short: "Delete an app registration (Graph deletes its service principal with it)",
		Long: `Deletes the app registration; its service principal, consent grants and the role assignments'
principal go with it (Entra keeps the app 30 days in deleted items). Exit code 3 when there is no
such app.`,
		Example: `dicomreg app delete --app my-viewer
dicomreg app delete --app 3fa85f64-5717-4562-b3fc-2c963f66afa6`,
	}, runF, appDeleteRun)
}

func appDeleteRun(ctx context.Context, opts *AppRefOptions) error {
	client, app, err := appFor(ctx, opts.Directory, opts.App)
	if err != nil {
		return err
	}
	if err := client.DeleteApplication(ctx, app.ID); err != nil {
		return err
	}
	opts.IO.Progress("Deleted app registration %s (appId %s).", app.DisplayName, app.AppID)
	// Entra deletes the app's service principal with it (soft-deleted for 30 days); its Azure
	// role assignments are not removed and show as "Identity not found" until removed.
	opts.IO.Warn("role assignments of %s's service principal stay on their scopes (Azure RBAC does not remove them): 'dicomreg role list --dicom-service <id>' shows them",
		app.DisplayName)
	return opts.IO.Print(viewOf(app))
}
