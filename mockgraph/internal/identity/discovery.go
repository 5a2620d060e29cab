package identity

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// Values Entra's discovery documents carry for the public cloud.
const (
	cloudInstanceName = "microsoftonline.com"
	cloudAudienceURN  = "urn:federation:MicrosoftOnline"
	cloudGraphHost    = "graph.windows.net"
	msGraphHost       = "graph.microsoft.com"
	// tenantPlaceholder is what Entra puts in multi-tenant documents' issuer in place of a GUID.
	tenantPlaceholder = "{tenantid}"
)

// issuerV1 is the issuer of v1 tokens: always the real STS host, whatever host served the request.
func issuerV1(tid string) string { return "https://sts.windows.net/" + tid + "/" }

// issuerV2 is the issuer of v2 tokens and id_tokens; it follows the host the client used, so
// MSAL's "issuer matches authority" check passes.
func issuerV2(base, tid string) string { return base + "/" + tid + "/v2.0" }

// handleOpenIDConfiguration serves the OIDC discovery document of either endpoint version.
func (s *Service) handleOpenIDConfiguration(ver endpointVersion) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		seg := tenantSegment(r)
		var tid string
		var known bool
		_ = s.cfg.Store.View(func(d *tenant.Directory) error {
			known, tid = knownTenant(d, seg), d.TenantID
			return nil
		})
		if !known {
			s.writeError(w, r, tenantNotFound(seg))
			return
		}
		if l := strings.ToLower(seg); l == tenantCommon || l == tenantOrganizations {
			tid = tenantPlaceholder
		}
		base := httpx.BaseURL(r)
		root := base + "/" + seg
		doc := map[string]any{
			"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
			"response_modes_supported":              []string{"query", "fragment", "form_post"},
			"subject_types_supported":               []string{"pairwise"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
			"http_logout_supported":                 true,
			"frontchannel_logout_supported":         true,
			"request_uri_parameter_supported":       false,
			"tenant_region_scope":                   "EU",
			"cloud_instance_name":                   cloudInstanceName,
			"cloud_graph_host_name":                 cloudGraphHost,
			"msgraph_host":                          msGraphHost,
			"rbac_url":                              "https://pas.windows.net",
		}
		if ver == v2 {
			doc["issuer"] = issuerV2(base, tid)
			doc["authorization_endpoint"] = root + "/oauth2/v2.0/authorize"
			doc["token_endpoint"] = root + "/oauth2/v2.0/token"
			doc["device_authorization_endpoint"] = root + "/oauth2/v2.0/devicecode"
			doc["end_session_endpoint"] = root + "/oauth2/v2.0/logout"
			doc["jwks_uri"] = root + "/discovery/v2.0/keys"
			doc["scopes_supported"] = []string{"openid", "profile", "email", "offline_access"}
			doc["claims_supported"] = []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
				"msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"}
		} else {
			doc["issuer"] = issuerV1(tid)
			doc["authorization_endpoint"] = root + "/oauth2/authorize"
			doc["token_endpoint"] = root + "/oauth2/token"
			doc["device_authorization_endpoint"] = root + "/oauth2/devicecode"
			doc["end_session_endpoint"] = root + "/oauth2/logout"
			doc["jwks_uri"] = root + "/discovery/keys"
			doc["scopes_supported"] = []string{"openid"}
			doc["claims_supported"] = []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
				"msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "amr", "nonce", "email", "given_name", "family_name", "nickname"}
		}
		httpx.WriteJSON(w, http.StatusOK, doc)
	}
}

// handleKeys serves the JWKS; every tenant segment (and common) publishes the same key set.
func (s *Service) handleKeys(w http.ResponseWriter, r *http.Request) {
	if e := s.checkTenant(tenantSegment(r)); e != nil {
		s.writeError(w, r, e)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(s.cfg.Keys.JWKS())
}

// handleInstanceDiscovery answers MSAL's instance discovery: this host is its own only alias.
func (s *Service) handleInstanceDiscovery(w http.ResponseWriter, r *http.Request) {
	base := httpx.BaseURL(r)
	host := strings.TrimPrefix(base, "https://")
	seg := tenantSegment(r)
	if ae := r.URL.Query().Get("authorization_endpoint"); ae != "" {
		if u, err := url.Parse(ae); err == nil {
			if first, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/"); first != "" {
				seg = first
			}
		}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": base + "/" + url.PathEscape(seg) + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata": []map[string]any{{
			"preferred_network": host, "preferred_cache": host, "aliases": []string{host},
		}},
	})
}

// handleUserRealm tells a password-flow client that the user's domain is managed (not federated).
func (s *Service) handleUserRealm(w http.ResponseWriter, r *http.Request) {
	user, err := url.PathUnescape(mux.Vars(r)["user"])
	if err != nil {
		user = mux.Vars(r)["user"]
	}
	_, domain, _ := strings.Cut(user, "@")
	var managed bool
	var brand string
	_ = s.cfg.Store.View(func(d *tenant.Directory) error {
		brand = d.Organization.DisplayName
		for _, v := range d.Organization.VerifiedDomains {
			if strings.EqualFold(v.Name, domain) {
				managed = true
			}
		}
		return nil
	})
	accountType := "Unknown"
	if managed {
		accountType = "Managed"
	}
	if r.URL.Query().Get("api-version") == "2.0" {
		httpx.WriteJSON(w, http.StatusOK, map[string]any{
			"NameSpaceType": accountType, "Login": user, "DomainName": domain,
			"FederationBrandName": brand, "TenantBrandingInfo": nil, "cloud_instance_name": cloudInstanceName,
		})
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{
		"ver": "1.0", "account_type": accountType, "domain_name": domain,
		"cloud_instance_name": cloudInstanceName, "cloud_audience_urn": cloudAudienceURN,
	})
}

// handleLogout ends the (stateless) session and follows post_logout_redirect_uri when given.
func (s *Service) handleLogout(w http.ResponseWriter, r *http.Request) {
	if e := s.checkTenant(tenantSegment(r)); e != nil {
		s.renderError(w, r, e)
		return
	}
	if to := r.FormValue("post_logout_redirect_uri"); to != "" {
		if u, err := url.Parse(to); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
			http.Redirect(w, r, u.String(), http.StatusFound)
			return
		}
	}
	s.renderPage(w, http.StatusOK, page{Title: "Signed out", Message: "You signed out of your account."})
}
