package cli

import (
	"context"
	"io"

	"github.com/spf13/cobra"
)

// CompletionOptions are `completion`'s.
type CompletionOptions struct {
	Out   io.Writer
	Root  func() *cobra.Command
	Shell string
}

// completionShells are the shells cobra writes scripts for.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

// NewCmdCompletion is `completion SHELL`.
func NewCmdCompletion(f *Factory, runF func(context.Context, *CompletionOptions) error) *cobra.Command {
	opts := &CompletionOptions{Out: f.IO.Out}
	cmd := &cobra.Command{
		Use:   "completion <bash|zsh|fish|powershell>",
		Short: "Print a shell completion script (bash, zsh, fish, powershell)",
		Long: `Prints a completion script for the shell. The script asks dicomreg itself what completes
(the hidden '__complete' command), so commands, subcommands, flags and their values complete with
Tab, and 'kubectl dicomreg' completes through kubectl's plugin completion
(a kubectl_complete-dicomreg script on PATH that runs 'dicomreg __complete "$@"').`,
		Example: `source <(dicomreg completion bash)
dicomreg completion zsh > "${fpath[1]}/_dicomreg"
dicomreg completion fish > ~/.config/fish/completions/dicomreg.fish
dicomreg completion powershell | Out-String | Invoke-Expression`,
		Args:      exactArgs(1, "shell"),
		ValidArgs: completionShells,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Shell, opts.Root = args[0], c.Root
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return completionRun(opts)
		},
	}
	return cmd
}

func completionRun(opts *CompletionOptions) error {
	root := opts.Root()
	switch opts.Shell {
	case "bash":
		return root.GenBashCompletionV2(opts.Out, true)
	case "zsh":
		return root.GenZshCompletion(opts.Out)
	case "fish":
		return root.GenFishCompletion(opts.Out, true)
	case "powershell":
		return root.GenPowerShellCompletionWithDesc(opts.Out)
	}
	return usageErrorf("completion: unknown shell %q (bash, zsh, fish, powershell)", opts.Shell)
}
