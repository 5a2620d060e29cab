package cli

import (
	"context"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/spf13/cobra"

	"github.com/spf13/pflag"

	"github.com/dicomreg/dicomreg/plugin/auth"
	"github.com/dicomreg/dicomreg/plugin/dicom"
)

// EnvDICOMServiceID is the default for --dicom-service; the mock's env file sets it.
const EnvDICOMServiceID = "DICOMREG_DICOM_SERVICE_ID"

// VerifyOptions are `verify`'s.
type VerifyOptions struct {
	IO        Console
	SignIn    signIn
	Transport func() policy.Transporter
	Now       func() time.Time
	Getenv    func(string) string
	flowFlags
	DICOMURL     string // --dicom-url, default $DICOMREG_DICOM_URL
	Token        string // --token: probe with this instead of signing in
	DICOMService string // --dicom-service: ARM id, for the fix command
}

func (o *VerifyOptions) bind(fs *pflag.FlagSet) {
	o.flowFlags.bind(fs)
	fs.StringVar(&o.DICOMURL, "dicom-url", "", "DICOM service URL, with or without /v1 or /v2 (default $"+EnvDICOMURL+")")
	fs.StringVar(&o.Token, "token", "", "probe with this access token instead of signing in")
	fs.StringVar(&o.DICOMService, "dicom-service", "", "the DICOM service's ARM resource id, for the role assignment hint (default $"+EnvDICOMServiceID+")")
}

// verifyResult is `verify`'s answer: the DICOM service's status and what it means.
type verifyResult struct {
	URL      string          `json:"url"`
	Status   int             `json:"status"`
	OK       bool            `json:"ok"`
	Findings []dicom.Finding `json:"findings"`
}

// NewCmdVerify is `verify`.
func NewCmdVerify(f *Factory, runF func(context.Context, *VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{IO: f, SignIn: f.SignIn, Transport: f.Transport, Now: f.Now, Getenv: f.Getenv}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Call a DICOM service with a token and explain its answer",
		Long: `Signs in (the flags of 'token get'), or takes --token, and calls GET {dicom-url}/v2/studies?limit=1.
A 2xx answer (200, or 204 for an empty search) means the token and the principal's DICOM data role
were accepted. A 401 is explained claim by claim (aud, iss/tenant, exp, nbf); a 403 names the
principal and prints the 'dicomreg role assign' command that fixes it. Exit code 0 only on 2xx.`,
		Example: `dicomreg verify --dicom-url https://myws-mydicom.dicom.azurehealthcareapis.com --client-id $APP --secret "$SECRET"
dicomreg verify --token "$TOKEN" --dicom-service /subscriptions/…/dicomservices/mydicom`,
		RunE: runner(opts, runF, verifyRun),
	}
	opts.bind(cmd.Flags())
	return cmd
}

func verifyRun(ctx context.Context, opts *VerifyOptions) error {
	url := opts.DICOMURL
	if url == "" {
		url = opts.Getenv(EnvDICOMURL)
	}
	if url == "" {
		return usageErrorf("no DICOM service URL: pass --dicom-url or set %s", EnvDICOMURL)
	}
	if _, err := dicom.ProbeURL(url); err != nil {
		return usageErrorf("%v", err)
	}
	token := opts.Token
	if token == "" {
		tok, _, err := opts.SignIn(ctx, &opts.flowFlags)
		if err != nil {
			return err
		}
		token = tok.Token
	}
	res, err := dicom.Probe(ctx, opts.Transport(), url, token)
	if err != nil {
		return err
	}
	decoded, _ := auth.DecodeToken(token) // nil when not a JWT; Explain says so
	out := verifyResult{URL: res.URL, Status: res.Status, OK: res.OK(),
		Findings: dicom.Explain(res, decoded, opts.Now(), dicomServiceID(opts.Getenv, opts.DICOMService))}
	// -o table shows the findings, as doctor's does: the status alone does not say why.
	if err := opts.IO.PrintTable(out, out.Findings); err != nil {
		return err
	}
	if !out.OK {
		reportFindings(opts.IO, out.Findings)
		return &SilentError{Code: ExitError}
	}
	return nil
}

// reportFindings repeats the failed findings and their fixes on stderr, so a person sees why
// whatever -o says.
func reportFindings(io Console, fs []dicom.Finding) {
	for _, fd := range fs {
		if fd.Severity != dicom.Error {
			continue
		}
		io.Progress("%s: %s", fd.Check, fd.Message)
		if fd.Fix != "" {
			io.Progress("  fix: %s", fd.Fix)
		}
	}
}

// dicomServiceID is --dicom-service, else $DICOMREG_DICOM_SERVICE_ID, else "".
func dicomServiceID(getenv func(string) string, flag string) string {
	if flag != "" {
		return flag
	}
	return getenv(EnvDICOMServiceID)
}
