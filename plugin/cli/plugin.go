package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dicomreg/dicomreg/plugin/hosts"
)

// PluginOptions are `plugin install`'s and `plugin uninstall`'s: which hosts, and for kubectl
// where its executables go.
type PluginOptions struct {
	IO                   Console
	Installer            func(binDir string, copy bool) (*hosts.Installer, error)
	Az, Azd, Gh, Kubectl bool
	All                  bool
	Dir                  string // kubectl: a folder on PATH (default ~/.local/bin)
	CopyNoLink           bool
}

func (o *PluginOptions) hosts() ([]hosts.Host, error) {
	if o.All {
		return hosts.All, nil
	}
	var hs []hosts.Host
	for h, on := range map[hosts.Host]bool{hosts.Az: o.Az, hosts.Azd: o.Azd, hosts.Gh: o.Gh, hosts.Kubectl: o.Kubectl} {
		if on {
			hs = append(hs, h)
		}
	}
	if len(hs) == 0 {
		return nil, usageErrorf("name the hosts: --az, --azd, --gh, --kubectl (or --all)")
	}
	// In the order `plugin list` shows them.
	ordered := make([]hosts.Host, 0, len(hs))
	for _, h := range hosts.All {
		for _, x := range hs {
			if x == h {
				ordered = append(ordered, h)
			}
		}
	}
	return ordered, nil
}

func newCmdPlugin(f *Factory) *cobra.Command {
	cmd := newGroup("plugin", "Install dicomreg into az, azd, gh and kubectl; list and remove it", "")
	cmd.AddCommand(NewCmdPluginInstall(f, nil), NewCmdPluginList(f, nil), NewCmdPluginUninstall(f, nil))
	return cmd
}

func bindPluginHosts(cmd *cobra.Command, opts *PluginOptions, verb string) {
	fs := cmd.Flags()
	fs.BoolVar(&opts.Az, "az", false, verb+" the Azure CLI extension (az extension add/remove)")
	fs.BoolVar(&opts.Azd, "azd", false, verb+" the azd extension (a local registry source; azd extension install/uninstall)")
	fs.BoolVar(&opts.Gh, "gh", false, verb+" the gh extension (gh extension install ./remove)")
	fs.BoolVar(&opts.Kubectl, "kubectl", false, verb+" kubectl-dicomreg and kubectl_complete-dicomreg")
	fs.BoolVar(&opts.All, "all", false, verb+" every host")
	fs.StringVar(&opts.Dir, "dir", "", "folder on PATH for kubectl's plugin executables (default ~/.local/bin)")
}

// NewCmdPluginInstall is `plugin install`.
func NewCmdPluginInstall(f *Factory, runF func(context.Context, *PluginOptions) error) *cobra.Command {
	opts := &PluginOptions{IO: f, Installer: f.installer}
	cmd := &cobra.Command{
		Use:   "install",
		Short: "Install dicomreg the way each host installs extensions",
		Long: `Installs this dicomreg binary into each host named, the way that host installs extensions:
  --az       builds the az extension wheel and runs 'az extension add --source WHEEL'
  --azd      writes a local azd registry (registry.json, this platform's archive, its SHA-256) and runs
             'azd extension source add' and 'azd extension install' (printed when azd is not on PATH)
  --gh       makes a gh-dicomreg folder and runs 'gh extension install .' in it
  --kubectl  puts kubectl-dicomreg and kubectl_complete-dicomreg (links, or copies with --copy) in --dir
A host whose CLI is not on PATH gets its commands printed, to run once it is installed.`,
		Example: `dicomreg plugin install --az --gh --kubectl
dicomreg plugin install --azd
dicomreg plugin install --kubectl --dir /usr/local/bin --copy`,
		RunE: runner(opts, runF, pluginInstallRun),
	}
	bindPluginHosts(cmd, opts, "install")
	cmd.Flags().BoolVar(&opts.CopyNoLink, "copy", false, "kubectl: copy the binary instead of linking it")
	return cmd
}

// NewCmdPluginUninstall is `plugin uninstall`.
func NewCmdPluginUninstall(f *Factory, runF func(context.Context, *PluginOptions) error) *cobra.Command {
	opts := &PluginOptions{IO: f, Installer: f.installer}
	cmd := &cobra.Command{
		Use:     "uninstall",
		Short:   "Remove dicomreg from the hosts named, through each host's own command",
		Example: "dicomreg plugin uninstall --az --kubectl\ndicomreg plugin uninstall --all",
		RunE:    runner(opts, runF, pluginUninstallRun),
	}
	bindPluginHosts(cmd, opts, "remove")
	return cmd
}

// PluginListOptions are `plugin list`'s.
type PluginListOptions struct {
	IO        Console
	Installer func(binDir string, copy bool) (*hosts.Installer, error)
	Dir       string
}

// NewCmdPluginList is `plugin list`.
func NewCmdPluginList(f *Factory, runF func(context.Context, *PluginListOptions) error) *cobra.Command {
	opts := &PluginListOptions{IO: f, Installer: f.installer}
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "Show which hosts have dicomreg installed, which version and where",
		Example: "dicomreg plugin list -o table",
		RunE:    runner(opts, runF, pluginListRun),
	}
	cmd.Flags().StringVar(&opts.Dir, "dir", "", "folder kubectl's plugin executables were put in (default ~/.local/bin)")
	return cmd
}

func pluginInstallRun(ctx context.Context, opts *PluginOptions) error {
	return forEachHost(ctx, opts, (*hosts.Installer).Install)
}

func pluginUninstallRun(ctx context.Context, opts *PluginOptions) error {
	return forEachHost(ctx, opts, (*hosts.Installer).Uninstall)
}

func forEachHost(ctx context.Context, opts *PluginOptions, do func(*hosts.Installer, context.Context, hosts.Host) (hosts.Status, error)) error {
	hs, err := opts.hosts()
	if err != nil {
		return err
	}
	in, err := opts.Installer(opts.Dir, opts.CopyNoLink)
	if err != nil {
		return err
	}
	// One host's failure does not keep the others from being done: each is independent, and
	// the summary and the exit code say which failed.
	var results []hosts.Status
	var failed []error
	for _, h := range hs {
		st, err := do(in, ctx, h)
		switch {
		case errors.Is(err, hosts.ErrHostMissing):
			opts.IO.Warn("%s is not on PATH; once it is, run:\n  %s", h, strings.Join(st.Commands, "\n  "))
		case err != nil:
			failed = append(failed, fmt.Errorf("%s: %w", h, err))
		}
		if st.Note != "" {
			opts.IO.Progress("%s: %s", h, st.Note)
		}
		results = append(results, st)
	}
	if err := opts.IO.Print(results); err != nil {
		return err
	}
	return errors.Join(failed...)
}

func pluginListRun(_ context.Context, opts *PluginListOptions) error {
	in, err := opts.Installer(opts.Dir, false)
	if err != nil {
		return err
	}
	return opts.IO.Print(in.List())
}

// installer is the plugin installer for this binary and user.
func (f *Factory) installer(binDir string, copy bool) (*hosts.Installer, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	if self, err = filepath.EvalSymlinks(self); err != nil {
		return nil, err
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, err
	}
	return &hosts.Installer{
		Self: self, Version: releaseVersion(), Home: home, Getenv: f.Getenv,
		Runner: hosts.ExecRunner{Out: f.IO.ErrOut}, Log: f.IO.ErrOut, BinDir: binDir, Copy: copy,
	}, nil
}

// releaseVersion is Version as the hosts need it, semver; a build without one (go build, go
// install) is 0.0.0-dev.
func releaseVersion() hosts.Semver {
	if v, err := hosts.ParseSemver(Version); err == nil {
		return v
	}
	return hosts.Semver{Pre: []string{"dev"}}
}
