// Package cli is the dicomreg command line. Each command lives in its own file as three parts,
// the way GitHub's gh CLI writes them:
//
//	type fooOptions struct{ … }                        // what the command needs, flags included
//	func newCmdFoo(f *Factory) *Command {               // binds flags to a fooOptions
//		opts := &fooOptions{}
//		return &Command{Name: "foo", Short: "…", Example: "…",
//			Flags: func(fs *pflag.FlagSet) { fs.StringVar(&opts.Name, "name", "", "…") },
//			Run:   func(ctx context.Context, args []string) error { return runFoo(ctx, f, opts) }}
//	}
//	func runFoo(ctx context.Context, f *Factory, opts *fooOptions) error  // the work; tests call it
//
// To add a command, write its file and add `newCmdFoo(f)` to the Children of its group in
// root.go. Commands print results with f.Print (which applies -o and --query), progress with
// f.Progress, and return typed errors (errors.go), which Main maps to exit codes in one place.
package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// Command is one node of the command tree: a group (Children) or a leaf (Run).
type Command struct {
	Name    string
	Aliases []string
	Short   string // one line, shown in the parent's list
	Long    string // paragraphs, shown in the command's own help
	Example string // shell lines, shown under Examples
	// Args checks positional arguments; nil allows none.
	Args     func(args []string) error
	Flags    func(fs *pflag.FlagSet)
	Run      func(ctx context.Context, args []string) error
	Children []*Command
	Hidden   bool

	parent *Command
}

// ExactArgs allows exactly n positional arguments.
func ExactArgs(n int, names ...string) func([]string) error {
	return func(args []string) error {
		if len(args) != n {
			return usageErrorf("expected %d argument(s) (%s), got %d", n, strings.Join(names, ", "), len(args))
		}
		return nil
	}
}

// MaxArgs allows at most n positional arguments.
func MaxArgs(n int) func([]string) error {
	return func(args []string) error {
		if len(args) > n {
			return usageErrorf("expected at most %d argument(s), got %d: %s", n, len(args), strings.Join(args, " "))
		}
		return nil
	}
}

// Path is the full command line of this command, e.g. "dicomreg app secret add".
func (c *Command) Path() string {
	if c.parent == nil {
		return c.Name
	}
	return c.parent.Path() + " " + c.Name
}

func (c *Command) link() {
	for _, ch := range c.Children {
		ch.parent = c
		ch.link()
	}
}

func (c *Command) child(name string) *Command {
	for _, ch := range c.Children {
		if ch.Name == name {
			return ch
		}
		for _, a := range ch.Aliases {
			if a == name {
				return ch
			}
		}
	}
	return nil
}

// execute finds the command args name, parses its flags (global ones included) and runs it.
func (c *Command) execute(ctx context.Context, args []string, global func(*pflag.FlagSet), out io.Writer) error {
	c.link()
	cmd, rest := c.find(args, global)
	fs := pflag.NewFlagSet(cmd.Path(), pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = true
	if cmd.Flags != nil {
		cmd.Flags(fs)
	}
	globals := pflag.NewFlagSet("global", pflag.ContinueOnError)
	global(globals)
	fs.AddFlagSet(globals)
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(rest); err != nil {
		return usageErrorf("%v\nSee '%s --help'.", err, cmd.Path())
	}
	if *help {
		cmd.writeHelp(out, fs, globals)
		return nil
	}
	positional := fs.Args()
	if cmd.Run == nil {
		if len(positional) > 0 {
			return usageErrorf("'%s' is not a dicomreg command. See '%s --help'.", strings.Join(append(strings.Fields(cmd.Path())[1:], positional[0]), " "), cmd.Path())
		}
		cmd.writeHelp(out, fs, globals)
		return nil
	}
	check := cmd.Args
	if check == nil {
		check = MaxArgs(0)
	}
	if err := check(positional); err != nil {
		return err
	}
	return cmd.Run(ctx, positional)
}

// find walks down the tree along the leading words of args. Flags may come before the words
// (`dicomreg -o table app list`), so the values of global flags are skipped over.
func (c *Command) find(args []string, global func(*pflag.FlagSet)) (*Command, []string) {
	globals := pflag.NewFlagSet("global", pflag.ContinueOnError)
	global(globals)
	cmd := c
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		if strings.HasPrefix(a, "-") {
			rest = append(rest, a)
			if takesValue(globals, a) && i+1 < len(args) {
				i++
				rest = append(rest, args[i])
			}
			continue
		}
		if next := cmd.child(a); next != nil {
			cmd = next
			continue
		}
		rest = append(rest, args[i:]...)
		break
	}
	return cmd, rest
}

func takesValue(fs *pflag.FlagSet, arg string) bool {
	if strings.Contains(arg, "=") {
		return false
	}
	var f *pflag.Flag
	if strings.HasPrefix(arg, "--") {
		f = fs.Lookup(strings.TrimPrefix(arg, "--"))
	} else if len(arg) == 2 {
		f = fs.ShorthandLookup(arg[1:])
	}
	return f != nil && f.NoOptDefVal == ""
}

func (c *Command) writeHelp(w io.Writer, fs, globals *pflag.FlagSet) {
	var b strings.Builder
	if c.Short != "" {
		b.WriteString(c.Short + "\n\n")
	}
	b.WriteString("Usage:\n  " + c.Path())
	if len(c.Children) > 0 && c.Run == nil {
		b.WriteString(" <command>")
	}
	b.WriteString(" [flags]\n")
	if c.Long != "" {
		b.WriteString("\n" + strings.TrimSpace(c.Long) + "\n")
	}
	if len(c.Children) > 0 {
		b.WriteString("\nCommands:\n")
		var names []string
		width := 0
		for _, ch := range c.Children {
			if !ch.Hidden {
				names = append(names, ch.Name)
				width = max(width, len(ch.Name))
			}
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(&b, "  %-*s  %s\n", width, n, c.child(n).Short)
		}
	}
	if c.Example != "" {
		b.WriteString("\nExamples:\n")
		for _, line := range strings.Split(strings.Trim(c.Example, "\n"), "\n") {
			b.WriteString("  " + strings.TrimPrefix(line, "\t") + "\n")
		}
	}
	local := pflag.NewFlagSet("local", pflag.ContinueOnError)
	fs.VisitAll(func(f *pflag.Flag) {
		if globals.Lookup(f.Name) == nil && f.Name != "help" {
			local.AddFlag(f)
		}
	})
	if u := local.FlagUsages(); u != "" {
		b.WriteString("\nFlags:\n" + u)
	}
	b.WriteString("\nGlobal Flags:\n" + globals.FlagUsages())
	if len(c.Children) > 0 {
		fmt.Fprintf(&b, "\nUse '%s <command> --help' for more about a command.\n", c.Path())
	}
	_, _ = io.WriteString(w, b.String())
}

// walk visits c and every command below it.
func (c *Command) walk(fn func(*Command)) {
	fn(c)
	for _, ch := range c.Children {
		ch.walk(fn)
	}
}
