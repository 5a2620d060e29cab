package cli

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/spf13/pflag"

	"github.com/dicomreg/dicomreg/plugin/auth"
	"github.com/dicomreg/dicomreg/plugin/converge"
	"github.com/dicomreg/dicomreg/plugin/directory"
	"github.com/dicomreg/dicomreg/plugin/hosts"
	"github.com/dicomreg/dicomreg/plugin/iostreams"
	"github.com/dicomreg/dicomreg/plugin/output"
	"github.com/dicomreg/dicomreg/plugin/progress"
)

// Defaults for the real cloud; DICOMREG_* and AZURE_AUTHORITY_HOST point them at the mock.
const (
	DefaultGraphURL = "https://graph.microsoft.com/v1.0"
	DefaultARMURL   = "https://management.azure.com"

	EnvGraphURL = "DICOMREG_GRAPH_URL"
	EnvARMURL   = "DICOMREG_ARM_URL"
	EnvDICOMURL = "DICOMREG_DICOM_URL"
)

// GlobalOptions are the flags every command takes (DESIGN.md).
type GlobalOptions struct {
	Tenant         string
	Output         string
	Query          string
	Debug          bool
	Verbose        bool
	OnlyShowErrors bool
	GraphURL       string
	ARMURL         string
	AuthorityHost  string
	UseDeviceCode  bool
}

// Factory carries what commands share and what tests replace: streams, options, environment,
// clock, sleeper, HTTP transport and credential.
type Factory struct {
	IO *iostreams.IOStreams
	// DisplayName is the command line that runs dicomreg, as help and usage show it
	// ("dicomreg", "kubectl dicomreg"): the one place that decides it.
	DisplayName string
	// Host is the CLI that ran dicomreg as its plugin (plugin/hosts); run by az, dicomreg signs in
	// with az's login.
	Host   hosts.Host
	Global GlobalOptions
	Getenv func(string) string
	Now    func() time.Time
	// Sleep waits d or until ctx ends; tests pass one that advances a fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// BaseTransport is the HTTP transport under --debug logging; nil: http.DefaultTransport
	// (which trusts SSL_CERT_FILE on Linux).
	BaseTransport policy.Transporter
	// NewCredential builds the credential for Graph/ARM calls; nil: plugin/auth's selection.
	NewCredential func() (azcore.TokenCredential, error)
	// Retry tunes the Graph/ARM client's retries of 429/503 (tests make them fast).
	Retry policy.RetryOptions

	reporter *progress.Reporter
}

// NewFactory returns the factory of a real process.
func NewFactory(io *iostreams.IOStreams) *Factory {
	return newFactory(io, hosts.Detect(os.Args[0], os.Getenv))
}

// newFactory is the factory of a process started as inv says (as kubectl's plugin, …).
func newFactory(io *iostreams.IOStreams, inv hosts.Invocation) *Factory {
	return &Factory{IO: io, DisplayName: inv.DisplayName(), Host: inv.Host, Getenv: os.Getenv, Now: time.Now, Sleep: sleep}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (f *Factory) env(name, fallback string) string {
	if v := f.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// bindGlobal adds the global flags, with defaults from the environment.
func (f *Factory) bindGlobal(fs *pflag.FlagSet) {
	g := &f.Global
	fs.StringVar(&g.Tenant, "tenant", "", "tenant id or domain (default $AZURE_TENANT_ID)")
	fs.StringVarP(&g.Output, "output", "o", output.JSON, "output format: "+strings.Join(output.Formats, ", "))
	fs.StringVar(&g.Query, "query", "", "JMESPath query applied to the result before formatting")
	fs.BoolVar(&g.Debug, "debug", false, "log HTTP traffic to stderr (secrets and tokens redacted)")
	fs.BoolVar(&g.Verbose, "verbose", false, "more progress detail")
	fs.BoolVar(&g.OnlyShowErrors, "only-show-errors", false, "print only errors on stderr, no progress or warnings")
	fs.StringVar(&g.GraphURL, "graph-url", f.env(EnvGraphURL, DefaultGraphURL), "Microsoft Graph base URL ($"+EnvGraphURL+")")
	fs.StringVar(&g.ARMURL, "arm-url", f.env(EnvARMURL, DefaultARMURL), "Azure Resource Manager base URL ($"+EnvARMURL+")")
	fs.StringVar(&g.AuthorityHost, "authority-host", "", "Entra ID authority host (default $AZURE_AUTHORITY_HOST or login.microsoftonline.com)")
	fs.BoolVar(&g.UseDeviceCode, "use-device-code", false, "sign in with a device code when no other credential is configured")
}

// Console is where a command's words go: its result to stdout (with -o and --query), progress
// and warnings to stderr (unless --only-show-errors). The Factory is the real one.
type Console interface {
	Print(v any) error
	// PrintTable prints v, or table instead of it for -o table without --query (az's table
	// transformer).
	PrintTable(v, table any) error
	// Write puts raw bytes on stdout (a manifest, a script), outside -o.
	Write(data []byte) error
	Progress(format string, args ...any)
	Warn(format string, args ...any)
}

// PrintTable writes a result whose -o table view is table.
func (f *Factory) PrintTable(v, table any) error {
	return output.Write(f.IO.Out, v, output.Options{Format: f.Global.Output, Query: f.Global.Query, Color: f.IO.IsStdoutTTY(), Table: table})
}

// Write puts raw bytes on stdout.
func (f *Factory) Write(data []byte) error {
	_, err := f.IO.Out.Write(data)
	return err
}

// Print writes a command's result with -o and --query.
func (f *Factory) Print(v any) error {
	return output.Write(f.IO.Out, v, output.Options{Format: f.Global.Output, Query: f.Global.Query, Color: f.IO.IsStdoutTTY()})
}

// secretSentinel stands in for a secret's value when checking whether the output would show it.
const secretSentinel = "dicomreg-secret-sentinel-7f3a"

// Shows says whether printing v with this run's -o and --query would show want, so a command can
// refuse before making a value that would otherwise be lost (-o none, a query that drops it).
func (f *Factory) Shows(v any, want string) bool {
	var b strings.Builder
	err := output.Write(&b, v, output.Options{Format: f.Global.Output, Query: f.Global.Query})
	return err == nil && strings.Contains(b.String(), want)
}

func querySuffix(q string) string {
	if q == "" {
		return ""
	}
	return fmt.Sprintf(" --query %q", q)
}

// Reporter is this run's progress reporter on stderr: made once, after the global flags are
// parsed, so --only-show-errors and --verbose hold for every line.
func (f *Factory) Reporter() *progress.Reporter {
	if f.reporter == nil {
		f.reporter = progress.New(f.IO.ErrOut, progress.Options{Quiet: f.Global.OnlyShowErrors, Verbose: f.Global.Verbose,
			TTY: f.IO.IsStderrTTY(), Now: f.Now})
	}
	return f.reporter
}

// Progress tells the person what is happening, on stderr, unless --only-show-errors.
func (f *Factory) Progress(format string, args ...any) { f.Reporter().Step(format, args...) }

// Warn prints a warning on stderr, unless --only-show-errors.
func (f *Factory) Warn(format string, args ...any) { f.Reporter().Warn(format, args...) }

// Transport is the HTTP transport every request of this run goes through: with --debug, each
// request and answer is logged to stderr with secrets and tokens redacted.
func (f *Factory) Transport() policy.Transporter {
	base := f.BaseTransport
	if base == nil {
		base = http.DefaultClient
	}
	if !f.Global.Debug {
		return base
	}
	return &debugTransport{next: base, w: f.IO.ErrOut}
}

// Credential is the credential for Graph and ARM calls (environment, Azure CLI, device code).
func (f *Factory) Credential() (azcore.TokenCredential, error) {
	if f.NewCredential != nil {
		return f.NewCredential()
	}
	return auth.Credential(auth.Options{
		TenantID: f.Global.Tenant, AuthorityHost: f.Global.AuthorityHost, Env: f.Getenv,
		UseDeviceCode: f.Global.UseDeviceCode, PreferAzureCLI: f.Host == hosts.Az, IsTTY: f.IO.IsStderrTTY(),
		Transport: f.Transport(), Prompt: f.IO.ErrOut,
	})
}

// Engine is the convergence engine over dir, reporting through this run's console, with the
// tenant the user named (--tenant, AZURE_TENANT_ID) if any.
func (f *Factory) Engine(dir converge.Directory) *converge.Engine {
	tenant := f.Global.Tenant
	if tenant == "" {
		tenant = f.Getenv(auth.EnvTenantID)
	}
	return &converge.Engine{Dir: dir, Now: f.Now, Tenant: tenant,
		Progress: func(msg string) { f.Progress("%s", msg) },
		Warn:     func(msg string) { f.Warn("%s", msg) },
		ShowsSecret: func() bool {
			return f.Shows(converge.Result{ClientSecret: secretSentinel, Changes: []string{}}, secretSentinel)
		}}
}

// Directory is the Graph and ARM client of this run.
func (f *Factory) Directory() (*directory.Client, error) {
	cred, err := f.Credential()
	if err != nil {
		return nil, err
	}
	return directory.New(f.Global.GraphURL, f.Global.ARMURL, cred, directory.Options{Transport: f.Transport(), Sleep: f.Sleep, Retry: f.Retry,
		Observer: f.Reporter(), Now: f.Now}), nil
}
