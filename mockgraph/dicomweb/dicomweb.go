// Package dicomweb is the mock DICOM service's DICOMweb endpoint, authorized as the Azure DICOM
// service authorizes: a valid token for the DICOM audience, then an Azure RBAC data role.
package dicomweb

import (
	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/clock"
	"github.com/dicomreg/dicomreg/mockgraph/keys"
	"github.com/dicomreg/dicomreg/mockgraph/rng"
	"github.com/dicomreg/dicomreg/mockgraph/tenant"
)

// Config is what the DICOMweb surface needs from the server that hosts it.
type Config struct {
	Store *tenant.Store
	Keys  *keys.Keys
	Clock clock.Clock
	Rand  *rng.Source
}

// API serves DICOMweb.
type API struct{ cfg Config }

// New returns the DICOMweb surface.
func New(cfg Config) *API { return &API{cfg: cfg} }

// Register adds the DICOMweb routes (under /dicom/{service}/) to r.
func (a *API) Register(r *mux.Router) {}
