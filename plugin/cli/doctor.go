package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/spf13/pflag"

	"github.com/dicomreg/dicomreg/plugin/dicom"
)

// registrationSource reads, from Graph and ARM, what doctor checks about one app registration.
type registrationSource interface {
	// Registration finds the app by display name or app id; dicomServiceID "" skips the roles.
	Registration(ctx context.Context, app, dicomServiceID string) (dicom.Registration, error)
}

// DoctorOptions are `doctor`'s.
type DoctorOptions struct {
	IO           Console
	Now          func() time.Time
	Getenv       func(string) string
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

func (o *DoctorOptions) bind(fs *pflag.FlagSet) {
	fs.StringVar(&o.App, "app", "", appFlagHelp)
	fs.StringVar(&o.DICOMService, "dicom-service", "", "ARM resource id of the DICOM service whose role assignments to check (default $"+EnvDICOMServiceID+")")
}

func doctorRun(ctx context.Context, opts *DoctorOptions) error {
	if opts.App == "" {
		return usageErrorf("--app NAME|APPID is required")
	}
	src, err := opts.Source()
	if err != nil {
		return err
	}
	serviceID := dicomServiceID(opts.Getenv, opts.DICOMService)
	reg, err := src.Registration(ctx, opts.App, serviceID)
	if err != nil {
		return err
	}
	reg.DICOMServiceID = serviceID
	reg.Now = opts.Now()
	fs := dicom.Diagnose(reg)
	out := doctorResult{App: reg.App.DisplayName, AppID: reg.App.AppID, Healthy: dicom.Worst(fs) != dicom.Error, Findings: fs}
	// -o table shows the findings, which are what doctor is for (the result's other fields are
	// one line each; they stay in json).
	if err := opts.IO.PrintTable(out, fs); err != nil {
		return err
	}
	if !out.Healthy {
		reportFindings(opts.IO, fs)
		return &SilentError{Code: ExitError}
	}
	return nil
}

// NewCmdDoctor is `doctor`.
func NewCmdDoctor(f *Factory, runF func(context.Context, *DoctorOptions) error) *cobra.Command {
	opts := &DoctorOptions{IO: f, Now: f.Now, Getenv: f.Getenv, Source: func() (registrationSource, error) { return newDirectoryReader(f) }}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Diagnose an app registration against what the DICOM service needs",
		Long: `Checks an app registration end to end: its service principal, the Azure API for DICOM principal
in the tenant, Dicom.ReadWrite in its API permissions and admin consent for it, public/confidential
settings against its redirect URIs, secrets and certificates expired or expiring within 30 days, and
(with --dicom-service) a DICOM data role on the service. Each finding has a severity (ok, warn,
error) and the command that fixes it. Exit code 1 if any finding is an error.`,
		Example: `dicomreg doctor --app my-viewer
dicomreg doctor --app 11111111-2222-3333-4444-555555555555 --dicom-service /subscriptions/…/dicomservices/mydicom -o table --query findings`,
		RunE: runner(opts, runF, doctorRun),
	}
	opts.bind(cmd.Flags())
	return cmd
}
