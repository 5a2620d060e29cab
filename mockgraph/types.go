package mockgraph

import (
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/clock"
	"github.com/dicomreg/dicomreg/mockgraph/internal/identity"
	"github.com/dicomreg/dicomreg/mockgraph/internal/propagation"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// The types of the public face that live in the mock's inner packages, named here so a caller
// outside mockgraph can spell them (the packages under internal/ are not importable).
type (
	// Clock is the mock's clock: real time plus an offset, or frozen; tests move it forward.
	Clock = clock.Adjustable
	// Delays are the propagation delays (Graph replication, sign-in, credentials, RBAC, DICOM cache).
	Delays = propagation.Delays
	// ConsentPolicy is the tenant's user consent setting.
	ConsentPolicy = identity.ConsentPolicy
	// Seeded names the objects every new tenant starts with (admin app, test user, DICOM service…).
	Seeded = tenant.SeedResult
)

// The tenant's user consent settings (Entra: "Allow user consent for apps" or not).
const (
	UserConsentAllowed = identity.UserConsentAllowed
	AdminConsentOnly   = identity.AdminConsentOnly
)

// NewClock is a clock that follows real time until a test moves it.
func NewClock() *Clock { return clock.New() }

// FrozenClock is a clock stopped at t until a test moves it.
func FrozenClock(t time.Time) *Clock { return clock.Frozen(t) }

// RealisticDelays are the delays --realistic turns on, at the documented magnitudes.
func RealisticDelays() Delays { return propagation.Realistic() }
