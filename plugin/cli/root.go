package cli

import (
	"context"

	"github.com/dicomreg/dicomreg/plugin/iostreams"
)

// Version is set at build time with -ldflags "-X github.com/dicomreg/dicomreg/plugin/cli.Version=…".
var Version = "dev"

// Main runs dicomreg with args and returns the process exit code; main is three lines around it.
func Main(ctx context.Context, args []string, io *iostreams.IOStreams) int {
	return run(ctx, NewFactory(io), args)
}

func run(ctx context.Context, f *Factory, args []string) int {
	err := newRoot(f).execute(ctx, args, f.bindGlobal, f.IO.Out)
	if err != nil {
		printError(f.IO.ErrOut, err)
	}
	return ExitCode(err)
}

// newRoot is the command tree. Each group's constructor lives in the group's file; the `app`
// group (apps.go) carries `app secret`, `app cert` (cert.go), `app redirect` and `app permission`.
func newRoot(f *Factory) *Command {
	return &Command{
		Name:  "dicomreg",
		Short: "Register client applications for the Azure DICOM service, and prove they work",
		Long: `dicomreg turns the Azure portal's "Register a client application for the DICOM service"
into one idempotent command, and explains what a DICOM service will think of your tokens.

It signs in as azidentity does: AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET (or
AZURE_CLIENT_CERTIFICATE_PATH), else the Azure CLI's login, else a device code (--use-device-code).
DICOMREG_GRAPH_URL, DICOMREG_ARM_URL and AZURE_AUTHORITY_HOST point it at another cloud or at the
bundled mock (source the env file of 'mockgraph serve').

Exit codes: 0 ok, 1 error, 2 usage error, 3 not found.`,
		Example: `dicomreg register --name my-viewer --postman --secret --grant-admin-consent \
	--role owner --dicom-service /subscriptions/…/dicomservices/my-dicom
dicomreg token get --query accessToken -o tsv
dicomreg verify --dicom-url https://myws-mydicom.dicom.azurehealthcareapis.com`,
		Children: []*Command{
			newCmdVersion(f),
			newCmdCompletion(f),
			newCmdPlugin(f),
			newCmdToken(f),
			newCmdVerify(f),
			newCmdDoctor(f),
			newCmdRegister(f),
			newCmdApp(f),
			newCmdRole(f),
		},
	}
}
