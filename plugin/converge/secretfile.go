package converge

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// A secret's value exists once, in Graph's answer to addPassword. When it is meant for a file,
// register first writes the file with a marker naming the secret it is about to make; if the run
// dies between Graph's answer and the file write, the next run finds the marker, removes that
// secret (nobody holds its value) and makes a new one. So an interrupted register is completed
// by the next run and leaves no orphaned secret.
const pendingSecretMarker = "# dicomreg: pending client secret "

// IsDicomregSecret says whether a secret's display name is one register gives its secrets.
func IsDicomregSecret(name string) bool {
	return name == SecretDisplayName || strings.HasPrefix(name, SecretDisplayName+"-")
}

// WriteSecretFile writes a dotenv file azidentity's EnvironmentCredential reads, readable only by
// its owner from the moment it exists.
func WriteSecretFile(path, tenantID, clientID, secret string) error {
	return writePrivateFile(path, fmt.Sprintf("AZURE_TENANT_ID=%s\nAZURE_CLIENT_ID=%s\nAZURE_CLIENT_SECRET=%s\n", tenantID, clientID, secret))
}

// writePendingSecretFile writes the file's marker for a secret about to be made.
func writePendingSecretFile(path, tenantID, clientID, secretName string) error {
	return writePrivateFile(path, fmt.Sprintf("%s%s\nAZURE_TENANT_ID=%s\nAZURE_CLIENT_ID=%s\n", pendingSecretMarker, secretName, tenantID, clientID))
}

// writePrivateFile replaces path atomically with content, mode 0600 from the start.
func writePrivateFile(path, content string) error {
	tmp := path + ".tmp-" + randomSuffix()
	fh, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = fh.WriteString(content)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// PendingSecret reads path and returns the name of the secret an interrupted run announced there
// for clientID; "" when the file is missing, complete, or for another app.
func PendingSecret(path, clientID string) (string, error) {
	fh, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer fh.Close()
	var pending, client string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, pendingSecretMarker):
			pending = strings.TrimSpace(strings.TrimPrefix(line, pendingSecretMarker))
		case strings.HasPrefix(line, "AZURE_CLIENT_ID="):
			client = strings.TrimPrefix(line, "AZURE_CLIENT_ID=")
		case strings.HasPrefix(line, "AZURE_CLIENT_SECRET="):
			return "", nil // complete: whatever a marker said was superseded
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	if !strings.EqualFold(client, clientID) || !IsDicomregSecret(pending) {
		return "", nil
	}
	return pending, nil
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
