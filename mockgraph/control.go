package mockgraph

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/clock"
	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// Control API paths. All but healthz require the server's control token as a bearer token, on
// loopback too: they reset the tenant, move its clock and hand out its secrets.
const (
	pathHealth     = "/mock/healthz"
	pathReset      = "/mock/reset"
	pathClock      = "/mock/clock"
	pathFaults     = "/mock/faults"
	pathDeviceCode = "/mock/devicecode/approve"
	pathRequests   = "/mock/requests"
	pathEnv        = "/mock/env"
	pathErrors     = "/mock/errors" // queued errors: errorqueue.go
)

func (s *Server) registerControl(r *mux.Router) {
	r.HandleFunc(pathHealth, s.handleHealth).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc(pathReset, s.handleReset).Methods(http.MethodPost)
	r.HandleFunc(pathClock, s.handleClock).Methods(http.MethodGet, http.MethodPost)
	r.HandleFunc(pathFaults, s.handleFaults).Methods(http.MethodGet, http.MethodPut)
	r.HandleFunc(pathDeviceCode, s.handleApprove).Methods(http.MethodPost)
	r.HandleFunc(pathRequests, s.handleRequests).Methods(http.MethodGet, http.MethodDelete)
	r.HandleFunc(pathErrors, s.handleErrors).Methods(http.MethodPost, http.MethodDelete)
	r.HandleFunc(pathEnv, func(w http.ResponseWriter, _ *http.Request) { httpx.WriteJSON(w, http.StatusOK, s.Env()) }).Methods(http.MethodGet)
	s.registerWorkloadControl(r)
	s.registerKeyControl(r)
}

// guardControl lets a request under /mock/ through only with the control token, healthz
// excepted: every control endpoint, those other files register included, is guarded here.
func (s *Server) guardControl(next http.Handler) http.Handler {
	want := []byte(s.control)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, httpx.ControlPrefix) && r.URL.Path != pathHealth {
			if got, _ := httpx.BearerToken(r); subtle.ConstantTimeCompare([]byte(got), want) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="mockgraph-control"`)
				controlError(w, http.StatusUnauthorized, "the control API needs Authorization: Bearer $%s (from the env file)", EnvControlToken)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func controlError(w http.ResponseWriter, status int, format string, args ...any) {
	httpx.WriteJSON(w, status, map[string]string{"error": fmt.Sprintf(format, args...)})
}

func decodeControl(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(v); err != nil {
		controlError(w, http.StatusBadRequest, "body is not the expected JSON: %v", err)
		return false
	}
	return true
}

func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	var counts map[string]int
	_ = s.store.View(func(d *tenant.Directory) error { counts = d.Counts(); return nil })
	httpx.WriteJSON(w, http.StatusOK, map[string]any{
		"status": "ok", "testServer": true, "tenantId": s.TenantID(), "seed": strconv.FormatUint(s.seed, 10),
		"now": s.clock.Now().Format(time.RFC3339Nano), "objects": counts, "signer": s.keys.Backend(),
	})
}

// handleReset puts the tenant back as it was when the server started (same ids and admin
// secret, so the env file stays right), dropping everything made since.
func (s *Server) handleReset(w http.ResponseWriter, _ *http.Request) {
	if err := s.store.Replace(s.initial.Copy()); err != nil {
		controlError(w, http.StatusInternalServerError, "reset: %v", err)
		return
	}
	s.identity.Reset()
	s.counter.reset()
	w.WriteHeader(http.StatusNoContent)
}

type clockRequest struct {
	Advance string     `json:"advance"` // a Go duration, e.g. "90m"
	Set     *time.Time `json:"set"`
	Freeze  bool       `json:"freeze"`
}

func (s *Server) handleClock(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		var req clockRequest
		if !decodeControl(w, r, &req) {
			return
		}
		if err := applyClock(s.clock, req); err != nil {
			controlError(w, http.StatusBadRequest, "%v", err)
			return
		}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"now": s.clock.Now().Format(time.RFC3339Nano)})
}

// maxClockYear is as far as the clock may go: RFC 3339 times, as tokens and Graph show them,
// have four-digit years.
const maxClockYear = 9999

func applyClock(c *clock.Adjustable, req clockRequest) error {
	if req.Freeze {
		c.Freeze()
	}
	if req.Set != nil {
		c.Set(*req.Set)
	}
	if req.Advance != "" {
		d, err := time.ParseDuration(req.Advance)
		if err != nil {
			return fmt.Errorf("advance: %v", err)
		}
		now := c.Now()
		if to := now.Add(d); d > 0 && !to.After(now) || d < 0 && !to.Before(now) || to.Year() > maxClockYear || to.Year() < 1 {
			return fmt.Errorf("advance: %s moves the clock out of years 1–%d", req.Advance, maxClockYear)
		}
		c.Advance(d)
	}
	return nil
}

// faultsBody is the control API's view of the realism knobs, in plain numbers.
type faultsBody struct {
	Rate429                 float64 `json:"rate429"`
	Rate503                 float64 `json:"rate503"`
	RetryAfterSeconds       float64 `json:"retryAfterSeconds"`
	LatencyMilliseconds     float64 `json:"latencyMilliseconds"`
	ReplicationDelaySeconds float64 `json:"replicationDelaySeconds"`
}

func (s *Server) handleFaults(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut {
		var b faultsBody
		if !decodeControl(w, r, &b) {
			return
		}
		if b.Rate429 < 0 || b.Rate503 < 0 || b.Rate429+b.Rate503 > 1 || b.RetryAfterSeconds < 0 || b.LatencyMilliseconds < 0 || b.ReplicationDelaySeconds < 0 {
			controlError(w, http.StatusBadRequest, "rates must be in [0,1] with a sum ≤ 1, durations ≥ 0")
			return
		}
		s.SetFaults(Faults{Rate429: b.Rate429, Rate503: b.Rate503, RetryAfter: seconds(b.RetryAfterSeconds), Latency: seconds(b.LatencyMilliseconds / 1000)})
		s.SetReplicationDelay(seconds(b.ReplicationDelaySeconds))
	}
	f := s.Faults()
	httpx.WriteJSON(w, http.StatusOK, faultsBody{Rate429: f.Rate429, Rate503: f.Rate503, RetryAfterSeconds: f.RetryAfter.Seconds(),
		LatencyMilliseconds: float64(f.Latency) / float64(time.Millisecond), ReplicationDelaySeconds: s.ReplicationDelay().Seconds()})
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

func (s *Server) handleApprove(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserCode string `json:"userCode"`
		Username string `json:"username"`
	}
	if !decodeControl(w, r, &req) {
		return
	}
	if req.Username == "" {
		req.Username = s.Seeded().TestUsername
	}
	if err := s.ApproveDeviceCode(req.UserCode, req.Username); err != nil {
		controlError(w, http.StatusBadRequest, "%v", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleRequests(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodDelete {
		s.counter.reset()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, s.counter.snapshot())
}

// accessLog writes one line per request; it never logs headers or bodies, which carry secrets.
func accessLog(w io.Writer, c clock.Clock, next http.Handler) http.Handler {
	l := log.New(w, "", 0)
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: rw, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r)
		l.Printf("%s %s %s %d %s", c.Now().Format(time.RFC3339), r.Method, r.URL.Path, rec.status, time.Since(start).Round(time.Microsecond))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }
