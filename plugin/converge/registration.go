package converge

import (
	"errors"
	"io"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// The DICOM resource as the portal's "Azure API for DICOM" picker finds it, and the values the
// engine gives what it makes.
const (
	DICOMResourceURI    = "https://dicom.healthcareapis.azure.com"
	DICOMDisplayName    = "Azure API for DICOM"
	DICOMScope          = "Dicom.ReadWrite"
	PostmanRedirectURI  = "https://www.getpostman.com/oauth2/callback"
	SecretDisplayName   = "dicomreg" // display name of the secrets dicomreg adds, so re-runs find them
	CertificateValidity = 365 * 24 * time.Hour
	SignInAudienceMyOrg = "AzureADMyOrg"
)

// Redirect URI platforms, as the portal's Authentication page names them.
const (
	PlatformMobile = "mobile" // "Mobile and desktop applications": Graph's publicClient
	PlatformWeb    = "web"
	PlatformSPA    = "spa"
)

// Platforms lists the platforms in the portal's order.
var Platforms = []string{PlatformMobile, PlatformWeb, PlatformSPA}

// Registration is what Register converges an app to; the CLI's flags and the -f manifest fill it.
type Registration struct {
	Name              string          `yaml:"name" json:"name"`
	PublicClient      bool            `yaml:"publicClient" json:"publicClient"`
	RedirectURIs      []RedirectEntry `yaml:"redirectUris" json:"redirectUris"`
	Postman           bool            `yaml:"postman" json:"postman"`
	Secret            bool            `yaml:"secret" json:"secret"`
	NewSecret         bool            `yaml:"newSecret" json:"newSecret"`
	SecretOut         string          `yaml:"secretOut" json:"secretOut"`
	Cert              bool            `yaml:"cert" json:"cert"`
	CertOut           string          `yaml:"certOut" json:"certOut"`
	CertFile          string          `yaml:"certFile" json:"certFile"`
	API               string          `yaml:"api" json:"api"`
	Scope             string          `yaml:"scope" json:"scope"`
	NoDICOMPermission bool            `yaml:"noDicomPermission" json:"noDicomPermission"`
	GrantAdminConsent bool            `yaml:"grantAdminConsent" json:"grantAdminConsent"`
	Role              string          `yaml:"role" json:"role"`
	DicomService      string          `yaml:"dicomService" json:"dicomService"`
	// Force replaces existing --secret-out and --cert-out files that hold other content; a
	// command-line choice, never a manifest's.
	Force bool `yaml:"-" json:"-"`
	// Federated says the command gives the app a federated identity credential (--federated)
	// after the engine has run: the app's credential, so it needs no secret or certificate.
	Federated bool `yaml:"-" json:"-"`
}

// RedirectEntry is one redirect URI and its platform.
type RedirectEntry struct {
	URI      string `yaml:"uri" json:"uri"`
	Platform string `yaml:"platform" json:"platform"`
}

// LoadManifest reads YAML (JSON is YAML too) into reg and refuses unknown keys, so a typo is not
// ignored.
func LoadManifest(data []byte, reg *Registration) error {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(reg); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// Validate checks a registration and completes what follows from it: a secret file or a new
// secret asks for a secret, a redirect URI without a platform is a mobile one, --postman adds
// Postman's callback.
func (r *Registration) Validate() error {
	if strings.TrimSpace(r.Name) == "" {
		return Invalidf("--name is required (the app registration's display name)")
	}
	if r.SecretOut != "" || r.NewSecret {
		r.Secret = true
	}
	if r.Cert && r.CertFile != "" {
		return Invalidf("--cert makes a certificate and --cert-file uploads one: give only one")
	}
	if r.Role != "" && r.DicomService == "" {
		return Invalidf("--role needs --dicom-service (the DICOM service's ARM id)")
	}
	if r.Role != "" {
		if err := CheckDICOMServiceID(r.DicomService); err != nil {
			return err
		}
	}
	if r.NoDICOMPermission && r.GrantAdminConsent {
		return Invalidf("--grant-admin-consent needs the API permission (drop --no-dicom-permission)")
	}
	entries, err := RedirectEntries(r.RedirectURIs, r.Postman)
	r.RedirectURIs = entries
	return err
}

// RedirectEntries checks redirect URIs and their platforms (an empty one is mobile) and adds
// Postman's callback when postman is set.
func RedirectEntries(in []RedirectEntry, postman bool) ([]RedirectEntry, error) {
	var out []RedirectEntry
	for _, e := range in {
		if e.Platform == "" {
			e.Platform = PlatformMobile
		}
		if !IsPlatform(e.Platform) {
			return nil, Invalidf("--platform %q: use mobile, web or spa", e.Platform)
		}
		if !strings.Contains(e.URI, ":") {
			return nil, Invalidf("--redirect-uri %q is not a URI", e.URI)
		}
		out = append(out, e)
	}
	if postman {
		out = append(out, RedirectEntry{URI: PostmanRedirectURI, Platform: PlatformMobile})
	}
	return out, nil
}

// IsPlatform says whether p names a redirect URI platform.
func IsPlatform(p string) bool {
	return p == PlatformMobile || p == PlatformWeb || p == PlatformSPA
}
