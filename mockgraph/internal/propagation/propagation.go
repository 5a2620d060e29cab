// Package propagation is the mock's one model of eventual consistency: how long after a write
// each reader of the directory sees it. Graph replicas, the token service, Azure RBAC and the
// DICOM service's access-decision cache each lag by their own delay, all measured on the
// server's injectable clock, so advancing the clock makes every delay pass at once.
package propagation

import (
	"strings"
	"sync"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/clock"
)

// Delays are how long each reader lags behind a write. Zero: the reader sees it at once.
type Delays struct {
	// Graph hides a new application or service principal from Graph reads, lists and service
	// principal creation (404 / NoBackingApplicationObject).
	Graph time.Duration `json:"graph"`
	// SignIn is how long the token service takes to learn of a new application or service
	// principal (AADSTS700016 / AADSTS7000229 until then).
	SignIn time.Duration `json:"signIn"`
	// Credential is how long the token service takes to accept a new secret or certificate
	// (AADSTS7000215 / AADSTS700027 until then).
	Credential time.Duration `json:"credential"`
	// RBAC is how long a new role assignment takes to reach data-plane and ARM access checks.
	RBAC time.Duration `json:"rbac"`
	// DICOMCache is how long the DICOM service keeps an access decision it made.
	DICOMCache time.Duration `json:"dicomCache"`
}

// Documented magnitudes; FIDELITY.md ("Propagation, throttling and --realistic") gives the sources.
const (
	// Microsoft documents no replication SLA; Azure CLI waits up to 36×5 s for a new app's
	// service principal, PowerShell maintainers measured 15–30 s for a new object to be found.
	RealisticGraph = 30 * time.Second
	// The token service's view of new apps follows the same directory replication.
	RealisticSignIn = 30 * time.Second
	// A new password credential was observed to start working after 4–18 s
	// (microsoftgraph/microsoft-graph-docs#17966).
	RealisticCredential = 20 * time.Second
	// "it can take up to 10 minutes for changes to take effect" (role-based-access-control/troubleshooting.md).
	RealisticRBAC = 10 * time.Minute
	// "The DICOM service will cache decisions for up to five minutes" (dicom/dicom-configure-azure-rbac.md).
	RealisticDICOMCache = 5 * time.Minute
)

// Realistic is every delay at its documented magnitude.
func Realistic() Delays {
	return Delays{Graph: RealisticGraph, SignIn: RealisticSignIn, Credential: RealisticCredential, RBAC: RealisticRBAC, DICOMCache: RealisticDICOMCache}
}

// Longest is the longest a write can take to reach every reader: what a test advances the
// clock by to see everything settled.
func (d Delays) Longest() time.Duration {
	return max(d.Graph, d.SignIn, d.Credential, d.RBAC+d.DICOMCache)
}

// Valid reports whether every delay is zero or positive.
func (d Delays) Valid() bool {
	return d.Graph >= 0 && d.SignIn >= 0 && d.Credential >= 0 && d.RBAC >= 0 && d.DICOMCache >= 0
}

// Model holds the delays and the DICOM service's decision cache.
type Model struct {
	clock clock.Clock

	mu     sync.RWMutex
	delays Delays
	cache  map[string]decision // principal|scope → the roles the DICOM service last decided on
}

type decision struct {
	roles   []string
	decided time.Time
}

// maxCached bounds the decision cache; past it the cache starts again (a miss only recomputes).
const maxCached = 10000

// New returns a model reading c.
func New(c clock.Clock, d Delays) *Model {
	return &Model{clock: c, delays: d, cache: map[string]decision{}}
}

// Delays returns the current delays.
func (m *Model) Delays() Delays {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.delays
}

// Set changes the delays and forgets cached decisions.
func (m *Model) Set(d Delays) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.delays = d
	m.cache = map[string]decision{}
}

// Now is the model's clock reading.
func (m *Model) Now() time.Time { return m.clock.Now() }

// View is what one request sees: the clock read once and the delays at that moment.
type View struct {
	Now    time.Time
	Delays Delays
}

// View reads the clock and the delays once, for one request.
func (m *Model) View() View { return View{Now: m.clock.Now(), Delays: m.Delays()} }

func seen(now, written time.Time, delay time.Duration) bool {
	return delay <= 0 || !now.Before(written.Add(delay))
}

// InGraph reports whether Graph reads see an object written at t.
func (v View) InGraph(t time.Time) bool { return seen(v.Now, t, v.Delays.Graph) }

// AtSignIn reports whether the token service knows an application or principal written at t.
func (v View) AtSignIn(t time.Time) bool { return seen(v.Now, t, v.Delays.SignIn) }

// CredentialLive reports whether the token service accepts a credential added at t.
func (v View) CredentialLive(t time.Time) bool { return seen(v.Now, t, v.Delays.Credential) }

// RoleEffective reports whether a role assignment made at t counts in access checks.
func (v View) RoleEffective(t time.Time) bool { return seen(v.Now, t, v.Delays.RBAC) }

// DICOMRoles is the DICOM service's access decision for a principal at a scope: the roles
// decide computes (from assignments already effective), kept for DICOMCache, so a decision made
// before an assignment took effect stands until it expires, as the service's cache does.
func (m *Model) DICOMRoles(principal, scope string, decide func(View) []string) []string {
	v := m.View()
	if v.Delays.DICOMCache <= 0 {
		return decide(v)
	}
	k := strings.ToLower(principal) + "|" + strings.ToLower(scope)
	m.mu.RLock()
	c, ok := m.cache[k]
	m.mu.RUnlock()
	if ok && !v.Now.Before(c.decided) && v.Now.Before(c.decided.Add(v.Delays.DICOMCache)) {
		return c.roles
	}
	roles := decide(v)
	m.mu.Lock()
	if len(m.cache) >= maxCached {
		m.cache = map[string]decision{}
	}
	m.cache[k] = decision{roles: roles, decided: v.Now}
	m.mu.Unlock()
	return roles
}
