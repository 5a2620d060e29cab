package identity

import (
	"net/url"
	"slices"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// platform is the app-registration platform a redirect URI is registered under; it decides
// whether a code redeemed for it needs client authentication.
type platform string

const (
	platformWeb    platform = "web"
	platformSPA    platform = "spa"
	platformPublic platform = "publicClient"
)

// public reports whether codes for this platform are redeemed without a client credential.
func (p platform) public() bool { return p == platformSPA || p == platformPublic }

// registeredRedirects are an app's redirect URIs by platform.
type registeredRedirects struct {
	Web, SPA, Public []string
}

func redirectsOf(a *tenant.Application) registeredRedirects {
	return registeredRedirects{Web: a.Web.RedirectURIs, SPA: a.Spa.RedirectURIs, Public: a.PublicClient.RedirectURIs}
}

// first is the default redirect URI when a request names none.
func (r registeredRedirects) first() (string, platform, bool) {
	for _, p := range []struct {
		uris []string
		pl   platform
	}{{r.Web, platformWeb}, {r.SPA, platformSPA}, {r.Public, platformPublic}} {
		if len(p.uris) > 0 {
			return p.uris[0], p.pl, true
		}
	}
	return "", "", false
}

// matchRedirect finds the platform of a requested redirect URI. Matching is exact and
// case-sensitive, except that Entra ignores the port of http loopback URIs (localhost and
// 127.0.0.1), because native apps listen on an ephemeral port (reply-url.md, "localhost exceptions").
func matchRedirect(reg registeredRedirects, requested string) (platform, bool) {
	lists := []struct {
		uris []string
		pl   platform
	}{{reg.Web, platformWeb}, {reg.SPA, platformSPA}, {reg.Public, platformPublic}}
	for _, l := range lists {
		if slices.Contains(l.uris, requested) {
			return l.pl, true
		}
	}
	req, ok := loopback(requested)
	if !ok {
		return "", false
	}
	for _, l := range lists {
		for _, u := range l.uris {
			if reg, ok := loopback(u); ok && reg == req {
				return l.pl, true
			}
		}
	}
	return "", false
}

// loopback returns an http loopback URI without its port, or false for any other URI.
func loopback(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Fragment != "" {
		return "", false
	}
	switch u.Hostname() {
	case "localhost", "127.0.0.1", "::1":
	default:
		return "", false
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return "http://" + u.Hostname() + path + "?" + u.RawQuery, true
}
