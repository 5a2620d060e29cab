package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// writeHelp prints a command's help: what it does, usage, its commands, examples, its own flags
// and the global ones. Examples are written as "dicomreg …" and shown with the name the user
// typed (kubectl dicomreg, az dicomreg).
func writeHelp(c *cobra.Command, _ []string) {
	var b strings.Builder
	if c.Short != "" {
		b.WriteString(c.Short + "\n\n")
	}
	path := c.CommandPath()
	b.WriteString("Usage:\n  " + path)
	if c.HasAvailableSubCommands() {
		b.WriteString(" <command>")
	}
	b.WriteString(" [flags]\n")
	if c.Long != "" {
		b.WriteString("\n" + strings.TrimSpace(c.Long) + "\n")
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\nCommands:\n")
		var subs []*cobra.Command
		width := 0
		for _, ch := range c.Commands() {
			if ch.IsAvailableCommand() {
				subs = append(subs, ch)
				width = max(width, len(ch.Name()))
			}
		}
		sort.Slice(subs, func(i, j int) bool { return subs[i].Name() < subs[j].Name() })
		for _, ch := range subs {
			fmt.Fprintf(&b, "  %-*s  %s\n", width, ch.Name(), ch.Short)
		}
	}
	if c.Example != "" {
		b.WriteString("\nExamples:\n")
		name := c.Root().DisplayName()
		for _, line := range strings.Split(strings.Trim(c.Example, "\n"), "\n") {
			line = strings.TrimPrefix(line, "\t")
			if rest, ok := strings.CutPrefix(line, "dicomreg "); ok {
				line = name + " " + rest
			}
			b.WriteString("  " + line + "\n")
		}
	}
	globals := c.Root().PersistentFlags()
	local := pflag.NewFlagSet("local", pflag.ContinueOnError)
	local.SortFlags = true
	c.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if globals.Lookup(f.Name) == nil && f.Name != "help" {
			local.AddFlag(f)
		}
	})
	if u := local.FlagUsages(); u != "" {
		b.WriteString("\nFlags:\n" + u)
	}
	b.WriteString("\nGlobal Flags:\n" + globals.FlagUsages())
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "\nUse '%s <command> --help' for more about a command.\n", path)
	}
	_, _ = io.WriteString(c.OutOrStdout(), b.String())
}
