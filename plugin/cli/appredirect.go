package cli

import (
	"context"
	"slices"

	"github.com/spf13/pflag"

	"github.com/dicomreg/dicomreg/plugin/directory"
)

// platformProperty is the Graph property that holds each platform's redirect URIs.
var platformProperty = map[string]string{platformMobile: "publicClient", platformWeb: "web", platformSPA: "spa"}

// platformURIs points at an app's redirect URIs of one platform.
func platformURIs(a *directory.Application, platform string) **directory.RedirectURIs {
	switch platform {
	case platformWeb:
		return &a.Web
	case platformSPA:
		return &a.Spa
	}
	return &a.PublicClient
}

// redirectsOf lists an app's redirect URIs with their platforms, mobile first as the portal does.
func redirectsOf(a *directory.Application) []redirectView {
	out := []redirectView{}
	for _, p := range []string{platformMobile, platformWeb, platformSPA} {
		if r := *platformURIs(a, p); r != nil {
			for _, u := range r.RedirectURIs {
				out = append(out, redirectView{Platform: p, URI: u})
			}
		}
	}
	return out
}

type redirectOptions struct {
	App      string
	URIs     []string
	Platform string
	Postman  bool
	flags    *pflag.FlagSet
}

func (o *redirectOptions) bind(withPostman bool) func(fs *pflag.FlagSet) {
	return func(fs *pflag.FlagSet) {
		o.flags = fs
		fs.StringVar(&o.App, "app", "", appFlagHelp)
		fs.StringArrayVar(&o.URIs, "redirect-uri", nil, "redirect URI (repeatable)")
		fs.StringVar(&o.Platform, "platform", platformMobile, "mobile (Mobile and desktop applications), web or spa")
		if withPostman {
			fs.BoolVar(&o.Postman, "postman", false, "Postman's redirect URI ("+postmanRedirectURI+", Mobile and desktop)")
		}
	}
}

// entries checks the flags the way register checks its own, and returns the URIs asked for.
func (o *redirectOptions) entries() ([]redirectEntry, error) {
	reg := registration{Name: "-", Postman: o.Postman}
	for _, u := range o.URIs {
		reg.RedirectURIs = append(reg.RedirectURIs, redirectEntry{URI: u, Platform: o.Platform})
	}
	if len(reg.RedirectURIs) == 0 && !reg.Postman {
		if _, ok := platformProperty[o.Platform]; !ok {
			return nil, usageErrorf("--platform %q: use mobile, web or spa", o.Platform)
		}
		return nil, nil
	}
	if err := reg.validate(); err != nil {
		return nil, err
	}
	return reg.RedirectURIs, nil
}

func newCmdAppRedirect(f *Factory) *Command {
	add, remove, list := &redirectOptions{}, &redirectOptions{}, &appRefOptions{}
	return &Command{
		Name:  "redirect",
		Short: "Manage an app's redirect URIs (Mobile and desktop, Web, SPA)",
		Long: `The platform decides which flows a redirect URI serves: mobile ("Mobile and desktop
applications": public clients, loopback and Postman's callback), web (confidential clients, with a
secret or certificate) and spa (browser apps, PKCE, no secret). Adding a URI the app has changes
nothing.`,
		Children: []*Command{
			{
				Name:  "add",
				Short: "Add redirect URIs to a platform (--postman: Postman's callback)",
				Example: `dicomreg app redirect add --app my-viewer --postman
dicomreg app redirect add --app my-viewer --redirect-uri http://localhost:8400 --platform mobile
dicomreg app redirect add --app my-web-viewer --redirect-uri https://viewer.example.com/auth --platform web`,
				Flags: add.bind(true),
				Run:   func(ctx context.Context, _ []string) error { return runRedirectAdd(ctx, f, add) },
			},
			{
				Name:    "list",
				Short:   "List the app's redirect URIs with their platforms",
				Example: `dicomreg app redirect list --app my-viewer -o table`,
				Flags:   list.bind,
				Run: func(ctx context.Context, _ []string) error {
					_, app, err := appFor(ctx, f, list.App)
					if err != nil {
						return err
					}
					return f.Print(redirectsOf(app))
				},
			},
			{
				Name:  "remove",
				Short: "Remove redirect URIs (from --platform if given, else from every platform)",
				Example: `dicomreg app redirect remove --app my-viewer --redirect-uri http://localhost:8400
dicomreg app redirect remove --app my-viewer --postman`,
				Flags: remove.bind(true),
				Run:   func(ctx context.Context, _ []string) error { return runRedirectRemove(ctx, f, remove) },
			},
		},
	}
}

// target is what add and remove work on: the URIs asked for (at least one) and the app.
func (o *redirectOptions) target(ctx context.Context, f *Factory) ([]redirectEntry, *directory.Client, *directory.Application, error) {
	entries, err := o.entries()
	if err != nil {
		return nil, nil, nil, err
	}
	if len(entries) == 0 {
		return nil, nil, nil, usageErrorf("give --redirect-uri URI (repeatable) or --postman")
	}
	client, app, err := appFor(ctx, f, o.App)
	return entries, client, app, err
}

func runRedirectAdd(ctx context.Context, f *Factory, opts *redirectOptions) error {
	entries, client, app, err := opts.target(ctx, f)
	if err != nil {
		return err
	}
	patch, what := applicationPatch(app, &registration{RedirectURIs: entries}, nil)
	return applyPatch(ctx, f, client, app, patch, what)
}

func runRedirectRemove(ctx context.Context, f *Factory, opts *redirectOptions) error {
	entries, client, app, err := opts.target(ctx, f)
	if err != nil {
		return err
	}
	anyPlatform := opts.flags == nil || !opts.flags.Changed("platform")
	patch := map[string]any{}
	var what []string
	for _, p := range []string{platformMobile, platformWeb, platformSPA} {
		cur := *platformURIs(app, p)
		if cur == nil {
			continue
		}
		keep := slices.DeleteFunc(slices.Clone(cur.RedirectURIs), func(u string) bool {
			return slices.ContainsFunc(entries, func(e redirectEntry) bool { return e.URI == u && (anyPlatform || e.Platform == p) })
		})
		if len(keep) != len(cur.RedirectURIs) {
			patch[platformProperty[p]] = map[string]any{"redirectUris": keep}
			what = append(what, "removed "+p+" redirect URIs")
			cur.RedirectURIs = keep
		}
	}
	if len(patch) == 0 {
		return notFoundf("app %s has none of these redirect URIs", app.DisplayName)
	}
	return applyPatch(ctx, f, client, app, patch, what)
}

// applyPatch sends an app change (none when there is nothing to change) and prints the app's
// redirect URIs as they now are.
func applyPatch(ctx context.Context, f *Factory, client *directory.Client, app *directory.Application, patch map[string]any, what []string) error {
	if len(patch) == 0 {
		f.Progress("%s is already as asked: nothing to change.", app.DisplayName)
	} else {
		if err := client.PatchApplication(ctx, app.ID, patch); err != nil {
			return err
		}
		for _, w := range what {
			f.Progress("%s: %s", app.DisplayName, w)
		}
		applyRedirectPatch(app, patch)
	}
	return f.Print(redirectsOf(app))
}

// applyRedirectPatch updates the local copy of app with the redirect URIs a patch sent.
func applyRedirectPatch(app *directory.Application, patch map[string]any) {
	for p, prop := range platformProperty {
		if v, ok := patch[prop].(map[string]any); ok {
			uris, _ := v["redirectUris"].([]string)
			*platformURIs(app, p) = &directory.RedirectURIs{RedirectURIs: uris}
		}
	}
}
