package mockgraph

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
)

// pathKeys is the control API of the token-signing keys: GET lists them, POST rotates.
const pathKeys = "/mock/keys"

// defaultKeyGrace is how long a replaced key stays published and accepted when nobody says.
// unverified: Entra does not document its overlap; its JWKS carries several keys for days.
const defaultKeyGrace = 24 * time.Hour

// rollover rotates the signing key every opts.KeyRotation on the mock's clock (checked on each
// request, so a test that advances the clock sees the rotation at its next call) and retires
// replaced keys when their grace period ends.
type rollover struct {
	mu   sync.Mutex
	next time.Time // zero: no scheduled rotation
}

func (s *Server) keyGrace() time.Duration {
	if s.opts.KeyGrace > 0 {
		return s.opts.KeyGrace
	}
	if s.opts.KeyRotation > 0 {
		return s.opts.KeyRotation
	}
	return defaultKeyGrace
}

// rollKeys is the per-request check: a due rotation happens, due retirements happen.
func (s *Server) rollKeys(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := s.clock.Now()
		if s.opts.KeyRotation > 0 {
			s.roll.mu.Lock()
			if s.roll.next.IsZero() {
				s.roll.next = now.Add(s.opts.KeyRotation)
			}
			for !now.Before(s.roll.next) {
				_, _ = s.RotateKeys(s.keyGrace()) // a failed generation is retried at the next request
				s.roll.next = s.roll.next.Add(s.opts.KeyRotation)
			}
			s.roll.mu.Unlock()
		}
		s.keys.Retire(now)
		next.ServeHTTP(w, r)
	})
}

// RotateKeys makes a new signing key active now and retires the current ones after grace, as
// Entra rolls its keys: the JWKS shows both during the grace period.
func (s *Server) RotateKeys(grace time.Duration) (string, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	kid, err := s.keys.Rotate(priv, s.clock.Now(), grace)
	if err != nil || s.keyFile == "" {
		return kid, err
	}
	if err := writeKeyFile(s.keyFile, s.keys.Ring()); err != nil {
		return kid, fmt.Errorf("the new key signs, but keeping it in %s failed: %w", s.keyFile, err)
	}
	return kid, nil
}

func (s *Server) registerKeyControl(r *mux.Router) {
	r.HandleFunc(pathKeys, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			var req struct {
				Grace string `json:"grace"` // a Go duration; default: the server's grace
			}
			if r.ContentLength != 0 && !decodeControl(w, r, &req) {
				return
			}
			grace := s.keyGrace()
			if req.Grace != "" {
				d, err := time.ParseDuration(req.Grace)
				if err != nil || d < 0 {
					controlError(w, http.StatusBadRequest, "grace: want a duration ≥ 0 such as 1h, got %q", req.Grace)
					return
				}
				grace = d
			}
			if _, err := s.RotateKeys(grace); err != nil {
				controlError(w, http.StatusInternalServerError, "rotate: %v", err)
				return
			}
		}
		httpx.WriteJSON(w, http.StatusOK, map[string][]keys.KeyState{"keys": s.keys.State()})
	}).Methods(http.MethodGet, http.MethodPost)
}
