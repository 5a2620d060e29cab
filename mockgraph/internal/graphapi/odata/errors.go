package odata

import "fmt"

// Graph's error codes for query options.
const (
	CodeBadRequest       = "BadRequest"
	CodeRequestBad       = "Request_BadRequest"
	CodeUnsupportedQuery = "Request_UnsupportedQuery"
)

// Error is a query option Graph refuses; it becomes a 400 with Code and Message.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func syntaxErr(pos int, format string, args ...any) error {
	return &Error{Code: CodeBadRequest, Message: fmt.Sprintf("Invalid filter clause: syntax error at position %d: %s.", pos, fmt.Sprintf(format, args...))}
}

func unsupported(prop, entity string) error {
	return &Error{Code: CodeUnsupportedQuery,
		Message: fmt.Sprintf("Unsupported or invalid query filter clause specified for property '%s' of resource '%s'.", prop, entity)}
}

func unknownProperty(prop, entity string) error {
	return &Error{Code: CodeRequestBad, Message: fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.%s'.", prop, entity)}
}
