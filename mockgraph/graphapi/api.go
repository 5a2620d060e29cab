// Package graphapi is the mock Microsoft Graph v1.0 over the tenant directory.
package graphapi

import (
	"time"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/clock"
	"github.com/dicomreg/dicomreg/mockgraph/keys"
	"github.com/dicomreg/dicomreg/mockgraph/rng"
	"github.com/dicomreg/dicomreg/mockgraph/tenant"
)

// Config is what the Graph surface needs from the server that hosts it.
type Config struct {
	Store *tenant.Store
	Keys  *keys.Keys
	Clock clock.Clock
	Rand  *rng.Source
	// ReplicationDelay is how long a new object stays invisible to reads by id and to service
	// principal creation; nil or zero: none.
	ReplicationDelay func() time.Duration
}

// API serves Graph.
type API struct{ cfg Config }

// New returns the Graph surface.
func New(cfg Config) *API { return &API{cfg: cfg} }

// Register adds the Graph routes (under /v1.0) to r.
func (a *API) Register(r *mux.Router) {}
