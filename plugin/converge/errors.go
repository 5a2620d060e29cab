package converge

import "fmt"

// InvalidError is a request the engine refuses before touching the directory (a registration
// that contradicts itself, an unreadable certificate file): the CLI's usage error.
type InvalidError struct{ Msg string }

func (e *InvalidError) Error() string { return e.Msg }

// Invalidf returns an *InvalidError.
func Invalidf(format string, args ...any) error {
	return &InvalidError{Msg: fmt.Sprintf(format, args...)}
}

// NotFoundError is a named object that does not exist.
type NotFoundError struct{ Msg string }

func (e *NotFoundError) Error() string { return e.Msg }

// NotFoundf returns a *NotFoundError.
func NotFoundf(format string, args ...any) error {
	return &NotFoundError{Msg: fmt.Sprintf(format, args...)}
}

// ConflictError is a state the engine will not guess about (two apps with one name).
type ConflictError struct{ Msg string }

func (e *ConflictError) Error() string { return e.Msg }
