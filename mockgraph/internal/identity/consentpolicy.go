package identity

import "sync/atomic"

// ConsentPolicy is the tenant's "User consent for applications" setting
// (manage-apps/configure-user-consent.md).
type ConsentPolicy string

// Consent policies.
const (
	// UserConsentAllowed lets users consent to delegated permissions that need no admin.
	UserConsentAllowed ConsentPolicy = "allowed"
	// AdminConsentOnly ("Do not allow user consent"): only an admin grant lets users sign in to
	// an app for permissions nobody has consented to yet.
	AdminConsentOnly ConsentPolicy = "adminOnly"
)

// Valid reports whether p is a known policy.
func (p ConsentPolicy) Valid() bool { return p == UserConsentAllowed || p == AdminConsentOnly }

// codeAdminConsentRequired is what a user sees when they cannot consent themselves
// (reference-error-codes.md: "The grant requires admin permission.").
const codeAdminConsentRequired = 90094

type consentPolicy struct{ v atomic.Value }

func (c *consentPolicy) get() ConsentPolicy {
	if p, ok := c.v.Load().(ConsentPolicy); ok {
		return p
	}
	return UserConsentAllowed
}

// ConsentPolicy is the tenant's user-consent setting.
func (s *Service) ConsentPolicy() ConsentPolicy { return s.consent.get() }

// SetConsentPolicy changes it; an unknown value leaves it as it is and reports false.
func (s *Service) SetConsentPolicy(p ConsentPolicy) bool {
	if !p.Valid() {
		return false
	}
	s.consent.v.Store(p)
	return true
}
