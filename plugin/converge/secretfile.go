package converge

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/dicomreg/dicomreg/plugin/secretfile"
)

// A secret's value exists once, in Graph's answer to addPassword. When it is meant for a file,
// the file is claimed first (plugin/secretfile's Reserve) with an announcement naming the secret
// about to be made; if the run dies between Graph's answer and the file write, the next register
// finds the announcement, removes that secret (nobody holds its value) and makes a new one. So an
// interrupted register is completed by the next run and leaves no orphaned secret, and a file
// that cannot be written is found out before the secret exists.
const pendingSecretMarker = "dicomreg: pending client secret "

// Secret file variables, as azidentity's EnvironmentCredential reads them.
const (
	EnvTenantID     = "AZURE_TENANT_ID"
	EnvClientID     = "AZURE_CLIENT_ID"
	EnvClientSecret = "AZURE_CLIENT_SECRET"
)

var secretFileNames = []string{EnvTenantID, EnvClientID, EnvClientSecret}

// SecretFile is where a new secret's value goes: a dotenv file, or with Path "" the output.
type SecretFile struct {
	Path  string
	Force bool // replace a file with other content (--force)
}

// options are the file's rules for app clientID: without --force, only a file dicomreg wrote for
// the same app may be replaced.
func (sf SecretFile) options(clientID string) secretfile.Options {
	return secretfile.Options{Force: sf.Force, Ours: secretfile.OursFor(clientID, secretFileNames...)}
}

// Check finds out, before any remote write, whether the file may be written for app clientID
// ("" for an app not made yet).
func (sf SecretFile) Check(clientID string) error {
	if sf.Path == "" {
		return nil
	}
	return secretfile.Check(sf.Path, sf.options(clientID))
}

// Claim is a claimed secret file (nil: the secret goes to the output).
type Claim struct{ *secretfile.Reservation }

// Abandon is called when addPassword failed: if Graph refused it (a 4xx answer), no secret was
// made and the file is put back as it was; otherwise (no answer, a 5xx) the secret may exist, so
// the announcement stays for the next register to clean up.
func (c *Claim) Abandon(err error) {
	var st interface{ HTTPStatus() int }
	if c != nil && errors.As(err, &st) && st.HTTPStatus() >= 400 && st.HTTPStatus() < 500 {
		_ = c.Cancel()
	}
}

// Claim reserves the file for the secret named name of app clientID, before addPassword; nil
// when the secret goes to the output.
func (sf SecretFile) Claim(tenantID, clientID, name string) (*Claim, error) {
	if sf.Path == "" {
		return nil, nil
	}
	announcement := secretfile.Dotenv([]string{pendingSecretMarker + name},
		[]secretfile.Var{{Name: EnvTenantID, Value: tenantID}, {Name: EnvClientID, Value: clientID}})
	r, err := secretfile.Reserve(sf.Path, announcement, sf.options(clientID))
	if err != nil {
		return nil, err
	}
	return &Claim{r}, nil
}

// IsDicomregSecret says whether a secret's display name is one register gives its secrets.
func IsDicomregSecret(name string) bool {
	return name == SecretDisplayName || strings.HasPrefix(name, SecretDisplayName+"-")
}

// DeliverSecret hands a new secret over the one way asked: into the claimed file (and not the
// output), or, with no claim, into the output, once, with a warning to store it unless a file
// the caller writes keeps it (SecretKeptIn). If the claimed file cannot be written after all,
// the value goes to the output instead, so it is never lost, and the error says so. It returns
// the value to show and the file written.
func (e *Engine) DeliverSecret(claim *Claim, tenantID, appID string, cred *PasswordCredential) (shown, file string, err error) {
	if claim == nil {
		if e.SecretKeptIn == "" {
			e.warn("the client secret is shown once; store it now (or use --secret-out FILE)")
		}
		return cred.SecretText, "", nil
	}
	content := secretfile.Dotenv([]string{fmt.Sprintf("dicomreg: client secret %s (keyId %s) of app %s; `source` this file", cred.DisplayName, cred.KeyID, appID)},
		[]secretfile.Var{{Name: EnvTenantID, Value: tenantID}, {Name: EnvClientID, Value: appID}, {Name: EnvClientSecret, Value: cred.SecretText}})
	if werr := claim.Commit(content); werr != nil {
		e.warn("could not write %s (%v): the client secret (keyId %s) is in the output instead, once; store it now", claim.Path(), werr, cred.KeyID)
		return cred.SecretText, "", fmt.Errorf("writing %s: %w", claim.Path(), werr)
	}
	e.report("Wrote AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET to %s (mode 0600; export lines, so `source %s` passes them on).", claim.Path(), claim.Path())
	return "", claim.Path(), nil
}

// PendingSecret reads path and returns the name of the secret an interrupted run announced there
// for clientID; "" when the file is missing, complete, unreadable as dotenv, or for another app.
func PendingSecret(path, clientID string) (string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	comments, vars, err := secretfile.ParseDotenv(data)
	if err != nil || secretfile.Get(vars, EnvClientSecret) != "" || !strings.EqualFold(secretfile.Get(vars, EnvClientID), clientID) {
		return "", nil // not a file dicomreg announced, or complete: a marker there was superseded
	}
	for _, c := range comments {
		if name, ok := strings.CutPrefix(c, pendingSecretMarker); ok && IsDicomregSecret(strings.TrimSpace(name)) {
			return strings.TrimSpace(name), nil
		}
	}
	return "", nil
}

// removeLostSecret removes the secrets an interrupted run made for path but never wrote there,
// and returns the name it found pending ("" when none).
func (r *register) removeLostSecret(ctx context.Context, app *Application, path string) (string, error) {
	name, err := PendingSecret(path, app.AppID)
	if err != nil || name == "" {
		return "", err
	}
	for _, p := range app.PasswordCredentials {
		if p.DisplayName != name {
			continue
		}
		if err := r.Dir.RemovePassword(ctx, app.ID, p.KeyID); err != nil {
			return "", err
		}
		r.change("removed client secret %s… (keyId %s): an interrupted run made it but never wrote it to %s", p.Hint, p.KeyID, path)
	}
	return name, nil
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}
