package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"
)

type pluginInstallOptions struct {
	Dir        string // where kubectl-dicomreg goes (a folder on PATH)
	AzdDir     string // where the azd extension.yaml goes
	Self       string // this executable
	CopyNoLink bool
}

func newCmdPlugin(f *Factory) *Command {
	opts := &pluginInstallOptions{}
	install := &Command{
		Name:  "install",
		Short: "Make dicomreg a kubectl plugin and an azd extension",
		Long: `Writes kubectl-dicomreg (a symlink to this binary, or a copy with --copy) into --dir, so that
'kubectl dicomreg …' works, and an azd extension.yaml into --azd-dir naming this binary.`,
		Example: `dicomreg plugin install --dir ~/.local/bin
kubectl dicomreg version`,
		Flags: func(fs *pflag.FlagSet) {
			home, _ := os.UserHomeDir()
			fs.StringVar(&opts.Dir, "dir", filepath.Join(home, ".local", "bin"), "folder on PATH for kubectl-dicomreg")
			fs.StringVar(&opts.AzdDir, "azd-dir", filepath.Join(home, ".azd", "extensions", "dicomreg"), "folder for the azd extension.yaml")
			fs.BoolVar(&opts.CopyNoLink, "copy", false, "copy the binary instead of linking it")
		},
		Run: func(ctx context.Context, _ []string) error {
			if opts.Self == "" {
				self, err := os.Executable()
				if err != nil {
					return err
				}
				opts.Self = self
			}
			return runPluginInstall(f, opts)
		},
	}
	return &Command{Name: "plugin", Short: "Install dicomreg as a kubectl plugin or azd extension", Children: []*Command{install}}
}

type pluginInstallResult struct {
	Kubectl string `json:"kubectlPlugin"`
	Azd     string `json:"azdExtension"`
}

func runPluginInstall(f *Factory, opts *pluginInstallOptions) error {
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
	f.Progress("kubectl plugin: %s (make sure %s is on PATH)", target, opts.Dir)
	return f.Print(pluginInstallResult{Kubectl: target, Azd: manifest})
}
