package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// PluginInstallOptions are `plugin install`'s.
type PluginInstallOptions struct {
	IO         Console
	Dir        string // where kubectl-dicomreg goes (a folder on PATH)
	AzdDir     string // where the azd extension.yaml goes
	Self       string // this executable
	CopyNoLink bool
}

func newCmdPlugin(f *Factory) *cobra.Command {
	cmd := newGroup("plugin", "Install dicomreg as a kubectl plugin or azd extension", "")
	cmd.AddCommand(NewCmdPluginInstall(f, nil))
	return cmd
}

// NewCmdPluginInstall is `plugin install`.
func NewCmdPluginInstall(f *Factory, runF func(context.Context, *PluginInstallOptions) error) *cobra.Command {
	opts := &PluginInstallOptions{IO: f}
	cmd := &cobra.Command{
		Use:   "install",
		Short: "Make dicomreg a kubectl plugin and an azd extension",
		Long: `Writes kubectl-dicomreg (a symlink to this binary, or a copy with --copy) into --dir, so that
'kubectl dicomreg …' works, and an azd extension.yaml into --azd-dir naming this binary.`,
		Example: `dicomreg plugin install --dir ~/.local/bin
kubectl dicomreg version`,
		RunE: runner(opts, runF, pluginInstallRun),
	}
	home, _ := os.UserHomeDir()
	fs := cmd.Flags()
	fs.StringVar(&opts.Dir, "dir", filepath.Join(home, ".local", "bin"), "folder on PATH for kubectl-dicomreg")
	fs.StringVar(&opts.AzdDir, "azd-dir", filepath.Join(home, ".azd", "extensions", "dicomreg"), "folder for the azd extension.yaml")
	fs.BoolVar(&opts.CopyNoLink, "copy", false, "copy the binary instead of linking it")
	return cmd
}

type pluginInstallResult struct {
	Kubectl string `json:"kubectlPlugin"`
	Azd     string `json:"azdExtension"`
}

func pluginInstallRun(_ context.Context, opts *PluginInstallOptions) error {
	if opts.Self == "" {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		opts.Self = self
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return err
	}
	target := filepath.Join(opts.Dir, "kubectl-dicomreg")
	_ = os.Remove(target)
	if opts.CopyNoLink {
		data, err := os.ReadFile(opts.Self)
		if err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o755); err != nil {
			return err
		}
	} else if err := os.Symlink(opts.Self, target); err != nil {
		return err
	}
	if err := os.MkdirAll(opts.AzdDir, 0o755); err != nil {
		return err
	}
	manifest := filepath.Join(opts.AzdDir, "extension.yaml")
	yaml := fmt.Sprintf(`id: dicomreg
namespace: dicomreg
displayName: dicomreg
description: Register client applications for the Azure DICOM service
usage: azd dicomreg <command> [flags]
version: %s
capabilities:
  - custom-commands
entryPoint: %s
`, Version, opts.Self)
	if err := os.WriteFile(manifest, []byte(yaml), 0o644); err != nil {
		return err
	}
	opts.IO.Progress("kubectl plugin: %s (make sure %s is on PATH)", target, opts.Dir)
	return opts.IO.Print(pluginInstallResult{Kubectl: target, Azd: manifest})
}
