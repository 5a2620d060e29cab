package mockgraph

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/arm"
	"github.com/dicomreg/dicomreg/mockgraph/internal/clock"
	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/rng"
)

// Faults are the realism knobs for Graph and ARM: throttling, outages and latency, decided by the
// server's seeded random source.
type Faults struct {
	Rate429    float64       `json:"rate429"`    // share of requests answered 429 TooManyRequests
	Rate503    float64       `json:"rate503"`    // share answered 503 ServiceUnavailable
	RetryAfter time.Duration `json:"retryAfter"` // Retry-After on those answers, sent in whole seconds (rounded up); zero: none
	Latency    time.Duration `json:"latency"`    // added before every Graph and ARM answer
}

// RealisticFaults is the throttling --realistic turns on. Neither service documents a rate for a
// client this small, so the rate is a test choice: one request in fifty is throttled, enough that
// every run meets a 429, with a Retry-After of a few seconds as both services send.
func RealisticFaults() Faults {
	return Faults{Rate429: 0.02, RetryAfter: 2 * time.Second}
}

func (f Faults) String() string {
	return fmt.Sprintf("429 %.0f%%, 503 %.0f%%, Retry-After %s, latency %s", f.Rate429*100, f.Rate503*100, f.RetryAfter, f.Latency)
}

type faultInjector struct {
	mu    sync.RWMutex
	f     Faults
	rand  *rng.Source
	clock clock.Clock
	sleep func(time.Duration) // real latency is the point of the knob; tests leave it at zero
	queue errorQueue          // errors queued for chosen requests (errorqueue.go)
}

func (fi *faultInjector) set(f Faults) {
	fi.mu.Lock()
	fi.f = f
	fi.mu.Unlock()
}

func (fi *faultInjector) get() Faults {
	fi.mu.RLock()
	defer fi.mu.RUnlock()
	return fi.f
}

// wrap answers some Graph and ARM requests with 429/503 in each surface's error shape.
func (fi *faultInjector) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		surface := surfaceOf(r.URL.Path)
		if surface != surfaceGraph && surface != surfaceARM {
			next.ServeHTTP(w, r)
			return
		}
		f := fi.get()
		if f.Latency > 0 {
			fi.sleep(f.Latency)
		}
		if fi.queue.serve(w, r, surface, f.RetryAfter, fi.writeFault) {
			return
		}
		if f.Rate429 > 0 || f.Rate503 > 0 {
			x := fi.rand.Float64()
			switch {
			case x < f.Rate429:
				fi.writeFault(w, r, surface, http.StatusTooManyRequests, f.RetryAfter)
				return
			case x < f.Rate429+f.Rate503:
				fi.writeFault(w, r, surface, http.StatusServiceUnavailable, f.RetryAfter)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// writeFault answers as the surface does when it throttles or is unavailable: Graph with its
// request-id / client-request-id headers and innerError, ARM with x-ms-request-id,
// x-ms-correlation-request-id and SubscriptionRequestsThrottled / TenantRequestsThrottled.
func (fi *faultInjector) writeFault(w http.ResponseWriter, r *http.Request, surface string, status int, retryAfter time.Duration) {
	secs := arm.RetryAfterSeconds(retryAfter)
	if retryAfter > 0 { // zero: the knob for answers without the header, as Graph's 503s may be
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	requestID := fi.rand.GUID()
	if surface == surfaceGraph {
		clientID := r.Header.Get("client-request-id")
		if clientID == "" {
			clientID = requestID
		}
		w.Header().Set("request-id", requestID)
		w.Header().Set("client-request-id", clientID)
		code, msg := "TooManyRequests", "Too many requests."
		if status == http.StatusServiceUnavailable {
			code, msg = "serviceNotAvailable", "The service is temporarily unavailable. Please retry."
		}
		httpx.WriteJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg, "innerError": map[string]any{
			"date": fi.clock.Now().UTC().Format("2006-01-02T15:04:05"), "request-id": requestID, "client-request-id": clientID,
		}}})
		return
	}
	correlation := r.Header.Get("x-ms-correlation-request-id")
	if correlation == "" {
		correlation = requestID
	}
	w.Header().Set("x-ms-request-id", requestID)
	w.Header().Set("x-ms-correlation-request-id", correlation)
	w.Header().Set("x-ms-routing-request-id", "LOCAL:"+fi.clock.Now().UTC().Format("20060102T150405Z")+":"+requestID)
	if status == http.StatusServiceUnavailable {
		httpx.WriteJSON(w, status, map[string]any{"error": map[string]any{"code": "ServiceUnavailable", "message": "The service is temporarily unavailable. Please retry."}})
		return
	}
	arm.WriteThrottled(w, r, secs)
}
