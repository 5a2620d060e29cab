package cli

import (
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/dicomreg/dicomreg/plugin/converge"
	"github.com/dicomreg/dicomreg/plugin/dicom"
	"github.com/dicomreg/dicomreg/plugin/dotenv"
	"github.com/dicomreg/dicomreg/plugin/secretfile"
)

// EnvOutFlags are register's --env-out flags: a dotenv file with everything an app needs to reach
// the DICOM service.
type EnvOutFlags struct {
	Path      string
	Format    string
	TokenFile string
}

func (e *EnvOutFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&e.Path, "env-out", "", "write the app's variables (tenant, client, credential, authority, DICOM URL and scope) to this file (mode 0600); a new secret goes there instead of the output")
	fs.StringVar(&e.Format, "env-format", "shell", "shell (export lines for `source`) or github (NAME=value lines for $GITHUB_ENV)")
	fs.StringVar(&e.TokenFile, "federated-token-file", "", "with --env-out: AZURE_FEDERATED_TOKEN_FILE, where the workload's OIDC token will be")
}

// envOutVars are the variables an --env-out file holds; a file with others is not dicomreg's.
var envOutVars = []string{dotenv.TenantID, dotenv.ClientID, dotenv.ClientSecret, dotenv.ClientCertificate, dotenv.FederatedToken,
	dotenv.AuthorityHost, dotenv.DICOMURL, dotenv.DICOMScope}

// check finds out, before register's first remote write, what would stop write: a bad
// --env-format, a missing directory, or a file there that is not an --env-out file dicomreg
// wrote (for any app: which app is known only later, and write checks it then).
func (e *EnvOutFlags) check(force bool) error {
	if e.Format != "shell" && e.Format != "github" {
		return usageErrorf("--env-format %q: use shell or github", e.Format)
	}
	anyApp := func(existing []byte) bool {
		vars, err := dotenv.Parse(string(existing))
		return err == nil && secretfile.OursFor(vars[dotenv.ClientID], envOutVars...)(existing)
	}
	if err := secretfile.Check(e.Path, secretfile.Options{Force: force, Ours: anyApp}); err != nil {
		return usageErrorf("--env-out: %v", err)
	}
	return nil
}

// write builds the file from the run's result. A secret the file already holds for this app is
// kept when this run made none (its value exists nowhere else).
func (e *EnvOutFlags) write(res *converge.Result, authority, dicomURL string, force bool) error {
	if e.Format != "shell" && e.Format != "github" {
		return usageErrorf("--env-format %q: use shell or github", e.Format)
	}
	app := dotenv.App{TenantID: res.TenantID, ClientID: res.AppID, AuthorityHost: authority, DICOMURL: dicomURL, DICOMScope: dicom.AppOnlyScope}
	switch {
	case res.ClientSecret != "":
		app.ClientSecret = res.ClientSecret
	case e.TokenFile != "":
		app.FederatedTokenFile = e.TokenFile
	case res.CertificateFile != "":
		app.CertificatePath = res.CertificateFile
	default:
		old, err := os.ReadFile(e.Path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if vars, perr := dotenv.Parse(string(old)); perr == nil && strings.EqualFold(vars[dotenv.ClientID], res.AppID) {
			app.ClientSecret = vars[dotenv.ClientSecret]
		}
	}
	vars, err := dotenv.Vars(app)
	if err != nil {
		return usageErrorf("--env-out: %v", err)
	}
	text := dotenv.Shell(vars)
	if e.Format == "github" {
		text = dotenv.GitHub(vars)
	}
	// the trust helper's writer: 0600, atomic, and a file that is not this app's dicomreg file is
	// replaced only with --force
	return secretfile.Write(e.Path, []byte(text), secretfile.Options{Force: force, Ours: secretfile.OursFor(res.AppID, envOutVars...)})
}
