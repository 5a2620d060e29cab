package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/dicomreg/dicomreg/plugin/converge"
	"github.com/dicomreg/dicomreg/plugin/directory"
)

func newCmdAppRedirect(f *Factory) *cobra.Command {
	cmd := newGroup("redirect", "Manage an app's redirect URIs (Mobile and desktop, Web, SPA)",
		`The platform decides which flows a redirect URI serves: mobile ("Mobile and desktop
applications": public clients, loopback and Postman's callback), web (confidential clients, with a
secret or certificate) and spa (browser apps, PKCE, no secret). Adding a URI the app has changes
nothing.`)
	cmd.AddCommand(NewCmdRedirectAdd(f, nil), NewCmdRedirectList(f, nil), NewCmdRedirectRemove(f, nil))
	return cmd
}

// RedirectOptions are `app redirect add`'s and `app redirect remove`'s.
type RedirectOptions struct {
	IO        Console
	Directory func() (*directory.Client, error)
	App       string
	URIs      []string
	Platform  string
	Postman   bool
	// Changed says whether a flag was set (remove: --platform narrows it to one platform).
	Changed func(name string) bool
}

func newRedirectCommand(f *Factory, cmd *cobra.Command, runF, run func(context.Context, *RedirectOptions) error) *cobra.Command {
	opts := &RedirectOptions{IO: f, Directory: f.Directory}
	cmd.RunE = runner(opts, runF, run)
	fs := cmd.Flags()
	fs.StringVar(&opts.App, "app", "", appFlagHelp)
	fs.StringArrayVar(&opts.URIs, "redirect-uri", nil, "redirect URI (repeatable)")
	fs.StringVar(&opts.Platform, "platform", converge.PlatformMobile, "mobile (Mobile and desktop applications), web or spa")
	fs.BoolVar(&opts.Postman, "postman", false, "Postman's redirect URI ("+converge.PostmanRedirectURI+", Mobile and desktop)")
	opts.Changed = fs.Changed
	return cmd
}

// NewCmdRedirectAdd is `app redirect add`.
func NewCmdRedirectAdd(f *Factory, runF func(context.Context, *RedirectOptions) error) *cobra.Command {
	return newRedirectCommand(f, &cobra.Command{
		Use:   "add",
		Short: "Add redirect URIs to a platform (--postman: Postman's callback)",
		Example: `dicomreg app redirect add --app my-viewer --postman
dicomreg app redirect add --app my-viewer --redirect-uri http://localhost:8400 --platform mobile
dicomreg app redirect add --app my-web-viewer --redirect-uri https://viewer.example.com/auth --platform web`,
	}, runF, redirectAddRun)
}

// NewCmdRedirectRemove is `app redirect remove`.
func NewCmdRedirectRemove(f *Factory, runF func(context.Context, *RedirectOptions) error) *cobra.Command {
	cmd := newRedirectCommand(f, &cobra.Command{
		Use:   "remove",
		Short: "Remove redirect URIs (from --platform if given, else from every platform)",
		Example: `dicomreg app redirect remove --app my-viewer --redirect-uri http://localhost:8400
dicomreg app redirect remove --app my-viewer --postman`,
	}, runF, redirectRemoveRun)
	// remove looks in every platform unless --platform narrows it: help must not show add's default.
	platform := cmd.Flags().Lookup("platform")
	platform.DefValue, platform.Usage = "", "only from this platform: mobile, web or spa (default: every platform)"
	return cmd
}

// NewCmdRedirectList is `app redirect list`.
func NewCmdRedirectList(f *Factory, runF func(context.Context, *AppRefOptions) error) *cobra.Command {
	return newAppRefCommand(f, &cobra.Command{
		Use:     "list",
		Short:   "List the app's redirect URIs with their platforms",
		Example: `dicomreg app redirect list --app my-viewer -o table`,
	}, runF, func(ctx context.Context, opts *AppRefOptions) error {
		_, app, err := appFor(ctx, opts.Directory, opts.App)
		if err != nil {
			return err
		}
		return opts.IO.Print(redirectsOf(app))
	})
}

// target is what add and remove work on: the URIs asked for (at least one) and the app.
func (o *RedirectOptions) target(ctx context.Context) ([]converge.RedirectEntry, *directory.Client, *directory.Application, error) {
	if !converge.IsPlatform(o.Platform) {
		return nil, nil, nil, usageErrorf("--platform %q: use mobile, web or spa", o.Platform)
	}
	var asked []converge.RedirectEntry
	for _, u := range o.URIs {
		asked = append(asked, converge.RedirectEntry{URI: u, Platform: o.Platform})
	}
	entries, err := converge.RedirectEntries(asked, o.Postman)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(entries) == 0 {
		return nil, nil, nil, usageErrorf("give --redirect-uri URI (repeatable) or --postman")
	}
	client, app, err := appFor(ctx, o.Directory, o.App)
	return entries, client, app, err
}

func redirectAddRun(ctx context.Context, opts *RedirectOptions) error {
	entries, client, app, err := opts.target(ctx)
	if err != nil {
		return err
	}
	return applyRedirects(ctx, opts.IO, client, app, converge.Additions(app, &converge.Registration{RedirectURIs: entries}, nil))
}

func redirectRemoveRun(ctx context.Context, opts *RedirectOptions) error {
	entries, client, app, err := opts.target(ctx)
	if err != nil {
		return err
	}
	c := converge.RedirectRemoval(app, entries, opts.Changed == nil || !opts.Changed("platform"))
	if c.Empty() {
		return notFoundf("app %s has none of these redirect URIs", app.DisplayName)
	}
	return applyRedirects(ctx, opts.IO, client, app, c)
}

// applyRedirects sends an app change (none when there is nothing to change) and prints the app's
// redirect URIs as they now are.
func applyRedirects(ctx context.Context, io Console, client *directory.Client, app *directory.Application, c converge.Change) error {
	if err := applyChange(ctx, io, client, app, c); err != nil {
		return err
	}
	return io.Print(redirectsOf(app))
}

// applyChange sends an app change, reports it line by line, and updates the local copy of the
// app; with nothing to change it says so and sends nothing.
func applyChange(ctx context.Context, io Console, client *directory.Client, app *directory.Application, c converge.Change) error {
	if c.Empty() {
		io.Progress("%s is already as asked: nothing to change.", app.DisplayName)
		return nil
	}
	if err := client.PatchApplication(ctx, app.ID, c.Patch); err != nil {
		return err
	}
	for _, w := range c.What {
		io.Progress("%s: %s", app.DisplayName, w)
	}
	c.Apply(app)
	return nil
}
