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
	// ShowsSecret says whether the output would show a new secret printed in it (false for -o
	// none, say); nil: it would. A secret meant for the output is not made when it would not.
	ShowsSecret func() bool
	// SecretKeptIn names a file the caller writes a new secret into when there is no
	// --secret-out file (register --postman-env with --postman-secret): the secret is then made
	// whatever the output shows, and without the warning to store it; the caller leaves the
	// value out of its output once the file holds it.
	SecretKeptIn string
}

// dropsSecret says whether a new secret with no --secret-out file would reach nobody: no file
// keeps it and the output would not show it.
func (e *Engine) dropsSecret() bool {
	return e.SecretKeptIn == "" && e.ShowsSecret != nil && !e.ShowsSecret()
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
