package identity

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
)

// OAuth error values (RFC 6749 and Entra's additions).
const (
	errInvalidRequest       = "invalid_request"
	errInvalidClient        = "invalid_client"
	errInvalidGrant         = "invalid_grant"
	errInvalidScope         = "invalid_scope"
	errInvalidResource      = "invalid_resource"
	errUnauthorizedClient   = "unauthorized_client"
	errUnsupportedGrantType = "unsupported_grant_type"
	errAuthorizationPending = "authorization_pending"
	errAuthorizationDecline = "authorization_declined"
	errBadVerificationCode  = "bad_verification_code"
	errExpiredToken         = "expired_token"
	errAccessDenied         = "access_denied"
	errLoginRequired        = "login_required"

	suberrorConsentRequired = "consent_required"
)

// AADSTS codes the mock emits (reference-error-codes.md and FACTS.md). Codes marked unverified
// were not found in public material; they follow the nearest documented code.
const (
	codeMissingClientCredential = 7000218
	codeInvalidSecret           = 7000215
	codeSecretExpired           = 7000222
	codePublicClientCredential  = 700025
	codeAssertionSignature      = 700027
	codeAssertionTimeRange      = 700024
	codeAssertionAudience       = 700023
	codeAssertionClientID       = 700021
	codeInvalidJWT              = 50027
	codeUnknownClient           = 700016
	codeMissingClientSP         = 7000229
	codeTenantNotFound          = 90002
	codeRedirectMismatch        = 50011
	codeQueryTooLong            = 90015
	codeRedirectMismatchToken   = 500112
	codeNoReplyAddress          = 500113
	codeConsentRequired         = 65001
	codeUserDeclinedConsent     = 65004
	codeResourceNotInRRA        = 650057
	codeInvalidScope            = 70011
	codeMultipleResources       = 28000
	codeClientCredsNeedDefault  = 1002012
	codeResourceNotFound        = 500011
	codeBadUserPassword         = 50126
	codeUserDisabled            = 50057
	codeCodeRedeemed            = 54005
	codeGrantExpired            = 70008
	codeInvalidGrant            = 70000
	codeMalformedGrant          = 9002313
	codePKCEMismatch            = 501481
	codeRefreshExpired          = 700082
	codeMissingParameter        = 900144
	codeInvalidParameter        = 90100
	codePostOnly                = 900561
	codeUnsupportedGrant        = 70003
	codeUnsupportedResponseType = 700054 // response_type not enabled for the app
	codeAuthorizationPending    = 70016
	codeBadVerificationCode     = 70018
	codeDeviceCodeExpired       = 70019
	codeLoginRequired           = 50058
	codeGrantNotOnCommon        = 9001023
	codeSingleTenantApp         = 50194
	codeSPANeedsOrigin          = 9002327 // a spa code redeemed without an Origin header
	codeOriginNotSPA            = 9002326 // a cross-origin redemption of a code for another platform
)

// oauthError is an answer in Entra's error shape; handlers return it and writeError renders it.
type oauthError struct {
	Status   int
	Err      string
	Code     int
	Text     string
	Suberror string
}

func (e *oauthError) Error() string { return "AADSTS" + strconv.Itoa(e.Code) + ": " + e.Text }

func newErr(status int, errName string, code int, format string, args ...any) *oauthError {
	return &oauthError{Status: status, Err: errName, Code: code, Text: fmt.Sprintf(format, args...)}
}

// badRequest is the common 400 shape.
func badRequest(errName string, code int, format string, args ...any) *oauthError {
	return newErr(http.StatusBadRequest, errName, code, format, args...)
}

// clientErr is a failed client authentication: 401 invalid_client, as Entra answers.
func clientErr(code int, format string, args ...any) *oauthError {
	return newErr(http.StatusUnauthorized, errInvalidClient, code, format, args...)
}

func missingParam(name string) *oauthError {
	return badRequest(errInvalidRequest, codeMissingParameter, "The request body must contain the following parameter: '%s'.", name)
}

func tenantNotFound(seg string) *oauthError {
	return badRequest(errInvalidRequest, codeTenantNotFound,
		"Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. "+
			"Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", seg)
}

// errorIDs are what every Entra error carries to correlate it with the service's logs.
type errorIDs struct {
	TraceID, CorrelationID, Timestamp string
}

func (s *Service) newErrorIDs(r *http.Request) errorIDs {
	corr := sanitize(r.Header.Get("client-request-id"))
	if corr == "" || len(corr) > 64 {
		corr = s.cfg.Rand.GUID()
	}
	return errorIDs{TraceID: s.cfg.Rand.GUID(), CorrelationID: corr, Timestamp: s.cfg.Clock.Now().Format("2006-01-02 15:04:05Z")}
}

func (ids errorIDs) describe(e *oauthError) string {
	return fmt.Sprintf("%s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", e.Error(), ids.TraceID, ids.CorrelationID, ids.Timestamp)
}

// writeError sends e as Entra's JSON error body.
func (s *Service) writeError(w http.ResponseWriter, r *http.Request, e *oauthError) {
	ids := s.newErrorIDs(r)
	body := map[string]any{
		"error":             e.Err,
		"error_description": ids.describe(e),
		"error_codes":       []int{e.Code},
		"timestamp":         ids.Timestamp,
		"trace_id":          ids.TraceID,
		"correlation_id":    ids.CorrelationID,
		"error_uri":         httpx.BaseURL(r) + "/error?code=" + strconv.Itoa(e.Code),
	}
	if e.Suberror != "" {
		body["suberror"] = e.Suberror
	}
	w.Header().Set("Cache-Control", "no-store, no-cache")
	httpx.WriteJSON(w, e.Status, body)
}

// errorsAsOAuth finds an oauthError wrapped in err (the JWT parser wraps key-lookup errors).
func errorsAsOAuth(err error) (*oauthError, bool) {
	var e *oauthError
	ok := errors.As(err, &e)
	return e, ok
}

func itoa(n int) string { return strconv.Itoa(n) }
