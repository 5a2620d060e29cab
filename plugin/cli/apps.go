package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/dicomreg/dicomreg/plugin/auth"
	"github.com/dicomreg/dicomreg/plugin/directory"
)

// appFlagHelp is the --app flag's help, the same on every command that takes it.
const appFlagHelp = "the app registration: display name, app (client) id or object id"

// newCmdApp is the `app` group: the portal page's steps one by one.
func newCmdApp(f *Factory) *Command {
	return &Command{
		Name:  "app",
		Short: "Manage app registrations step by step (register does it all at once)",
		Long: `The portal page's steps one at a time: create the app, make it public or confidential, add
redirect URIs, secrets, certificates and the Azure API for DICOM permission, grant admin consent.
Every command that adds something is idempotent; --app takes a display name, an app (client) id
or an object id.`,
		Children: []*Command{
			newCmdAppCreate(f), newCmdAppShow(f), newCmdAppList(f), newCmdAppUpdate(f), newCmdAppDelete(f),
			newCmdAppSecret(f), newCmdAppCert(f), newCmdAppRedirect(f), newCmdAppPermission(f),
		},
	}
}

// resolveApp finds the one app --app names: by app id or object id when it is a GUID, else by
// display name (two apps with the name: a conflict listing both, never a guess).
func resolveApp(ctx context.Context, client *directory.Client, ref string) (*directory.Application, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, usageErrorf("--app NAME|APPID|OBJECTID is required")
	}
	if auth.IsGUID(ref) {
		a, err := client.GetApplicationByAppID(ctx, ref)
		if ExitCode(err) != ExitNotFound {
			return a, err
		}
		if a, err = client.GetApplication(ctx, ref); ExitCode(err) != ExitNotFound {
			return a, err
		}
		return nil, notFoundf("no app registration with app id or object id %s in this tenant", ref)
	}
	apps, err := client.FindApplications(ctx, ref)
	if err != nil {
		return nil, err
	}
	switch len(apps) {
	case 0:
		return nil, notFoundf("no app registration named %q in this tenant", ref)
	case 1:
		return &apps[0], nil
	}
	return nil, duplicateAppsError(ref, apps)
}

// appFor is the directory client and the app --app names: how every app command begins.
func appFor(ctx context.Context, f *Factory, ref string) (*directory.Client, *directory.Application, error) {
	client, err := f.Directory()
	if err != nil {
		return nil, nil, err
	}
	app, err := resolveApp(ctx, client, ref)
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

type redirectView struct {
	Platform string `json:"platform"`
	URI      string `json:"uri"`
}

func viewOf(a *directory.Application) appView {
	v := appView{DisplayName: a.DisplayName, AppID: a.AppID, ObjectID: a.ID, SignInAudience: a.SignInAudience,
		PublicClient: a.IsFallbackPublicClient != nil && *a.IsFallbackPublicClient, RedirectURIs: redirectsOf(a),
		Secrets: len(a.PasswordCredentials), Certificates: len(a.KeyCredentials)}
	for _, r := range a.RequiredResourceAccess {
		v.Permissions += len(r.ResourceAccess)
	}
	if a.CreatedDateTime != nil {
		v.Created = a.CreatedDateTime.UTC().Format(time.RFC3339)
	}
	return v
}

type appCreateOptions struct {
	Name         string
	PublicClient bool
}

func newCmdAppCreate(f *Factory) *Command {
	opts := &appCreateOptions{}
	return &Command{
		Name:  "create",
		Short: "Create a single-tenant app registration (refuses a name that is taken)",
		Long: `Creates an app registration for this tenant only (signInAudience AzureADMyOrg), the portal's
"Accounts in this organizational directory only". A second app with the same name would make
every later --app NAME ambiguous, so a taken name is refused: use 'app show' to see it.`,
		Example: `dicomreg app create --name my-viewer
dicomreg app create --name my-mobile-viewer --public-client --query appId -o tsv`,
		Flags: func(fs *pflag.FlagSet) {
			fs.StringVar(&opts.Name, "name", "", "display name of the new app registration")
			fs.BoolVar(&opts.PublicClient, "public-client", false, `allow public client flows (the portal's "Allow public client flows")`)
		},
		Run: func(ctx context.Context, _ []string) error { return runAppCreate(ctx, f, opts) },
	}
}

func runAppCreate(ctx context.Context, f *Factory, opts *appCreateOptions) error {
	if strings.TrimSpace(opts.Name) == "" {
		return usageErrorf("--name is required")
	}
	client, err := f.Directory()
	if err != nil {
		return err
	}
	existing, err := client.FindApplications(ctx, opts.Name)
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		return &ConflictError{Msg: "an app registration named " + quoteName(opts.Name) + " exists (appId " + existing[0].AppID +
			"); dicomreg does not make a second one. Change it with 'dicomreg app update --app " + existing[0].AppID + "' or use 'dicomreg register', which converges it."}
	}
	app, err := client.CreateApplication(ctx, newApplication(&registration{Name: opts.Name, PublicClient: opts.PublicClient}, nil, nil))
	if err != nil {
		return err
	}
	f.Progress("Created app registration %s (appId %s).", app.DisplayName, app.AppID)
	return f.Print(viewOf(app))
}

type appRefOptions struct{ App string }

func (o *appRefOptions) bind(fs *pflag.FlagSet) { fs.StringVar(&o.App, "app", "", appFlagHelp) }

func newCmdAppShow(f *Factory) *Command {
	opts := &appRefOptions{}
	return &Command{
		Name:  "show",
		Short: "Show an app registration: ids, client type, redirect URIs, credential counts",
		Example: `dicomreg app show --app my-viewer
dicomreg app show --app my-viewer --query appId -o tsv`,
		Flags: opts.bind,
		Run: func(ctx context.Context, _ []string) error {
			_, app, err := appFor(ctx, f, opts.App)
			if err != nil {
				return err
			}
			return f.Print(viewOf(app))
		},
	}
}

type appListOptions struct{ NamePrefix string }

func newCmdAppList(f *Factory) *Command {
	opts := &appListOptions{}
	return &Command{
		Name:  "list",
		Short: "List app registrations (optionally those whose name starts with --name)",
		Example: `dicomreg app list -o table
dicomreg app list --name viewer- --query "[].appId" -o tsv`,
		Flags: func(fs *pflag.FlagSet) {
			fs.StringVar(&opts.NamePrefix, "name", "", "only apps whose display name starts with this (case-insensitive)")
		},
		Run: func(ctx context.Context, _ []string) error {
			client, err := f.Directory()
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
			return f.Print(views)
		},
	}
}

type appUpdateOptions struct {
	App          string
	Name         string
	PublicClient bool
	flags        *pflag.FlagSet
}

func newCmdAppUpdate(f *Factory) *Command {
	opts := &appUpdateOptions{}
	return &Command{
		Name:  "update",
		Short: "Rename an app or switch public client flows on or off",
		Long: `--public-client (or --public-client=false) sets the portal's "Allow public client flows":
device code, username/password and redirect URIs of the Mobile and desktop platform without a
secret need it on. Only what a flag names is changed; an app already as asked gets no write.`,
		Example: `dicomreg app update --app my-viewer --public-client
dicomreg app update --app my-viewer --public-client=false
dicomreg app update --app 0d5c…-appid --name my-viewer-prod`,
		Flags: func(fs *pflag.FlagSet) {
			opts.flags = fs
			fs.StringVar(&opts.App, "app", "", appFlagHelp)
			fs.StringVar(&opts.Name, "name", "", "new display name")
			fs.BoolVar(&opts.PublicClient, "public-client", false, "allow public client flows (true or false)")
		},
		Run: func(ctx context.Context, _ []string) error { return runAppUpdate(ctx, f, opts) },
	}
}

func runAppUpdate(ctx context.Context, f *Factory, opts *appUpdateOptions) error {
	changed := func(name string) bool { return opts.flags != nil && opts.flags.Changed(name) }
	if !changed("name") && !changed("public-client") {
		return usageErrorf("nothing to update: give --name or --public-client")
	}
	if changed("name") && strings.TrimSpace(opts.Name) == "" {
		return usageErrorf("--name must not be empty")
	}
	client, app, err := appFor(ctx, f, opts.App)
	if err != nil {
		return err
	}
	patch := map[string]any{}
	if changed("name") && opts.Name != app.DisplayName {
		patch["displayName"] = opts.Name
		app.DisplayName = opts.Name
	}
	isPublic := app.IsFallbackPublicClient != nil && *app.IsFallbackPublicClient
	if changed("public-client") && opts.PublicClient != isPublic {
		patch["isFallbackPublicClient"] = opts.PublicClient
		app.IsFallbackPublicClient = &opts.PublicClient
	}
	if len(patch) == 0 {
		f.Progress("%s is already as asked: nothing to change.", app.DisplayName)
	} else if err := client.PatchApplication(ctx, app.ID, patch); err != nil {
		return err
	}
	return f.Print(viewOf(app))
}

func newCmdAppDelete(f *Factory) *Command {
	opts := &appRefOptions{}
	return &Command{
		Name:  "delete",
		Short: "Delete an app registration (Graph deletes its service principal with it)",
		Long: `Deletes the app registration; its service principal, consent grants and the role assignments'
principal go with it (Entra keeps the app 30 days in deleted items). Exit code 3 when there is no
such app.`,
		Example: `dicomreg app delete --app my-viewer
dicomreg app delete --app 3fa85f64-5717-4562-b3fc-2c963f66afa6`,
		Flags: opts.bind,
		Run: func(ctx context.Context, _ []string) error {
			client, app, err := appFor(ctx, f, opts.App)
			if err != nil {
				return err
			}
			if err := client.DeleteApplication(ctx, app.ID); err != nil {
				return err
			}
			f.Progress("Deleted app registration %s (appId %s).", app.DisplayName, app.AppID)
			return f.Print(viewOf(app))
		},
	}
}

func quoteName(s string) string { return `"` + s + `"` }
