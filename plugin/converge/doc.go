// Package converge is dicomreg's engine: it brings an app registration, its credentials,
// permissions, consent, service principal and DICOM data role to what was asked, idempotently —
// finding before creating, adding only what is missing, never removing what it did not make, and
// refusing to guess when two apps share a name.
//
// It talks to the directory through the narrow Directory interface (plugin/directory's Client
// in a real run, an in-memory fake in tests), so every rule here is tested without HTTP. It knows
// nothing of flags, output formats or exit codes: it returns typed errors (errors.go) that the
// CLI maps to exit codes, and reports each change through Engine.Report.
package converge
