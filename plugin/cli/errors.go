package cli

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/dicomreg/dicomreg/plugin/auth"
	"github.com/dicomreg/dicomreg/plugin/converge"
	"github.com/dicomreg/dicomreg/plugin/output"
)

// Exit codes, as az uses them.
const (
	ExitOK       = 0
	ExitError    = 1
	ExitUsage    = 2
	ExitNotFound = 3
)

// UsageError is a mistake in the command line: exit 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usageErrorf(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// notFoundf is a named object that does not exist: exit 3.
func notFoundf(format string, args ...any) error { return converge.NotFoundf(format, args...) }

// SilentError has already been reported (e.g. verify printed its verdict): exit with Code, print nothing.
type SilentError struct{ Code int }

func (e *SilentError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// ExitCode maps an error to the process exit code; every command's error passes through here.
func ExitCode(err error) int {
	var (
		usage   *UsageError
		invalid *converge.InvalidError
		outErr  *output.Error
		cfgErr  *auth.ConfigError
		nf      *converge.NotFoundError
		silent  *SilentError
		respErr *azcore.ResponseError
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &silent):
		return silent.Code
	case errors.As(err, &usage), errors.As(err, &invalid), errors.As(err, &outErr), errors.As(err, &cfgErr):
		return ExitUsage
	case errors.As(err, &nf):
		return ExitNotFound
	case errors.As(err, &respErr) && respErr.StatusCode == http.StatusNotFound:
		return ExitNotFound
	}
	var st interface{ HTTPStatus() int }
	if errors.As(err, &st) && st.HTTPStatus() == http.StatusNotFound {
		return ExitNotFound
	}
	return ExitError
}

// printError writes an error as az does: "ERROR: …" on stderr.
func printError(w io.Writer, err error) {
	var silent *SilentError
	if errors.As(err, &silent) {
		return
	}
	fmt.Fprintf(w, "ERROR: %v\n", err)
}
