package graphapi

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// codeHostNotVerified is Graph's code for an http(s) identifier URI outside the tenant's
// verified domains (reference-breaking-changes.md, October 2021).
const codeHostNotVerified = "HostNameNotOnVerifiedDomain"

// checkIdentifierURIs applies Entra's rules to the identifier URIs a write sets on app (old: the
// stored version, nil on create):
//   - each is an absolute URI, none repeated;
//   - an http(s) URI added by this write is on a verified domain of the tenant or a subdomain of
//     one (URIs the app already held are grandfathered, as Entra does);
//   - no other object in the tenant holds it: not another application, and not a service
//     principal of another app — first-party names such as https://graph.microsoft.com or
//     https://dicom.healthcareapis.azure.com included, though no application object in the
//     tenant holds them.
//
// Sources: learn.microsoft.com/entra/identity-platform/identifier-uri-restrictions,
// reference-breaking-changes.md ("AppId Uri in single tenant applications will require use of
// default scheme or verified domains").
func checkIdentifierURIs(d *tenant.Directory, app, old *tenant.Application) error {
	for i, u := range app.IdentifierURIs {
		if strings.TrimSpace(u) == "" || slices.ContainsFunc(app.IdentifierURIs[:i], func(p string) bool { return strings.EqualFold(p, u) }) {
			return invalidValue("identifierUris", resApplication)
		}
		parsed, err := url.Parse(u)
		if err != nil || parsed.Scheme == "" || parsed.Host == "" && parsed.Opaque == "" {
			return invalidValue("identifierUris", resApplication)
		}
		held := old != nil && slices.ContainsFunc(old.IdentifierURIs, func(p string) bool { return strings.EqualFold(p, u) })
		scheme := strings.ToLower(parsed.Scheme)
		if !held && (scheme == "https" || scheme == "http") && !onVerifiedDomain(d, parsed.Hostname()) {
			return newErr(http.StatusBadRequest, codeHostNotVerified,
				"Values of identifierUris property must use a verified domain of the organization or its subdomain: '%s'", u)
		}
		if other := d.ApplicationByIdentifierURI(u); other != nil && other.ID != app.ID {
			return conflict("identifierUris")
		}
		if sp := d.ServicePrincipalByName(u); sp != nil && !strings.EqualFold(sp.AppID, app.AppID) {
			return conflict("identifierUris")
		}
	}
	return nil
}

// onVerifiedDomain reports whether host is one of the tenant's verified domains or a subdomain
// of one.
func onVerifiedDomain(d *tenant.Directory, host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, v := range d.Organization.VerifiedDomains {
		dom := strings.ToLower(v.Name)
		if host == dom || strings.HasSuffix(host, "."+dom) {
			return true
		}
	}
	return false
}

// servicePrincipalNames is what a new service principal of app is known by: its appId and its
// identifier URIs (servicePrincipal.md: "copied over from the associated application").
func servicePrincipalNames(app *tenant.Application) []string {
	return append([]string{app.AppID}, app.IdentifierURIs...)
}

// namesInUse refuses a service principal whose names another principal already holds: a
// principal never takes over a name it does not own.
func namesInUse(d *tenant.Directory, spID string, names []string) error {
	for _, n := range names {
		if other := d.ServicePrincipalByName(n); other != nil && other.ID != spID {
			return newErr(http.StatusConflict, codeConflict,
				"The service principal cannot be created, updated, or restored because the service principal name %s is already in use.", n)
		}
	}
	return nil
}
