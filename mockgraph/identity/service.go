// Package identity is the mock Entra ID token service (v2.0 and v1 endpoints).
package identity

import (
	"errors"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/clock"
	"github.com/dicomreg/dicomreg/mockgraph/keys"
	"github.com/dicomreg/dicomreg/mockgraph/rng"
	"github.com/dicomreg/dicomreg/mockgraph/tenant"
)

// Config is what the token service needs from the server that hosts it.
type Config struct {
	Store *tenant.Store
	Keys  *keys.Keys
	Clock clock.Clock
	Rand  *rng.Source
}

// Service serves the identity endpoints.
type Service struct{ cfg Config }

// New returns the token service.
func New(cfg Config) *Service { return &Service{cfg: cfg} }

// Register adds the identity routes to r.
func (s *Service) Register(r *mux.Router) {}

// ApproveDeviceCode signs user in on the device-login page for userCode.
func (s *Service) ApproveDeviceCode(userCode, userPrincipalName string) error {
	return errors.New("identity: device code flow not built yet")
}
