package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
)

// ConfigError is a credential that cannot be built from what was given: a missing tenant, client
// id or secret, an unreadable certificate. The fix is on the command line.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return e.Msg }

// SignInError is Entra ID refusing to issue a token.
type SignInError struct {
	Code        int    // AADSTS number, 0 if the answer carried none
	OAuthError  string // OAuth2 "error", e.g. invalid_client
	Description string // first line of error_description, without trace and correlation ids
	Status      int    // HTTP status of the token endpoint's answer
	Hint        string // one-line fix, from the hints table
	err         error
}

func (e *SignInError) Error() string {
	var b strings.Builder
	b.WriteString("sign-in failed: ")
	switch {
	case e.Description != "":
		b.WriteString(e.Description)
	case e.OAuthError != "":
		b.WriteString(e.OAuthError)
	default:
		fmt.Fprintf(&b, "HTTP %d", e.Status)
	}
	if e.Hint != "" {
		b.WriteString("\nhint: ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

func (e *SignInError) Unwrap() error { return e.err }

// tokenErrorBody is the token endpoint's error answer (reference-error-codes.md).
type tokenErrorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes"`
}

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// aadstsPattern is compiled on first use, not at start-up.
var aadstsPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`AADSTS(\d+)`) })

// Explain turns a credential's error into a *SignInError when it carries an Entra answer, with
// the hint for its AADSTS code; other errors come back unchanged. clientID fills the hint's
// commands.
func Explain(err error, clientID string) error {
	if err == nil {
		return nil
	}
	var already *SignInError
	if errors.As(err, &already) {
		return err
	}
	resp := responseOf(err)
	if resp == nil {
		return err
	}
	e := &SignInError{Status: resp.StatusCode, err: err}
	if body, rerr := runtime.Payload(resp); rerr == nil && len(body) <= maxErrorBody {
		var tb tokenErrorBody
		if json.Unmarshal(body, &tb) == nil {
			e.OAuthError = tb.Error
			e.Description = firstLine(tb.ErrorDescription)
			if len(tb.ErrorCodes) > 0 {
				e.Code = tb.ErrorCodes[0]
			}
		}
	}
	if e.Code == 0 {
		e.Code = codeIn(e.Description)
	}
	e.Hint = Hint(e.Code, clientID)
	return e
}

// responseOf finds the HTTP answer inside azidentity's and MSAL's errors.
func responseOf(err error) *http.Response {
	var afe *azidentity.AuthenticationFailedError
	if errors.As(err, &afe) && afe.RawResponse != nil {
		return afe.RawResponse
	}
	var ce msalerrors.CallErr
	if errors.As(err, &ce) && ce.Resp != nil {
		return ce.Resp
	}
	var cep *msalerrors.CallErr
	if errors.As(err, &cep) && cep.Resp != nil {
		return cep.Resp
	}
	return nil
}

// codeIn returns the first AADSTS number in s, or 0.
func codeIn(s string) int {
	m := aadstsPattern().FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0
	}
	return n
}

// firstLine drops the "\r\nTrace ID: …" lines Entra appends to every description.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}
