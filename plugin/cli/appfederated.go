package cli

import (
	"context"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dicomreg/dicomreg/plugin/directory"
	"github.com/dicomreg/dicomreg/plugin/federated"
)

func newCmdAppFederated(f *Factory) *cobra.Command {
	cmd := newGroup("federated", "Manage an app's federated identity credentials (GitHub Actions, Kubernetes, any OIDC issuer)",
		`A federated identity credential lets a workload sign in as the app with its own OIDC token
(GitHub Actions, a Kubernetes service account, any issuer) instead of a secret: Entra exchanges
a token whose issuer, subject and audience match one of the app's credentials. Adding one the app
has (same issuer and subject) changes nothing.`)
	cmd.AddCommand(NewCmdFederatedAdd(f, nil), NewCmdFederatedList(f, nil), NewCmdFederatedRemove(f, nil))
	return cmd
}

// FederatedFlags are the --federated SPEC flags `register` and `app federated add` share.
type FederatedFlags struct {
	Spec        string
	Branch      string
	Environment string
	Tag         string
	PullRequest bool
	ServiceAcct string
	Subject     string
	Issuer      string
	Audience    string
	Name        string
}

func (fl *FederatedFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&fl.Spec, "federated", "", "github:OWNER/REPO, k8s:ISSUER_URL (with --service-account) or an https issuer URL (with --subject)")
	fs.StringVar(&fl.Branch, "branch", "", "github: trust jobs on this branch")
	fs.StringVar(&fl.Environment, "environment", "", "github: trust jobs that target this environment")
	fs.StringVar(&fl.Tag, "tag", "", "github: trust jobs for this tag")
	fs.BoolVar(&fl.PullRequest, "pull-request", false, "github: trust pull request jobs")
	fs.StringVar(&fl.ServiceAcct, "service-account", "", "k8s: NAMESPACE/SERVICEACCOUNT")
	fs.StringVar(&fl.Subject, "subject", "", "generic issuer: the token's sub")
	fs.StringVar(&fl.Issuer, "federated-issuer", "", "override the preset's issuer (e.g. the mock's $MOCKGRAPH_URL/oidc/github)")
	fs.StringVar(&fl.Audience, "audience", "", "aud the token carries (default api://AzureADTokenExchange)")
	fs.StringVar(&fl.Name, "federated-name", "", "the credential's name (default: derived from the subject)")
}

// credential parses the flags; ok false when --federated was not given.
func (fl *FederatedFlags) credential() (federated.Credential, bool, error) {
	if fl.Spec == "" {
		return federated.Credential{}, false, nil
	}
	spec := fl.Spec
	if sa, ok := strings.CutPrefix(fl.Spec, "k8s:"); ok && fl.ServiceAcct == "" {
		// k8s:ISSUER_URL NAMESPACE/SERVICEACCOUNT in one value, as the preset reads
		if iss, acct, ok := strings.Cut(sa, " "); ok {
			spec, fl.ServiceAcct = "k8s:"+iss, acct
		}
	}
	c, err := federated.Parse(federated.Spec{Value: spec, Branch: fl.Branch, Environment: fl.Environment, Tag: fl.Tag, PullRequest: fl.PullRequest,
		K8sServiceAccount: fl.ServiceAcct, Subject: fl.Subject, Issuer: fl.Issuer, Audience: fl.Audience, Name: fl.Name})
	if err != nil {
		return c, true, usageErrorf("%v", err)
	}
	return c, true, nil
}

// FederatedAddOptions are `app federated add`'s.
type FederatedAddOptions struct {
	IO        Console
	Directory func() (*directory.Client, error)
	App       string
	Flags     FederatedFlags
}

// NewCmdFederatedAdd is `app federated add`.
func NewCmdFederatedAdd(f *Factory, runF func(context.Context, *FederatedAddOptions) error) *cobra.Command {
	opts := &FederatedAddOptions{IO: f, Directory: f.Directory}
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Trust a workload's OIDC tokens (GitHub Actions, Kubernetes, any issuer)",
		Example: `dicomreg app federated add --app my-uploader --federated github:octo/imaging --branch main
dicomreg app federated add --app my-uploader --federated github:octo/imaging --environment prod
dicomreg app federated add --app my-uploader --federated k8s:https://oidc.prod-aks.azure.com/TENANT/ISSUER/ --service-account imaging/uploader
dicomreg app federated add --app my-uploader --federated https://gitlab.example.com --subject project_path:g/p:ref_type:branch:ref:main`,
	}
	cmd.RunE = runner(opts, runF, federatedAddRun)
	cmd.Flags().StringVar(&opts.App, "app", "", appFlagHelp)
	opts.Flags.bind(cmd.Flags())
	return cmd
}

func federatedAddRun(ctx context.Context, opts *FederatedAddOptions) error {
	want, ok, err := opts.Flags.credential()
	if err != nil {
		return err
	}
	if !ok {
		return usageErrorf("--federated is required")
	}
	client, app, err := appFor(ctx, opts.Directory, opts.App)
	if err != nil {
		return err
	}
	created, err := federated.Ensure(ctx, client, app.ID, want)
	if err != nil {
		return err
	}
	if created {
		opts.IO.Progress("app %s now trusts %s tokens for %s", app.DisplayName, want.Issuer, want.Subject)
	} else {
		opts.IO.Progress("app %s already trusts %s tokens for %s", app.DisplayName, want.Issuer, want.Subject)
	}
	return opts.IO.Print(want)
}

// NewCmdFederatedList is `app federated list`.
func NewCmdFederatedList(f *Factory, runF func(context.Context, *AppRefOptions) error) *cobra.Command {
	return newAppRefCommand(f, &cobra.Command{
		Use:     "list",
		Short:   "List the app's federated identity credentials",
		Example: `dicomreg app federated list --app my-uploader -o table`,
	}, runF, func(ctx context.Context, opts *AppRefOptions) error {
		client, app, err := appFor(ctx, opts.Directory, opts.App)
		if err != nil {
			return err
		}
		creds, err := client.ListFederatedCredentials(ctx, app.ID)
		if err != nil {
			return err
		}
		if creds == nil {
			creds = []directory.FederatedCredential{}
		}
		return opts.IO.Print(creds)
	})
}

// FederatedRemoveOptions are `app federated remove`'s.
type FederatedRemoveOptions struct {
	IO        Console
	Directory func() (*directory.Client, error)
	App       string
	Name      string
}

// NewCmdFederatedRemove is `app federated remove`.
func NewCmdFederatedRemove(f *Factory, runF func(context.Context, *FederatedRemoveOptions) error) *cobra.Command {
	opts := &FederatedRemoveOptions{IO: f, Directory: f.Directory}
	cmd := &cobra.Command{
		Use:     "remove",
		Short:   "Remove a federated identity credential by name or id",
		Example: `dicomreg app federated remove --app my-uploader --name repo-octo-imaging-ref-refs-heads-main-1a2b3c4d`,
	}
	cmd.RunE = runner(opts, runF, federatedRemoveRun)
	cmd.Flags().StringVar(&opts.App, "app", "", appFlagHelp)
	cmd.Flags().StringVar(&opts.Name, "name", "", "the credential's name or id (see app federated list)")
	return cmd
}

func federatedRemoveRun(ctx context.Context, opts *FederatedRemoveOptions) error {
	if opts.Name == "" {
		return usageErrorf("--name is required")
	}
	client, app, err := appFor(ctx, opts.Directory, opts.App)
	if err != nil {
		return err
	}
	creds, err := client.ListFederatedCredentials(ctx, app.ID)
	if err != nil {
		return err
	}
	for _, c := range creds {
		if strings.EqualFold(c.Name, opts.Name) || strings.EqualFold(c.ID, opts.Name) {
			if err := client.DeleteFederatedCredential(ctx, app.ID, c.ID); err != nil {
				return err
			}
			opts.IO.Progress("removed federated credential %s from app %s", c.Name, app.DisplayName)
			return nil
		}
	}
	return notFoundf("app %s has no federated credential %q", app.DisplayName, opts.Name)
}
