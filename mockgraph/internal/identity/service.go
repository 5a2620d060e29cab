// Package identity is the mock Entra ID token service (v2.0 and v1 endpoints): discovery, keys,
// sign-in and consent pages, the device flow and the token endpoint with every grant the
// dicomreg flows use, answering with Entra's token shapes and AADSTS errors.
package identity

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/clock"
	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
	"github.com/dicomreg/dicomreg/mockgraph/internal/propagation"
	"github.com/dicomreg/dicomreg/mockgraph/internal/rng"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// Paths under /{tenant}; v2 and v1 shapes side by side.
const (
	pathOIDCv2        = "/{tenant}/v2.0/.well-known/openid-configuration"
	pathOIDCv1        = "/{tenant}/.well-known/openid-configuration"
	pathKeysV2        = "/{tenant}/discovery/v2.0/keys"
	pathKeysV1        = "/{tenant}/discovery/keys"
	pathInstance      = "/{tenant}/discovery/instance"
	pathUserRealm     = "/common/UserRealm/{user}"
	pathAuthorizeV2   = "/{tenant}/oauth2/v2.0/authorize"
	pathAuthorizeV1   = "/{tenant}/oauth2/authorize"
	pathTokenV2       = "/{tenant}/oauth2/v2.0/token"
	pathTokenV1       = "/{tenant}/oauth2/token"
	pathDeviceCodeV2  = "/{tenant}/oauth2/v2.0/devicecode"
	pathDeviceCodeV1  = "/{tenant}/oauth2/devicecode"
	pathLogoutV2      = "/{tenant}/oauth2/v2.0/logout"
	pathLogoutV1      = "/{tenant}/oauth2/logout"
	pathDeviceLogin   = "/{tenant}/oauth2/deviceauth"
	deviceLoginTenant = "common" // the verification_uri names this tenant segment

	tenantCommon        = "common"
	tenantOrganizations = "organizations"
)

// Config is what the token service needs from the server that hosts it.
type Config struct {
	Store *tenant.Store
	Keys  *keys.Keys
	Clock clock.Clock
	Rand  *rng.Source
	// HTTPClient fetches external issuers' keys for federated credentials; nil: http.DefaultClient.
	HTTPClient *http.Client
	// Propagation says when the token service learns of new apps, principals and credentials;
	// nil: at once.
	Propagation *propagation.Model
}

// Service serves the identity endpoints. Codes, device codes, refresh tokens and pending sign-ins
// live in its memory, bounded and expiring by the injected clock.
type Service struct {
	cfg       Config
	codes     *ttlStore[*authCode]
	devices   *ttlStore[*deviceGrant]
	userCodes *ttlStore[string] // user code → device code
	refresh   *ttlStore[*refreshGrant]
	pending   *ttlStore[*authorizeRequest]
	// issuerKeys are external OIDC issuers' keys, for federated identity credentials.
	issuerKeys *issuerKeyCache
	consent    consentPolicy
}

// New returns the token service.
func New(cfg Config) *Service {
	return &Service{
		cfg:       cfg,
		codes:     newTTLStore[*authCode](maxCodes, expiredGrace),
		devices:   newTTLStore[*deviceGrant](maxPending, expiredGrace),
		userCodes: newTTLStore[string](maxPending, expiredGrace),
		refresh:   newTTLStore[*refreshGrant](maxRefreshTokens, expiredGrace),
		pending:   newTTLStore[*authorizeRequest](maxPending, 0),
		issuerKeys: newIssuerKeyCache(func() *http.Client {
			if cfg.HTTPClient != nil {
				return cfg.HTTPClient
			}
			return http.DefaultClient
		}),
	}
}

// Reset forgets every code, device code, refresh token, sign-in under way and assertion id,
// freeing their memory (the control API's reset).
func (s *Service) Reset() {
	s.codes.clear()
	s.devices.clear()
	s.userCodes.clear()
	s.refresh.clear()
	s.pending.clear()
}

// Register adds the identity routes to r. The composition root registers the fixed-prefix
// surfaces first, so /{tenant}/… here only sees what they did not claim.
func (s *Service) Register(r *mux.Router) {
	r.HandleFunc(pathUserRealm, s.handleUserRealm).Methods(http.MethodGet)
	r.HandleFunc(pathInstance, s.handleInstanceDiscovery).Methods(http.MethodGet)
	r.HandleFunc(pathOIDCv2, s.handleOpenIDConfiguration(v2)).Methods(http.MethodGet)
	r.HandleFunc(pathOIDCv1, s.handleOpenIDConfiguration(v1)).Methods(http.MethodGet)
	r.HandleFunc(pathKeysV2, s.handleKeys).Methods(http.MethodGet)
	r.HandleFunc(pathKeysV1, s.handleKeys).Methods(http.MethodGet)
	r.HandleFunc(pathAuthorizeV2, s.handleAuthorize(v2)).Methods(http.MethodGet, http.MethodPost)
	r.HandleFunc(pathAuthorizeV1, s.handleAuthorize(v1)).Methods(http.MethodGet, http.MethodPost)
	r.HandleFunc(pathTokenV2, s.handleToken(v2))
	r.HandleFunc(pathTokenV1, s.handleToken(v1))
	r.HandleFunc(pathDeviceCodeV2, s.handleDeviceCode(v2))
	r.HandleFunc(pathDeviceCodeV1, s.handleDeviceCode(v1))
	r.HandleFunc(pathDeviceLogin, s.handleDeviceLogin).Methods(http.MethodGet, http.MethodPost)
	r.HandleFunc(pathLogoutV2, s.handleLogout).Methods(http.MethodGet, http.MethodPost)
	r.HandleFunc(pathLogoutV1, s.handleLogout).Methods(http.MethodGet, http.MethodPost)
}

// endpointVersion is which protocol shape an endpoint speaks.
type endpointVersion int

const (
	v1 endpointVersion = 1
	v2 endpointVersion = 2
)

// knownTenant reports whether the {tenant} segment names this directory: its GUID, one of its
// verified domains, or the multi-tenant aliases organizations and common.
func knownTenant(d *tenant.Directory, seg string) bool {
	seg = strings.ToLower(seg)
	if seg == tenantCommon || seg == tenantOrganizations || seg == strings.ToLower(d.TenantID) {
		return true
	}
	for _, v := range d.Organization.VerifiedDomains {
		if strings.ToLower(v.Name) == seg {
			return true
		}
	}
	return false
}

// checkTenant answers 90002 for a {tenant} segment that is not this directory.
func (s *Service) checkTenant(seg string) *oauthError {
	var known bool
	_ = s.cfg.Store.View(func(d *tenant.Directory) error {
		known = knownTenant(d, seg)
		return nil
	})
	if !known {
		return tenantNotFound(seg)
	}
	return nil
}

// view is what the token service knows of recent directory writes right now.
func (s *Service) view() propagation.View {
	if s.cfg.Propagation == nil {
		return propagation.View{Now: s.cfg.Clock.Now()}
	}
	return s.cfg.Propagation.View()
}

func tenantSegment(r *http.Request) string { return mux.Vars(r)["tenant"] }
