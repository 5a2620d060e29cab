package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dicomreg/dicomreg/plugin/converge"
	"github.com/dicomreg/dicomreg/plugin/directory"
)

func newCmdAppSecret(f *Factory) *cobra.Command {
	cmd := newGroup("secret", "Manage an app's client secrets",
		`A client secret's value exists once, in the answer that creates it: dicomreg prints it once, or
with --secret-out writes it to a 0600 dotenv file (AZURE_TENANT_ID, AZURE_CLIENT_ID,
AZURE_CLIENT_SECRET, what azidentity's EnvironmentCredential reads) and leaves it out of the output.
Lists show the hint (first characters), never a value.`)
	cmd.AddCommand(NewCmdSecretAdd(f, nil), NewCmdSecretList(f, nil), NewCmdSecretRemove(f, nil), NewCmdSecretRotate(f, nil))
	return cmd
}

// SecretAddOptions are `app secret add`'s and `app secret rotate`'s.
type SecretAddOptions struct {
	IO          Console
	Directory   func() (*directory.Client, error)
	Engine      func(converge.Directory) *converge.Engine
	Now         func() time.Time
	App         string
	DisplayName string
	EndDate     string
	SecretOut   string
	Force       bool
	// RemoveOld (rotate only) removes the other secrets of the same display name.
	RemoveOld bool
	// Shows says whether printing v with this run's -o and --query would show want; Output and
	// Query name them in errors.
	Shows         func(v any, want string) bool
	Output, Query string
}

func newSecretAddCommand(f *Factory, cmd *cobra.Command, runF func(context.Context, *SecretAddOptions) error) (*cobra.Command, *SecretAddOptions) {
	opts := &SecretAddOptions{IO: f, Directory: f.Directory, Engine: f.Engine, Now: f.Now, Shows: f.Shows}
	cmd.RunE = runner(opts, runF, secretAddRun)
	fs := cmd.Flags()
	fs.StringVar(&opts.App, "app", "", appFlagHelp)
	fs.StringVar(&opts.DisplayName, "display-name", converge.SecretDisplayName, "the secret's description")
	fs.StringVar(&opts.EndDate, "end-date", "", "expiry, YYYY-MM-DD or RFC 3339 (default: Graph's, two years)")
	fs.StringVar(&opts.SecretOut, "secret-out", "", "write the secret to this dotenv file (mode 0600) instead of the output")
	fs.BoolVar(&opts.Force, "force", false, "let --secret-out replace a file that holds something else")
	cmd.PreRun = func(*cobra.Command, []string) { opts.Output, opts.Query = f.Global.Output, f.Global.Query }
	return cmd, opts
}

// NewCmdSecretAdd is `app secret add`.
func NewCmdSecretAdd(f *Factory, runF func(context.Context, *SecretAddOptions) error) *cobra.Command {
	cmd, _ := newSecretAddCommand(f, &cobra.Command{
		Use:   "add",
		Short: "Add a client secret and print it once (or write it to --secret-out)",
		Example: `dicomreg app secret add --app my-viewer --secret-out viewer.env
dicomreg app secret add --app my-viewer --end-date 2027-06-30 --query clientSecret -o tsv`,
	}, runF)
	return cmd
}

// NewCmdSecretRotate is `app secret rotate`.
func NewCmdSecretRotate(f *Factory, runF func(context.Context, *SecretAddOptions) error) *cobra.Command {
	cmd, opts := newSecretAddCommand(f, &cobra.Command{
		Use:   "rotate",
		Short: "Add a new secret; with --remove-old, then remove the older ones of the same name",
		Long: `Adds a new secret first, so there is never a moment without a valid one. The older secrets
with the same display name stay until you pass --remove-old (after the new secret is deployed,
say); secrets with other names are never touched.`,
		Example: `dicomreg app secret rotate --app my-viewer --secret-out viewer.env
dicomreg app secret rotate --app my-viewer --secret-out viewer.env --remove-old`,
	}, runF)
	cmd.Flags().BoolVar(&opts.RemoveOld, "remove-old", false, "remove the other secrets of the same display name once the new one exists")
	return cmd
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

func secretAddRun(ctx context.Context, opts *SecretAddOptions) error {
	end, err := parseEndDate(opts.EndDate, opts.Now())
	if err != nil {
		return err
	}
	if strings.TrimSpace(opts.DisplayName) == "" {
		return usageErrorf("--display-name must not be empty")
	}
	client, app, err := appFor(ctx, opts.Directory, opts.App)
	if err != nil {
		return err
	}
	engine := opts.Engine(client)
	tenantID, err := engine.TenantID(ctx)
	if err != nil {
		return err
	}
	if opts.SecretOut == "" && !opts.Shows(secretResult{ClientSecret: secretSentinel}, secretSentinel) {
		return usageErrorf("-o %s%s would not show the new secret's value, which exists only in Graph's answer: write it to a file with --secret-out FILE, or choose an output that shows clientSecret",
			opts.Output, querySuffix(opts.Query))
	}
	// The file is claimed before the secret exists: a path that cannot be written fails here,
	// before Graph makes a secret nobody could hold.
	claim, err := converge.SecretFile{Path: opts.SecretOut, Force: opts.Force}.Claim(tenantID, app.AppID, opts.DisplayName)
	if err != nil {
		return err
	}
	cred, err := client.AddPassword(ctx, app.ID, opts.DisplayName, end)
	if err != nil {
		claim.Abandon(err)
		return err
	}
	opts.IO.Progress("Added client secret %s… (keyId %s, expires %s) to %s.", cred.Hint, cred.KeyID, cred.EndDateTime.Format(time.DateOnly), app.DisplayName)
	res := secretResult{secretRow: secretRowOf(*cred), AppID: app.AppID, TenantID: tenantID}
	if res.ClientSecret, res.SecretFile, err = engine.DeliverSecret(claim, tenantID, app.AppID, cred); err != nil {
		// The value is in res: print it (with its keyId) before failing.
		if perr := opts.IO.Print(res); perr != nil {
			return perr
		}
		return err
	}
	if opts.RemoveOld {
		for _, p := range app.PasswordCredentials {
			if p.DisplayName != opts.DisplayName || strings.EqualFold(p.KeyID, cred.KeyID) {
				continue
			}
			if err := client.RemovePassword(ctx, app.ID, p.KeyID); err != nil {
				return err
			}
			opts.IO.Progress("Removed the older secret %s… (keyId %s).", p.Hint, p.KeyID)
			res.Removed = append(res.Removed, p.KeyID)
		}
	}
	return opts.IO.Print(res)
}

// NewCmdSecretList is `app secret list`.
func NewCmdSecretList(f *Factory, runF func(context.Context, *AppRefOptions) error) *cobra.Command {
	return newAppRefCommand(f, &cobra.Command{
		Use:     "list",
		Short:   "List the app's client secrets: key id, name, hint, validity",
		Example: `dicomreg app secret list --app my-viewer -o table`,
	}, runF, secretListRun)
}

func secretListRun(ctx context.Context, opts *AppRefOptions) error {
	_, app, err := appFor(ctx, opts.Directory, opts.App)
	if err != nil {
		return err
	}
	rows := make([]secretRow, 0, len(app.PasswordCredentials))
	for _, p := range app.PasswordCredentials {
		rows = append(rows, secretRowOf(p))
	}
	return opts.IO.Print(rows)
}

// SecretRemoveOptions are `app secret remove`'s.
type SecretRemoveOptions struct {
	IO        Console
	Directory func() (*directory.Client, error)
	App       string
	KeyID     string
}

// NewCmdSecretRemove is `app secret remove`.
func NewCmdSecretRemove(f *Factory, runF func(context.Context, *SecretRemoveOptions) error) *cobra.Command {
	opts := &SecretRemoveOptions{IO: f, Directory: f.Directory}
	cmd := &cobra.Command{
		Use:     "remove",
		Short:   "Remove a client secret by key id",
		Example: `dicomreg app secret remove --app my-viewer --key-id 8b7a…`,
		RunE:    runner(opts, runF, secretRemoveRun),
	}
	cmd.Flags().StringVar(&opts.App, "app", "", appFlagHelp)
	cmd.Flags().StringVar(&opts.KeyID, "key-id", "", "the secret's keyId (see 'app secret list')")
	return cmd
}

func secretRemoveRun(ctx context.Context, opts *SecretRemoveOptions) error {
	if opts.KeyID == "" {
		return usageErrorf("--key-id is required (see 'dicomreg app secret list')")
	}
	client, app, err := appFor(ctx, opts.Directory, opts.App)
	if err != nil {
		return err
	}
	for _, p := range app.PasswordCredentials {
		if strings.EqualFold(p.KeyID, opts.KeyID) {
			if err := client.RemovePassword(ctx, app.ID, p.KeyID); err != nil {
				return err
			}
			opts.IO.Progress("Removed client secret %s… (keyId %s) from %s.", p.Hint, p.KeyID, app.DisplayName)
			return opts.IO.Print(secretRowOf(p))
		}
	}
	return notFoundf("app %s has no client secret with keyId %s", app.DisplayName, opts.KeyID)
}
