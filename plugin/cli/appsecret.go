package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/dicomreg/dicomreg/plugin/directory"
)

func newCmdAppSecret(f *Factory) *Command {
	add := &secretAddOptions{}
	rotate := &secretAddOptions{}
	list := &appRefOptions{}
	remove := &secretRemoveOptions{}
	return &Command{
		Name:  "secret",
		Short: "Manage an app's client secrets",
		Long: `A client secret's value exists once, in the answer that creates it: dicomreg prints it once, or
with --secret-out writes it to a 0600 dotenv file (AZURE_TENANT_ID, AZURE_CLIENT_ID,
AZURE_CLIENT_SECRET, what azidentity's EnvironmentCredential reads) and leaves it out of the output.
Lists show the hint (first characters), never a value.`,
		Children: []*Command{
			{
				Name:  "add",
				Short: "Add a client secret and print it once (or write it to --secret-out)",
				Example: `dicomreg app secret add --app my-viewer --secret-out viewer.env
dicomreg app secret add --app my-viewer --end-date 2027-06-30 --query clientSecret -o tsv`,
				Flags: add.bind,
				Run:   func(ctx context.Context, _ []string) error { return runSecretAdd(ctx, f, add, false) },
			},
			{
				Name:    "list",
				Short:   "List the app's client secrets: key id, name, hint, validity",
				Example: `dicomreg app secret list --app my-viewer -o table`,
				Flags:   list.bind,
				Run:     func(ctx context.Context, _ []string) error { return runSecretList(ctx, f, list) },
			},
			{
				Name:    "remove",
				Short:   "Remove a client secret by key id",
				Example: `dicomreg app secret remove --app my-viewer --key-id 8b7a…`,
				Flags:   remove.bind,
				Run:     func(ctx context.Context, _ []string) error { return runSecretRemove(ctx, f, remove) },
			},
			{
				Name:  "rotate",
				Short: "Add a new secret; with --remove-old, then remove the older ones of the same name",
				Long: `Adds a new secret first, so there is never a moment without a valid one. The older secrets
with the same display name stay until you pass --remove-old (after the new secret is deployed,
say); secrets with other names are never touched.`,
				Example: `dicomreg app secret rotate --app my-viewer --secret-out viewer.env
dicomreg app secret rotate --app my-viewer --secret-out viewer.env --remove-old`,
				Flags: func(fs *pflag.FlagSet) {
					rotate.bind(fs)
					fs.BoolVar(&rotate.RemoveOld, "remove-old", false, "remove the other secrets of the same display name once the new one exists")
				},
				Run: func(ctx context.Context, _ []string) error { return runSecretAdd(ctx, f, rotate, true) },
			},
		},
	}
}

type secretAddOptions struct {
	App         string
	DisplayName string
	EndDate     string
	SecretOut   string
	RemoveOld   bool
}

func (o *secretAddOptions) bind(fs *pflag.FlagSet) {
	fs.StringVar(&o.App, "app", "", appFlagHelp)
	fs.StringVar(&o.DisplayName, "display-name", dicomregCredName, "the secret's description")
	fs.StringVar(&o.EndDate, "end-date", "", "expiry, YYYY-MM-DD or RFC 3339 (default: Graph's, two years)")
	fs.StringVar(&o.SecretOut, "secret-out", "", "write the secret to this dotenv file (mode 0600) instead of the output")
}

// secretResult is what secret add and rotate print; the value only when it is not in a file.
type secretResult struct {
	secretRow
	AppID        string   `json:"appId"`
	TenantID     string   `json:"tenantId"`
	ClientSecret string   `json:"clientSecret,omitempty"`
	SecretFile   string   `json:"secretFile,omitempty"`
	Removed      []string `json:"removedKeyIds,omitempty"`
}

// secretRow is one client secret as lists show it.
type secretRow struct {
	KeyID         string `json:"keyId"`
	DisplayName   string `json:"displayName"`
	Hint          string `json:"hint"`
	StartDateTime string `json:"startDateTime"`
	EndDateTime   string `json:"endDateTime"`
}

func secretRowOf(p directory.PasswordCredential) secretRow {
	return secretRow{KeyID: p.KeyID, DisplayName: p.DisplayName, Hint: p.Hint,
		StartDateTime: p.StartDateTime.UTC().Format(time.RFC3339), EndDateTime: p.EndDateTime.UTC().Format(time.RFC3339)}
}

func parseEndDate(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		if t, err = time.Parse(time.DateOnly, s); err != nil {
			return time.Time{}, usageErrorf("--end-date %q: use YYYY-MM-DD or RFC 3339", s)
		}
	}
	if !t.After(now) {
		return time.Time{}, usageErrorf("--end-date %s is not in the future", s)
	}
	return t, nil
}

func runSecretAdd(ctx context.Context, f *Factory, opts *secretAddOptions, rotate bool) error {
	end, err := parseEndDate(opts.EndDate, f.Now())
	if err != nil {
		return err
	}
	if strings.TrimSpace(opts.DisplayName) == "" {
		return usageErrorf("--display-name must not be empty")
	}
	client, app, err := appFor(ctx, f, opts.App)
	if err != nil {
		return err
	}
	tenantID, err := tenantOf(ctx, f, client)
	if err != nil {
		return err
	}
	cred, err := client.AddPassword(ctx, app.ID, opts.DisplayName, end)
	if err != nil {
		return err
	}
	f.Progress("Added client secret %s… (keyId %s, expires %s) to %s.", cred.Hint, cred.KeyID, cred.EndDateTime.Format(time.DateOnly), app.DisplayName)
	res := secretResult{secretRow: secretRowOf(*cred), AppID: app.AppID, TenantID: tenantID}
	if res.ClientSecret, res.SecretFile, err = deliverSecret(f, opts.SecretOut, tenantID, app.AppID, cred.SecretText); err != nil {
		return err
	}
	if rotate && opts.RemoveOld {
		for _, p := range app.PasswordCredentials {
			if p.DisplayName != opts.DisplayName || strings.EqualFold(p.KeyID, cred.KeyID) {
				continue
			}
			if err := client.RemovePassword(ctx, app.ID, p.KeyID); err != nil {
				return err
			}
			f.Progress("Removed the older secret %s… (keyId %s).", p.Hint, p.KeyID)
			res.Removed = append(res.Removed, p.KeyID)
		}
	}
	return f.Print(res)
}

// deliverSecret hands a new secret over the one way asked: into a 0600 dotenv file (and not
// the output), or into the output, once, with a warning to store it.
func deliverSecret(f *Factory, path, tenantID, appID, secret string) (shown, file string, err error) {
	if path != "" {
		if err := writeSecretFile(path, tenantID, appID, secret); err != nil {
			return "", "", err
		}
		f.Progress("Wrote AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET to %s (mode 0600).", path)
		return "", path, nil
	}
	f.Warn("the client secret is shown once; store it now (or use --secret-out FILE)")
	return secret, "", nil
}

func runSecretList(ctx context.Context, f *Factory, opts *appRefOptions) error {
	_, app, err := appFor(ctx, f, opts.App)
	if err != nil {
		return err
	}
	rows := make([]secretRow, 0, len(app.PasswordCredentials))
	for _, p := range app.PasswordCredentials {
		rows = append(rows, secretRowOf(p))
	}
	return f.Print(rows)
}

type secretRemoveOptions struct {
	App   string
	KeyID string
}

func (o *secretRemoveOptions) bind(fs *pflag.FlagSet) {
	fs.StringVar(&o.App, "app", "", appFlagHelp)
	fs.StringVar(&o.KeyID, "key-id", "", "the secret's keyId (see 'app secret list')")
}

func runSecretRemove(ctx context.Context, f *Factory, opts *secretRemoveOptions) error {
	if opts.KeyID == "" {
		return usageErrorf("--key-id is required (see 'dicomreg app secret list')")
	}
	client, app, err := appFor(ctx, f, opts.App)
	if err != nil {
		return err
	}
	for _, p := range app.PasswordCredentials {
		if strings.EqualFold(p.KeyID, opts.KeyID) {
			if err := client.RemovePassword(ctx, app.ID, p.KeyID); err != nil {
				return err
			}
			f.Progress("Removed client secret %s… (keyId %s) from %s.", p.Hint, p.KeyID, app.DisplayName)
			return f.Print(secretRowOf(p))
		}
	}
	return notFoundf("app %s has no client secret with keyId %s", app.DisplayName, opts.KeyID)
}
