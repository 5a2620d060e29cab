// Package dotenv builds the variables an app needs to reach the DICOM service — tenant, client,
// its credential, the authority when not the public cloud, the DICOM URL and scope — and renders
// them for `source` (export lines) or for GitHub Actions' $GITHUB_ENV. It builds text only; the
// caller writes it (secret-bearing files 0600).
package dotenv

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dicomreg/dicomreg/plugin/secretfile"
)

// Variable names: azidentity's EnvironmentCredential and WorkloadIdentityCredential read the
// AZURE_* ones (azidentity README, "Environment variables"); the DICOM ones are dicomreg's.
const (
	TenantID          = "AZURE_TENANT_ID"
	ClientID          = "AZURE_CLIENT_ID"
	ClientSecret      = "AZURE_CLIENT_SECRET"
	ClientCertificate = "AZURE_CLIENT_CERTIFICATE_PATH"
	FederatedToken    = "AZURE_FEDERATED_TOKEN_FILE"
	AuthorityHost     = "AZURE_AUTHORITY_HOST"
	DICOMURL          = "DICOMREG_DICOM_URL"
	DICOMScope        = "DICOMREG_DICOM_SCOPE"
)

// PublicCloudAuthority is the authority azidentity uses when AZURE_AUTHORITY_HOST is unset.
const PublicCloudAuthority = "https://login.microsoftonline.com/"

// App is what the file describes. Exactly one credential (or none, for a public client).
type App struct {
	TenantID, ClientID   string
	ClientSecret         string
	CertificatePath      string
	FederatedTokenFile   string
	AuthorityHost        string // empty or the public cloud: left out
	DICOMURL, DICOMScope string
}

// Var is one NAME=value, the type every dotenv file of dicomreg is written from.
type Var = secretfile.Var

// Vars lists the app's variables in a fixed order.
func Vars(a App) ([]Var, error) {
	if a.TenantID == "" || a.ClientID == "" {
		return nil, errors.New("dotenv: tenant and client id are required")
	}
	creds := 0
	for _, c := range []string{a.ClientSecret, a.CertificatePath, a.FederatedTokenFile} {
		if c != "" {
			creds++
		}
	}
	if creds > 1 {
		return nil, errors.New("dotenv: give one credential: a secret, a certificate or a federated token file")
	}
	out := []Var{{Name: TenantID, Value: a.TenantID}, {Name: ClientID, Value: a.ClientID}}
	switch {
	case a.ClientSecret != "":
		out = append(out, Var{Name: ClientSecret, Value: a.ClientSecret})
	case a.CertificatePath != "":
		out = append(out, Var{Name: ClientCertificate, Value: a.CertificatePath})
	case a.FederatedTokenFile != "":
		out = append(out, Var{Name: FederatedToken, Value: a.FederatedTokenFile})
	}
	if h := strings.TrimSpace(a.AuthorityHost); h != "" && !strings.EqualFold(strings.TrimSuffix(h, "/")+"/", PublicCloudAuthority) {
		out = append(out, Var{Name: AuthorityHost, Value: h})
	}
	if a.DICOMURL != "" {
		out = append(out, Var{Name: DICOMURL, Value: a.DICOMURL})
	}
	if a.DICOMScope != "" {
		out = append(out, Var{Name: DICOMScope, Value: a.DICOMScope})
	}
	for _, v := range out {
		if strings.ContainsAny(v.Value, "\n\r\x00") {
			return nil, fmt.Errorf("dotenv: %s holds a line break", v.Name)
		}
	}
	return out, nil
}

// Shell renders `export NAME=value` lines, as every credential file dicomreg writes
// (secretfile.Dotenv): `source FILE` hands them to child processes.
func Shell(vars []Var) string {
	return string(secretfile.Dotenv(nil, vars))
}

// GitHub renders NAME=value lines for $GITHUB_ENV, which takes NAME=value (split at the first
// '=') or a NAME<<DELIMITER heredoc, with no quoting, no `export` and no comments
// (docs.github.com, "Workflow commands for GitHub Actions: Setting an environment variable").
// Values never span lines (Vars refuses them), so the one-line form always fits.
func GitHub(vars []Var) string {
	var b strings.Builder
	for _, v := range vars {
		b.WriteString(v.Name + "=" + v.Value + "\n")
	}
	return b.String()
}

// Parse reads either rendering back, for tests and for tools that check a file before using it:
// a file with export lines is the shell form, read as every dicomreg credential file is
// (secretfile.ParseDotenv); otherwise it is the GitHub form, whose values are literal to the end
// of the line. Comments and blank lines are
// skipped.
func Parse(text string) (map[string]string, error) {
	out := map[string]string{}
	if strings.Contains("\n"+text, "\nexport ") {
		_, vars, err := secretfile.ParseDotenv([]byte(text))
		if err != nil {
			return nil, fmt.Errorf("dotenv: %w", err)
		}
		for _, v := range vars {
			out[v.Name] = v.Value
		}
		return out, nil
	}
	for i, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok || !secretfile.IsName(name) {
			return nil, fmt.Errorf("dotenv: line %d is not NAME=value", i+1)
		}
		out[name] = value
	}
	return out, nil
}
