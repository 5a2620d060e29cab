package cli

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/dicomreg/dicomreg/plugin/dicom"
)

// registrationSource reads, from Graph and ARM, what doctor checks about one app registration.
type registrationSource interface {
	// Registration finds the app by display name or app id; dicomServiceID "" skips the roles.
	Registration(ctx context.Context, app, dicomServiceID string) (dicom.Registration, error)
}

type doctorOptions struct {
	App          string // --app NAME|APPID
	DICOMService string // --dicom-service RESOURCE_ID
	Source       func() (registrationSource, error)
}

// doctorResult is doctor's answer: one finding per check, each with its fix.
type doctorResult struct {
	App      string          `json:"app"`
	AppID    string          `json:"appId"`
	Healthy  bool            `json:"healthy"`
	Findings []dicom.Finding `json:"findings"`
}

func (o *doctorOptions) bind(fs *pflag.FlagSet) {
	fs.StringVar(&o.App, "app", "", appFlagHelp)
	fs.StringVar(&o.DICOMService, "dicom-service", "", "ARM resource id of the DICOM service whose role assignments to check (default $"+EnvDICOMServiceID+")")
}

func runDoctor(ctx context.Context, f *Factory, opts *doctorOptions) error {
	if opts.App == "" {
		return usageErrorf("--app NAME|APPID is required")
	}
	src, err := opts.Source()
	if err != nil {
		return err
	}
	serviceID := dicomServiceID(f, opts.DICOMService)
	reg, err := src.Registration(ctx, opts.App, serviceID)
	if err != nil {
		return err
	}
	reg.DICOMServiceID = serviceID
	reg.Now = f.Now()
	fs := dicom.Diagnose(reg)
	out := doctorResult{App: reg.App.DisplayName, AppID: reg.App.AppID, Healthy: dicom.Worst(fs) != dicom.Error, Findings: fs}
	if err := f.Print(out); err != nil {
		return err
	}
	if !out.Healthy {
		reportFindings(f, fs)
		return &SilentError{Code: ExitError}
	}
	return nil
}

func newCmdDoctor(f *Factory) *Command {
	opts := &doctorOptions{Source: func() (registrationSource, error) { return newDirectoryReader(f) }}
	return &Command{
		Name:  "doctor",
		Short: "Diagnose an app registration against what the DICOM service needs",
		Long: `Checks an app registration end to end: its service principal, the Azure API for DICOM principal
in the tenant, Dicom.ReadWrite in its API permissions and admin consent for it, public/confidential
settings against its redirect URIs, secrets and certificates expired or expiring within 30 days, and
(with --dicom-service) a DICOM data role on the service. Each finding has a severity (ok, warn,
error) and the command that fixes it. Exit code 1 if any finding is an error.`,
		Example: `dicomreg doctor --app my-viewer
dicomreg doctor --app 11111111-2222-3333-4444-555555555555 --dicom-service /subscriptions/…/dicomservices/mydicom -o table --query findings`,
		Flags: opts.bind,
		Run:   func(ctx context.Context, _ []string) error { return runDoctor(ctx, f, opts) },
	}
}
