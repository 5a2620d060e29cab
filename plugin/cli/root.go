// Package cli is the dicomreg command line: thin wiring between flags and the packages that do the
// work (plugin/converge, plugin/directory, plugin/auth, plugin/dicom). Each command is written the
// way GitHub's gh CLI writes them:
//
//	type FooOptions struct{ IO Console; Directory func() (*directory.Client, error); Name string }
//	func NewCmdFoo(f *Factory, runF func(context.Context, *FooOptions) error) *cobra.Command
//	func fooRun(ctx context.Context, opts *FooOptions) error   // the work
//
// NewCmdFoo binds flags to the options and calls runF (tests pass one to check flag binding
// without I/O) or fooRun. To add a command, write its NewCmd in its group's file and add it to
// the group's AddCommand. Results go out through Console.Print (which applies -o and --query),
// progress through Console.Progress; errors are typed (errors.go) and mapped to exit codes in
// one place.
package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dicomreg/dicomreg/plugin/hosts"

	"github.com/dicomreg/dicomreg/plugin/iostreams"
	"github.com/dicomreg/dicomreg/plugin/output"
)

// Version is set at build time with -ldflags "-X github.com/dicomreg/dicomreg/plugin/cli.Version=…".
var Version = "dev"

// Main runs dicomreg with args and returns the process exit code; main is three lines around it.
func Main(ctx context.Context, args []string, io *iostreams.IOStreams) int {
	inv := hosts.Detect(os.Args[0], os.Getenv)
	if inv.Complete {
		// kubectl_complete-dicomreg: kubectl passes the words to complete, and reads cobra's answer.
		args = append([]string{cobra.ShellCompRequestCmd}, args...)
	}
	return run(ctx, newFactory(io, inv), args)
}

func run(ctx context.Context, f *Factory, args []string) int {
	root := NewCmdRoot(f)
	root.SetArgs(args)
	_, err := root.ExecuteContextC(ctx)
	if err != nil {
		printError(f.IO.ErrOut, err)
	}
	return ExitCode(err)
}

// NewCmdRoot is the command tree. Each group's constructor lives in the group's file; the `app`
// group (apps.go) carries `app secret`, `app cert` (cert.go), `app redirect` and `app permission`.
func NewCmdRoot(f *Factory) *cobra.Command {
	root := newGroup("dicomreg", "Register client applications for the Azure DICOM service, and prove they work",
		`dicomreg turns the Azure portal's "Register a client application for the DICOM service"
into one idempotent command, and explains what a DICOM service will think of your tokens.

It signs in as azidentity does: AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET (or
AZURE_CLIENT_CERTIFICATE_PATH), else the Azure CLI's login, else a device code (--use-device-code).
DICOMREG_GRAPH_URL, DICOMREG_ARM_URL and AZURE_AUTHORITY_HOST point it at another cloud or at the
bundled mock (source the env file of 'mockgraph serve').

Exit codes: 0 ok, 1 error, 2 usage error, 3 not found.`)
	root.Example = `dicomreg register --name my-viewer --postman --secret --grant-admin-consent \
	--role owner --dicom-service /subscriptions/…/dicomservices/my-dicom
dicomreg token get --query accessToken -o tsv
dicomreg verify --dicom-url https://myws-mydicom.dicom.azurehealthcareapis.com`
	// The name help, usage and completion show: what the user typed to get here.
	root.Annotations = map[string]string{cobra.CommandDisplayNameAnnotation: f.DisplayName}
	root.SilenceErrors, root.SilenceUsage = true, true
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetIn(f.IO.In)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErrorf("%v\nSee '%s --help'.", err, c.CommandPath())
	})
	root.SetHelpFunc(writeHelp)
	f.bindGlobal(root.PersistentFlags())
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(output.Formats, cobra.ShellCompDirectiveNoFileComp))
	root.AddCommand(
		NewCmdVersion(f, nil),
		NewCmdCompletion(f, nil),
		newCmdPlugin(f),
		newCmdToken(f),
		NewCmdVerify(f, nil),
		NewCmdDoctor(f, nil),
		NewCmdRegister(f, nil),
		newCmdApp(f),
		newCmdRole(f),
	)
	defaultNoArgs(root)
	return root
}

// newGroup is a command that only holds others: alone it prints its help; followed by a word that
// is none of its commands, it is a usage error.
func newGroup(use, short, long string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
		Args:  cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return c.Help()
			}
			root := c.Root().DisplayName()
			typed := strings.TrimSpace(strings.TrimPrefix(c.CommandPath(), root) + " " + args[0])
			msg := fmt.Sprintf("'%s' is not a %s command. See '%s --help'.", typed, root, c.CommandPath())
			if s := c.SuggestionsFor(args[0]); len(s) > 0 {
				msg += "\nDid you mean '" + s[0] + "'?"
			}
			return &UsageError{Msg: msg}
		},
	}
}

// defaultNoArgs makes every command that says nothing about positional arguments refuse them.
func defaultNoArgs(c *cobra.Command) {
	if c.Args == nil {
		c.Args = maxArgs(0)
	}
	for _, ch := range c.Commands() {
		defaultNoArgs(ch)
	}
}
