// Package dotenv builds the variables an app needs to reach the DICOM service — tenant, client,
// its credential, the authority when not the public cloud, the DICOM URL and scope — and renders
// them for `source` (export lines) or for GitHub Actions' $GITHUB_ENV. It builds text only; the
// caller writes it (secret-bearing files 0600).
package dotenv

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
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

// Var is one NAME=value.
type Var struct{ Name, Value string }

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
	out := []Var{{TenantID, a.TenantID}, {ClientID, a.ClientID}}
	switch {
	case a.ClientSecret != "":
		out = append(out, Var{ClientSecret, a.ClientSecret})
	case a.CertificatePath != "":
		out = append(out, Var{ClientCertificate, a.CertificatePath})
	case a.FederatedTokenFile != "":
		out = append(out, Var{FederatedToken, a.FederatedTokenFile})
	}
	if h := strings.TrimSpace(a.AuthorityHost); h != "" && !strings.EqualFold(strings.TrimSuffix(h, "/")+"/", PublicCloudAuthority) {
		out = append(out, Var{AuthorityHost, h})
	}
	if a.DICOMURL != "" {
		out = append(out, Var{DICOMURL, a.DICOMURL})
	}
	if a.DICOMScope != "" {
		out = append(out, Var{DICOMScope, a.DICOMScope})
	}
	for _, v := range out {
		if strings.ContainsAny(v.Value, "\n\r\x00") {
			return nil, fmt.Errorf("dotenv: %s holds a line break", v.Name)
		}
	}
	return out, nil
}

// Shell renders `export NAME='value'` lines: `source FILE` (or `set -a; . FILE`) hands them to
// child processes. Values are single-quoted, so nothing in them is expanded.
func Shell(vars []Var) string {
	var b strings.Builder
	for _, v := range vars {
		b.WriteString("export " + v.Name + "='" + strings.ReplaceAll(v.Value, "'", `'\''`) + "'\n")
	}
	return b.String()
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

var nameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })

// Parse reads either rendering back (export lines with single quotes, or NAME=value), for tests
// and for tools that check a file before using it. Comments and blank lines are skipped.
func Parse(text string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		name, value, ok := strings.Cut(line, "=")
		if !ok || !nameRE().MatchString(name) {
			return nil, fmt.Errorf("dotenv: line %d is not NAME=value", i+1)
		}
		if strings.HasPrefix(value, "'") {
			v, err := unquote(value)
			if err != nil {
				return nil, fmt.Errorf("dotenv: line %d: %w", i+1, err)
			}
			value = v
		}
		out[name] = value
	}
	return out, nil
}

// unquote reads a POSIX single-quoted word with '\” escapes.
func unquote(s string) (string, error) {
	var b strings.Builder
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, `\'`):
			b.WriteByte('\'')
			s = s[2:]
		case s[0] == '\'':
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return "", errors.New("unterminated quote")
			}
			b.WriteString(s[1 : 1+end])
			s = s[2+end:]
		default:
			return "", errors.New("text outside quotes")
		}
	}
	return b.String(), nil
}
