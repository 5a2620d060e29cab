package graphapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/dicomreg/dicomreg/mockgraph/internal/graphapi/odata"
	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
)

// Error codes Microsoft Graph answers with (concepts/errors.md and observed responses; see
// FACTS.md).
const (
	codeBadRequest          = "BadRequest"
	codeRequestBadRequest   = "Request_BadRequest"
	codeNotFound            = "Request_ResourceNotFound"
	codeConflict            = "Request_MultipleObjectsWithSameKeyValue"
	codeInvalidToken        = "InvalidAuthenticationToken"
	codeDenied              = "Authorization_RequestDenied"
	codeNoBackingApp        = "NoBackingApplicationObject"
	codeTooLarge            = "RequestEntityTooLarge" // unverified: Graph's exact code for an oversized body
	codeUnsupportedMediaTyp = "UnsupportedMediaType"
	codeGeneral             = "generalException"
)

// Messages of the errors the handlers share.
const (
	msgBadJSON      = "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."
	msgDenied       = "Insufficient privileges to complete the operation."
	msgMethod       = "Specified HTTP method is not allowed for the request target."
	msgTokenEmpty   = "Access token is empty."
	msgTokenExpired = "Access token has expired or is not yet valid."
	msgTokenFailure = "Access token validation failure."
	msgTokenAud     = "Access token validation failure. Invalid audience."
)

// innerErrorDate is the layout of innerError.date (UTC, no zone), as Graph writes it.
const innerErrorDate = "2006-01-02T15:04:05"

// Request tracing headers: Graph echoes client-request-id and adds its own request-id.
const (
	headerRequestID       = "request-id"
	headerClientRequestID = "client-request-id"
)

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
	Target  string `json:"target,omitempty"`
}

type innerError struct {
	Date            string `json:"date"`
	RequestID       string `json:"request-id"`
	ClientRequestID string `json:"client-request-id"`
}

type errorBody struct {
	Code       string        `json:"code"`
	Message    string        `json:"message"`
	Details    []errorDetail `json:"details,omitempty"`
	InnerError innerError    `json:"innerError"`
}

// apiError is a Graph error on its way to the client; handlers return it and respond writes it.
type apiError struct {
	status  int
	code    string
	message string
	details []errorDetail
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func newErr(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func notFound(id string) *apiError {
	return newErr(http.StatusNotFound, codeNotFound,
		"Resource '%s' does not exist or one of its queried reference-property objects are not present.", id)
}

func badRequest(format string, args ...any) *apiError {
	return newErr(http.StatusBadRequest, codeRequestBadRequest, format, args...)
}

// invalidValue is Graph's answer to a property whose value it rejects.
func invalidValue(prop, resource string) *apiError {
	e := badRequest("Invalid value specified for property '%s' of resource '%s'.", prop, resource)
	e.details = []errorDetail{{Code: "InvalidValue", Target: prop}}
	return e
}

func denied() *apiError { return newErr(http.StatusForbidden, codeDenied, msgDenied) }

// writeError sends err in Graph's shape. Every failure caused by the request is an apiError or
// a query error (4xx); anything else is the mock's own fault, such as a state file it could not
// write, and is a 500.
func (a *API) writeError(w http.ResponseWriter, _ *http.Request, err error) {
	var ae *apiError
	var qe *odata.Error
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &qe):
		ae = newErr(http.StatusBadRequest, qe.Code, "%s", qe.Message)
	default:
		ae = newErr(http.StatusInternalServerError, codeGeneral, "%s", err.Error())
	}
	body := errorBody{Code: ae.code, Message: ae.message, Details: ae.details, InnerError: innerError{
		Date:            a.cfg.Clock.Now().UTC().Format(innerErrorDate),
		RequestID:       w.Header().Get(headerRequestID),
		ClientRequestID: w.Header().Get(headerClientRequestID),
	}}
	httpx.WriteJSON(w, ae.status, map[string]errorBody{"error": body})
}
