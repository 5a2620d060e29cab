package graphapi

import (
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// Entra's limits on an application's names and lists.
const (
	// maxDisplayName: "Maximum length is 256 characters" (application resource, displayName).
	maxDisplayName = 256
	// maxRedirectURI and the redirect URI counts: reply-url.md ("Maximum URI length",
	// "Maximum number of redirect URIs": 256 for work or school accounts, 100 with personal ones).
	maxRedirectURI            = 256
	maxRedirectURIsOrg        = 256
	maxRedirectURIsPersonal   = 100
	redirectForbiddenSpecials = "!$'(),;"
	// maxTag, maxTags, maxIdentifierURIs: not documented; the mock's bounds (FIDELITY.md).
	maxTag            = 256
	maxTags           = 1000
	maxIdentifierURIs = 100
)

// checkLimits refuses names and lists longer than Entra allows and redirect URIs it refuses.
func checkLimits(app *tenant.Application, set []string) error {
	for _, prop := range set {
		switch prop {
		case "displayName":
			if utf8.RuneCountInString(app.DisplayName) > maxDisplayName {
				return invalidValue("displayName", resApplication)
			}
		case "tags":
			if len(app.Tags) > maxTags || slices.ContainsFunc(app.Tags, func(t string) bool { return utf8.RuneCountInString(t) > maxTag }) {
				return invalidValue("tags", resApplication)
			}
		case "identifierUris":
			if len(app.IdentifierURIs) > maxIdentifierURIs {
				return invalidValue("identifierUris", resApplication)
			}
		case "web", "spa", "publicClient":
			if err := checkRedirectURIs(app); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkRedirectURIs applies reply-url.md: at most 256 characters each, at most 256 (100 when
// personal accounts sign in) in all; https, or http on localhost; public clients may use a
// custom scheme, but never script or data URIs; no fragment, no wildcard, none of ! $ ' ( ) , ;.
func checkRedirectURIs(app *tenant.Application) error {
	limit := maxRedirectURIsOrg
	if strings.Contains(app.SignInAudience, "Personal") {
		limit = maxRedirectURIsPersonal
	}
	total := len(app.Web.RedirectURIs) + len(app.Spa.RedirectURIs) + len(app.PublicClient.RedirectURIs)
	if total > limit {
		return invalidValue("redirectUris", resApplication)
	}
	for prop, uris := range map[string][]string{"web.redirectUris": app.Web.RedirectURIs, "spa.redirectUris": app.Spa.RedirectURIs, "publicClient.redirectUris": app.PublicClient.RedirectURIs} {
		public := prop == "publicClient.redirectUris"
		for _, u := range uris {
			if !redirectURIAllowed(u, public) {
				return invalidValue(prop, resApplication)
			}
		}
	}
	return nil
}

func redirectURIAllowed(raw string, public bool) bool {
	if raw == "" || len(raw) > maxRedirectURI || strings.ContainsAny(raw, redirectForbiddenSpecials+"*#") {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return false
	}
	switch scheme := strings.ToLower(u.Scheme); scheme {
	case "https":
		return u.Host != ""
	case "http":
		h := u.Hostname()
		return h == "localhost" || h == "127.0.0.1" || h == "[::1]" || h == "::1"
	case "javascript", "data", "vbscript", "file":
		return false
	default:
		return public
	}
}
