package mockgraph

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
)

// Queued errors fail chosen requests, deterministically: a test fails exactly the call it means
// to (the third request to addPassword, the role assignment PUT) instead of hoping a rate hits
// it. Like mockoidc's QueueError, beside the rate-based Faults.

// queuedAnswer is the error body each status gets, in each surface's shape: Graph's codes from
// concepts/errors.md and the directory codes in FACTS.md, ARM's from the Resource Manager error
// reference. 429 and 503 are the throttling answers the rate-based faults give, Retry-After
// included.
var queuedAnswer = map[string]map[int][2]string{
	surfaceGraph: {
		http.StatusBadRequest:          {"Request_BadRequest", "Invalid request."},
		http.StatusUnauthorized:        {"InvalidAuthenticationToken", "Access token validation failure."},
		http.StatusForbidden:           {"Authorization_RequestDenied", "Insufficient privileges to complete the operation."},
		http.StatusNotFound:            {"Request_ResourceNotFound", "Resource does not exist or one of its queried reference-property objects are not present."},
		http.StatusConflict:            {"Request_MultipleObjectsWithSameKeyValue", "Another object with the same value for property exists."},
		http.StatusInternalServerError: {"generalException", "An internal server error occurred."},
		http.StatusBadGateway:          {"BadGateway", "Bad gateway."},
		http.StatusGatewayTimeout:      {"GatewayTimeout", "The operation timed out."},
	},
	surfaceARM: {
		http.StatusBadRequest:          {"InvalidRequestContent", "The request content was invalid and could not be deserialized."},
		http.StatusUnauthorized:        {"InvalidAuthenticationToken", "The access token is invalid."},
		http.StatusForbidden:           {"AuthorizationFailed", "The client does not have authorization to perform this action."},
		http.StatusNotFound:            {"ResourceNotFound", "The resource was not found."},
		http.StatusConflict:            {"Conflict", "The request conflicts with the current state of the resource."},
		http.StatusInternalServerError: {"InternalServerError", "Encountered internal server error."},
		http.StatusBadGateway:          {"BadGateway", "Bad gateway."},
		http.StatusGatewayTimeout:      {"GatewayTimeout", "The gateway did not receive a response within the specified time period."},
	},
}

type queuedError struct {
	method string // "" any
	path   []string
	status int
	left   int
}

// errorQueue holds the queued errors in the order they were queued; its zero value is empty.
type errorQueue struct {
	mu     sync.Mutex
	queued []*queuedError
	now    func() time.Time // the server's clock, for innerError.date; set by QueueError
}

// QueueError makes the next count requests to surface ("graph" or "arm") whose path matches
// path fail with status, in that surface's error shape, before any rate-based fault. path is
// the URL path without the query, optionally after a method ("POST /v1.0/servicePrincipals");
// a segment in braces matches any one segment ("/v1.0/applications/{id}/addPassword").
// Errors queued for the same request are served in the order they were queued.
func (s *Server) QueueError(surface, path string, status, count int) error {
	if _, ok := queuedAnswer[surface][status]; !ok && status != http.StatusTooManyRequests && status != http.StatusServiceUnavailable {
		if _, known := queuedAnswer[surface]; !known {
			return fmt.Errorf("mockgraph: QueueError: surface %q: use %q or %q", surface, surfaceGraph, surfaceARM)
		}
		return fmt.Errorf("mockgraph: QueueError: %s has no queued answer for status %d", surface, status)
	}
	if count < 1 {
		return fmt.Errorf("mockgraph: QueueError: count %d must be at least 1", count)
	}
	method, p, ok := strings.Cut(path, " ")
	if !ok {
		method, p = "", path
	}
	if !strings.HasPrefix(p, "/") || surfaceOf(p) != surface {
		return fmt.Errorf("mockgraph: QueueError: %q is not a %s path", p, surface)
	}
	q := &s.faults.queue
	q.mu.Lock()
	q.now = s.clock.Now
	q.queued = append(q.queued, &queuedError{method: strings.ToUpper(method), path: strings.Split(p, "/"), status: status, left: count})
	q.mu.Unlock()
	return nil
}

// ClearErrors drops the errors still queued.
func (s *Server) ClearErrors() {
	q := &s.faults.queue
	q.mu.Lock()
	q.queued = nil
	q.mu.Unlock()
}

// take returns the status of the first queued error r matches, and uses it up; 0 when none.
func (q *errorQueue) take(r *http.Request) (int, func() time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	segs := strings.Split(r.URL.Path, "/")
	for i, e := range q.queued {
		if (e.method == "" || e.method == r.Method) && matchPath(e.path, segs) {
			if e.left--; e.left == 0 {
				q.queued = append(q.queued[:i:i], q.queued[i+1:]...)
			}
			return e.status, q.now
		}
	}
	return 0, nil
}

func matchPath(pattern, segs []string) bool {
	if len(pattern) != len(segs) {
		return false
	}
	for i, p := range pattern {
		if !(strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") && segs[i] != "") && !strings.EqualFold(p, segs[i]) {
			return false
		}
	}
	return true
}

// serve answers r with its queued error, if one is queued for it, and says whether it did.
// Throttling answers are written by fault, as the rate-based faults write theirs.
func (q *errorQueue) serve(w http.ResponseWriter, r *http.Request, surface string, retryAfter time.Duration,
	fault func(http.ResponseWriter, *http.Request, string, int, time.Duration)) bool {
	status, now := q.take(r)
	switch status {
	case 0:
		return false
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		fault(w, r, surface, status, retryAfter)
		return true
	}
	answer := queuedAnswer[surface][status]
	body := map[string]any{"code": answer[0], "message": answer[1]}
	if surface == surfaceGraph {
		body["innerError"] = map[string]any{"date": now().UTC().Format("2006-01-02T15:04:05"),
			"request-id": w.Header().Get("request-id"), "client-request-id": r.Header.Get("client-request-id")}
	}
	httpx.WriteJSON(w, status, map[string]any{"error": body})
	return true
}

// The surfaces QueueError takes.
const (
	SurfaceGraph = surfaceGraph
	SurfaceARM   = surfaceARM
)

// errorsBody is POST /mock/errors: QueueError over the control API, for tests in any language.
type errorsBody struct {
	Surface string `json:"surface"`
	Path    string `json:"path"`
	Status  int    `json:"status"`
	Count   int    `json:"count"`
}

// handleErrors queues an error (POST, count 1 unless given) or drops every queued one (DELETE).
func (s *Server) handleErrors(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodDelete {
		s.ClearErrors()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var b errorsBody
	if !decodeControl(w, r, &b) {
		return
	}
	if b.Count == 0 {
		b.Count = 1
	}
	if err := s.QueueError(b.Surface, b.Path, b.Status, b.Count); err != nil {
		controlError(w, http.StatusBadRequest, "%s", strings.TrimPrefix(err.Error(), "mockgraph: "))
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, b)
}
