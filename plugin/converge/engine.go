package converge

import (
	"context"
	"fmt"
	"time"
)

// Engine converges app registrations through a Directory.
type Engine struct {
	Dir Directory
	// Now is the clock secrets and certificates are judged by.
	Now func() time.Time
	// Tenant is the tenant id when the caller knows it (--tenant, AZURE_TENANT_ID); "" asks the
	// directory.
	Tenant string
	// Progress is told each change as it is made and each file written; Warn what needs the
	// person's attention. Either may be nil.
	Progress func(msg string)
	Warn     func(msg string)
}

func (e *Engine) report(format string, args ...any) {
	if e.Progress != nil {
		e.Progress(fmt.Sprintf(format, args...))
	}
}

func (e *Engine) warn(format string, args ...any) {
	if e.Warn != nil {
		e.Warn(fmt.Sprintf(format, args...))
	}
}

func (e *Engine) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// TenantID is the tenant the engine works in: Engine.Tenant, else the credential's, asked of the
// directory.
func (e *Engine) TenantID(ctx context.Context) (string, error) {
	if e.Tenant != "" {
		return e.Tenant, nil
	}
	return e.Dir.Organization(ctx)
}

// DeliverSecret hands a new secret over the one way asked: into a 0600 dotenv file at path (and
// not the output), or, with path "", into the output, once, with a warning to store it. It
// returns the value to show ("" when it went to the file) and the file written.
func (e *Engine) DeliverSecret(path, tenantID, appID, secret string) (shown, file string, err error) {
	if path != "" {
		if err := WriteSecretFile(path, tenantID, appID, secret); err != nil {
			return "", "", err
		}
		e.report("Wrote AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET to %s (mode 0600).", path)
		return "", path, nil
	}
	e.warn("the client secret is shown once; store it now (or use --secret-out FILE)")
	return secret, "", nil
}
