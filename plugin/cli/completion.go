package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

type completionOptions struct {
	Shell string
}

func newCmdCompletion(f *Factory) *Command {
	opts := &completionOptions{}
	return &Command{
		Name:  "completion",
		Short: "Print a shell completion script (bash, zsh, fish, powershell)",
		Long: `Prints a completion script generated from dicomreg's command tree: commands, subcommands and
their flags complete with Tab.`,
		Example: `source <(dicomreg completion bash)
dicomreg completion zsh > "${fpath[1]}/_dicomreg"
dicomreg completion fish > ~/.config/fish/completions/dicomreg.fish
dicomreg completion powershell | Out-String | Invoke-Expression`,
		Args: ExactArgs(1, "shell"),
		Run: func(_ context.Context, args []string) error {
			opts.Shell = args[0]
			return runCompletion(f, opts)
		},
	}
}

func runCompletion(f *Factory, opts *completionOptions) error {
	tree := completionTree(newRoot(f), f)
	switch opts.Shell {
	case "bash":
		return writeBashCompletion(f.IO.Out, tree)
	case "zsh":
		fmt.Fprintln(f.IO.Out, "#compdef dicomreg\nautoload -U +X bashcompinit && bashcompinit")
		return writeBashCompletion(f.IO.Out, tree)
	case "fish":
		return writeFishCompletion(f.IO.Out, tree)
	case "powershell":
		return writePowerShellCompletion(f.IO.Out, tree)
	}
	return usageErrorf("completion: unknown shell %q (bash, zsh, fish, powershell)", opts.Shell)
}

// completionTree maps each command path ("dicomreg app secret") to its words: subcommands and flags.
func completionTree(root *Command, f *Factory) map[string][]string {
	root.link()
	tree := map[string][]string{}
	globals := pflag.NewFlagSet("g", pflag.ContinueOnError)
	f.bindGlobal(globals)
	root.walk(func(c *Command) {
		var words []string
		for _, ch := range c.Children {
			if !ch.Hidden {
				words = append(words, ch.Name)
			}
		}
		fs := pflag.NewFlagSet("c", pflag.ContinueOnError)
		if c.Flags != nil {
			c.Flags(fs)
		}
		fs.AddFlagSet(globals)
		fs.VisitAll(func(fl *pflag.Flag) { words = append(words, "--"+fl.Name) })
		words = append(words, "--help")
		sort.Strings(words)
		tree[c.Path()] = words
	})
	return tree
}

func sortedPaths(tree map[string][]string) []string {
	paths := make([]string, 0, len(tree))
	for p := range tree {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

func writeBashCompletion(w io.Writer, tree map[string][]string) error {
	var b strings.Builder
	b.WriteString("# bash completion for dicomreg\n_dicomreg() {\n  local cur path word\n  cur=${COMP_WORDS[COMP_CWORD]}\n  path=dicomreg\n")
	b.WriteString("  for word in \"${COMP_WORDS[@]:1:COMP_CWORD-1}\"; do\n    case \"$word\" in -*) ;; *) case \" $(_dicomreg_words \"$path\") \" in *\" $word \"*) path=\"$path $word\";; esac;; esac\n  done\n")
	b.WriteString("  COMPREPLY=($(compgen -W \"$(_dicomreg_words \"$path\")\" -- \"$cur\"))\n}\n_dicomreg_words() {\n  case \"$1\" in\n")
	for _, p := range sortedPaths(tree) {
		fmt.Fprintf(&b, "    %q) echo %q;;\n", p, strings.Join(tree[p], " "))
	}
	b.WriteString("  esac\n}\ncomplete -F _dicomreg dicomreg kubectl-dicomreg\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeFishCompletion(w io.Writer, tree map[string][]string) error {
	var b strings.Builder
	b.WriteString("# fish completion for dicomreg\n")
	for _, p := range sortedPaths(tree) {
		words := strings.Fields(p)[1:]
		cond := "__fish_use_subcommand"
		if len(words) > 0 {
			cond = "__fish_seen_subcommand_from " + words[len(words)-1]
		}
		for _, word := range tree[p] {
			if strings.HasPrefix(word, "--") {
				fmt.Fprintf(&b, "complete -c dicomreg -n '%s' -l %s\n", cond, strings.TrimPrefix(word, "--"))
			} else {
				fmt.Fprintf(&b, "complete -c dicomreg -f -n '%s' -a %s\n", cond, word)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writePowerShellCompletion(w io.Writer, tree map[string][]string) error {
	var b strings.Builder
	b.WriteString("# PowerShell completion for dicomreg\n$dicomregWords = @{\n")
	for _, p := range sortedPaths(tree) {
		fmt.Fprintf(&b, "  '%s' = @('%s')\n", p, strings.Join(tree[p], "','"))
	}
	b.WriteString("}\nRegister-ArgumentCompleter -Native -CommandName dicomreg -ScriptBlock {\n  param($word, $ast, $cursor)\n")
	b.WriteString("  $path = 'dicomreg'\n  foreach ($e in $ast.CommandElements | Select-Object -Skip 1) { $t = \"$path $e\"; if ($dicomregWords.ContainsKey($t)) { $path = $t } }\n")
	b.WriteString("  $dicomregWords[$path] | Where-Object { $_ -like \"$word*\" } | ForEach-Object { [System.Management.Automation.CompletionResult]::new($_) }\n}\n")
	_, err := io.WriteString(w, b.String())
	return err
}
