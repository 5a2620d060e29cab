package mockgraph

import (
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/identity"
	"github.com/dicomreg/dicomreg/mockgraph/internal/propagation"
)

// Control paths of the realism knobs: the propagation delays (PUT {"realistic": true} sets all of
// them to their documented magnitudes) and the tenant's consent policy.
const (
	pathPropagation   = "/mock/propagation"
	pathConsentPolicy = "/mock/consent-policy"
)

func (s *Server) registerRealism(r *mux.Router) {
	r.HandleFunc(pathPropagation, s.handlePropagation).Methods(http.MethodGet, http.MethodPut)
	r.HandleFunc(pathConsentPolicy, s.handleConsentPolicy).Methods(http.MethodGet, http.MethodPut)
}

type consentPolicyBody struct {
	UserConsent identity.ConsentPolicy `json:"userConsent"` // "allowed" or "adminOnly"
}

func (s *Server) handleConsentPolicy(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut {
		var b consentPolicyBody
		if !decodeControl(w, r, &b) {
			return
		}
		if !s.identity.SetConsentPolicy(b.UserConsent) {
			controlError(w, http.StatusBadRequest, "userConsent must be %q or %q", identity.UserConsentAllowed, identity.AdminConsentOnly)
			return
		}
	}
	httpx.WriteJSON(w, http.StatusOK, consentPolicyBody{UserConsent: s.identity.ConsentPolicy()})
}

// propagationBody is the control API's view of the delays, in seconds.
type propagationBody struct {
	Realistic         bool     `json:"realistic,omitempty"` // PUT only: every delay at its documented magnitude
	GraphSeconds      *float64 `json:"graphSeconds,omitempty"`
	SignInSeconds     *float64 `json:"signInSeconds,omitempty"`
	CredentialSeconds *float64 `json:"credentialSeconds,omitempty"`
	RBACSeconds       *float64 `json:"rbacSeconds,omitempty"`
	DICOMCacheSeconds *float64 `json:"dicomCacheSeconds,omitempty"`
	LongestSeconds    float64  `json:"longestSeconds"` // GET: how far to advance the clock to see every write settled
}

func (s *Server) handlePropagation(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut {
		var b propagationBody
		if !decodeControl(w, r, &b) {
			return
		}
		d := s.prop.Delays()
		if b.Realistic {
			d = propagation.Realistic()
		}
		for _, f := range []struct {
			v   *float64
			dst *time.Duration
		}{{b.GraphSeconds, &d.Graph}, {b.SignInSeconds, &d.SignIn}, {b.CredentialSeconds, &d.Credential}, {b.RBACSeconds, &d.RBAC}, {b.DICOMCacheSeconds, &d.DICOMCache}} {
			if f.v != nil {
				*f.dst = seconds(*f.v)
			}
		}
		if !d.Valid() {
			controlError(w, http.StatusBadRequest, "delays must be ≥ 0 seconds")
			return
		}
		s.prop.Set(d)
	}
	d := s.prop.Delays()
	secs := func(x time.Duration) *float64 { v := x.Seconds(); return &v }
	httpx.WriteJSON(w, http.StatusOK, propagationBody{GraphSeconds: secs(d.Graph), SignInSeconds: secs(d.SignIn), CredentialSeconds: secs(d.Credential),
		RBACSeconds: secs(d.RBAC), DICOMCacheSeconds: secs(d.DICOMCache), LongestSeconds: d.Longest().Seconds()})
}
