package mockgraph

import (
	"net/http"
	"strings"
	"sync"
)

// Which surface a path belongs to; the one listener serves them all.
const (
	surfaceGraph    = "graph"
	surfaceARM      = "arm"
	surfaceDICOM    = "dicom"
	surfaceControl  = "control"
	surfaceIdentity = "identity"
)

func surfaceOf(path string) string {
	switch {
	case strings.HasPrefix(path, "/v1.0/") || path == "/v1.0" || strings.HasPrefix(path, "/beta/"):
		return surfaceGraph
	case strings.HasPrefix(path, "/subscriptions") || strings.HasPrefix(path, "/tenants") || strings.HasPrefix(path, "/providers/"):
		return surfaceARM
	case strings.HasPrefix(path, "/dicom/"):
		return surfaceDICOM
	case strings.HasPrefix(path, "/mock/"):
		return surfaceControl
	}
	return surfaceIdentity
}

// RequestStats counts the requests the server has seen since start or the last reset, so tests
// can assert round trips ("a converged re-run makes no writes").
type RequestStats struct {
	// ByRoute counts "METHOD surface" and "METHOD path" keys.
	ByRoute map[string]int `json:"byRoute"`
	// Graph and ARM requests, split into reads (GET, HEAD) and writes (everything else).
	Reads  int `json:"reads"`
	Writes int `json:"writes"`
	// Total counts every request but the control API's.
	Total int `json:"total"`
}

type requestCounter struct {
	mu    sync.Mutex
	stats RequestStats
}

func newRequestCounter() *requestCounter {
	return &requestCounter{stats: RequestStats{ByRoute: map[string]int{}}}
}

func (c *requestCounter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s := surfaceOf(r.URL.Path); s != surfaceControl {
			c.mu.Lock()
			c.stats.Total++
			c.stats.ByRoute[r.Method+" "+s]++
			c.stats.ByRoute[r.Method+" "+r.URL.Path]++
			if s == surfaceGraph || s == surfaceARM {
				if r.Method == http.MethodGet || r.Method == http.MethodHead || readOnlyAction(r.URL.Path) {
					c.stats.Reads++
				} else {
					c.stats.Writes++
				}
			}
			c.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

// readOnlyAction says whether a POST only reads: Graph's directoryObjects/getByIds looks objects
// up with the ids in its body and changes nothing.
func readOnlyAction(path string) bool {
	return strings.HasSuffix(path, "/directoryObjects/getByIds")
}

func (c *requestCounter) snapshot() RequestStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.stats
	out.ByRoute = make(map[string]int, len(c.stats.ByRoute))
	for k, v := range c.stats.ByRoute {
		out.ByRoute[k] = v
	}
	return out
}

func (c *requestCounter) reset() {
	c.mu.Lock()
	c.stats = RequestStats{ByRoute: map[string]int{}}
	c.mu.Unlock()
}
