package mockgraph

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/rng"
)

// Faults are the realism knobs for Graph and ARM: throttling, outages and latency, decided by the
// server's seeded random source.
type Faults struct {
	Rate429    float64       `json:"rate429"`    // share of requests answered 429 TooManyRequests
	Rate503    float64       `json:"rate503"`    // share answered 503 ServiceUnavailable
	RetryAfter time.Duration `json:"retryAfter"` // Retry-After on those answers (may be fractional seconds)
	Latency    time.Duration `json:"latency"`    // added before every Graph and ARM answer
}

func (f Faults) String() string {
	return fmt.Sprintf("429 %.0f%%, 503 %.0f%%, Retry-After %s, latency %s", f.Rate429*100, f.Rate503*100, f.RetryAfter, f.Latency)
}

type faultInjector struct {
	mu    sync.RWMutex
	f     Faults
	rand  *rng.Source
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
		if fi.queue.serve(w, r, surface, f.RetryAfter) {
			return
		}
		if f.Rate429 > 0 || f.Rate503 > 0 {
			x := fi.rand.Float64()
			switch {
			case x < f.Rate429:
				writeFault(w, r, surface, http.StatusTooManyRequests, f.RetryAfter)
				return
			case x < f.Rate429+f.Rate503:
				writeFault(w, r, surface, http.StatusServiceUnavailable, f.RetryAfter)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func writeFault(w http.ResponseWriter, r *http.Request, surface string, status int, retryAfter time.Duration) {
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.FormatFloat(retryAfter.Seconds(), 'f', -1, 64))
	}
	code, msg := "TooManyRequests", "Too many requests. Please retry after the interval in the Retry-After header."
	if status == http.StatusServiceUnavailable {
		code, msg = "ServiceUnavailable", "The service is temporarily unavailable. Please retry."
	}
	body := map[string]any{"code": code, "message": msg}
	if surface == surfaceGraph {
		body["innerError"] = map[string]any{
			"date": time.Now().UTC().Format("2006-01-02T15:04:05"), "request-id": w.Header().Get("request-id"),
			"client-request-id": r.Header.Get("client-request-id"),
		}
	}
	httpx.WriteJSON(w, status, map[string]any{"error": body})
}
