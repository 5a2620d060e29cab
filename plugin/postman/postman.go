// Package postman builds, from an app registration, a Postman environment and a DICOMweb v2
// collection (store, search, retrieve, metadata) whose auth is OAuth 2.0 set up for the app: the
// authorization and token URLs of its tenant, its client id, the DICOM scope and Postman's
// callback. It builds bytes, and recognises its own when a caller is about to replace a file
// (ours.go); callers write them (secret-bearing files 0600).
//
// Formats: Postman collection v2.1 (schema.getpostman.com/json/collection/v2.1.0) and Postman's
// environment export. Newman runs the collection unchanged.
package postman

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// CallbackURL is Postman's OAuth 2.0 callback (the redirect URI the portal flow registers).
const CallbackURL = "https://oauth.pstmn.io/v1/callback"

// DICOMScope is the delegated scope of the Azure DICOM service.
const DICOMScope = "https://dicom.healthcareapis.azure.com/.default"

// Variable names the collection uses; the environment defines them.
const (
	VarTenantID     = "tenantId"
	VarClientID     = "clientId"
	VarClientSecret = "clientSecret"
	VarAuthURL      = "authUrl"
	VarTokenURL     = "tokenUrl"
	VarScope        = "scope"
	VarCallbackURL  = "callbackUrl"
	VarDICOMURL     = "dicomUrl"
	VarAccessToken  = "accessToken"
	VarStudyUID     = "studyUid"
	VarSeriesUID    = "seriesUid"
	VarInstanceUID  = "instanceUid"
)

// Registration is what the files are built from.
type Registration struct {
	Name          string // the app's display name; names the collection and environment
	TenantID      string
	ClientID      string
	AuthorityHost string // e.g. https://login.microsoftonline.com/
	DICOMURL      string // the DICOM service's base URL, without /v2
	Scope         string // default DICOMScope
	CallbackURL   string // default CallbackURL
	// ClientSecret goes into the environment only when the caller asks for it.
	ClientSecret string
}

func (r Registration) check() error {
	var missing []string
	for name, v := range map[string]string{"name": r.Name, "tenant id": r.TenantID, "client id": r.ClientID, "authority host": r.AuthorityHost, "DICOM URL": r.DICOMURL} {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("postman: the registration lacks %s", strings.Join(missing, ", "))
	}
	for _, u := range []string{r.AuthorityHost, r.DICOMURL} {
		if p, err := url.Parse(u); err != nil || p.Scheme != "https" || p.Host == "" {
			return fmt.Errorf("postman: %q is not an https URL", u)
		}
	}
	return nil
}

func (r Registration) withDefaults() Registration {
	if r.Scope == "" {
		r.Scope = DICOMScope
	}
	if r.CallbackURL == "" {
		r.CallbackURL = CallbackURL
	}
	r.AuthorityHost = strings.TrimSuffix(r.AuthorityHost, "/") + "/"
	r.DICOMURL = strings.TrimSuffix(strings.TrimSuffix(r.DICOMURL, "/"), "/v2")
	return r
}

// envValue is one variable of a Postman environment.
type envValue struct {
	Key     string `json:"key"`
	Value   string `json:"value"`
	Type    string `json:"type"` // "default" or "secret" (masked in Postman's UI)
	Enabled bool   `json:"enabled"`
}

// Environment builds the Postman environment. The client secret is in it only when withSecret
// is true and the registration carries one; the file is then as secret as the secret.
func Environment(r Registration, withSecret bool) ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if withSecret && r.ClientSecret == "" {
		return nil, errors.New("postman: a secret was asked for, but the registration has none")
	}
	r = r.withDefaults()
	authority := r.AuthorityHost + r.TenantID + "/oauth2/v2.0/"
	vals := []envValue{
		{VarTenantID, r.TenantID, "default", true},
		{VarClientID, r.ClientID, "default", true},
		{VarAuthURL, authority + "authorize", "default", true},
		{VarTokenURL, authority + "token", "default", true},
		{VarScope, r.Scope, "default", true},
		{VarCallbackURL, r.CallbackURL, "default", true},
		{VarDICOMURL, r.DICOMURL, "default", true},
		{VarAccessToken, "", "secret", true},
		{VarStudyUID, "", "default", true},
		{VarSeriesUID, "", "default", true},
		{VarInstanceUID, "", "default", true},
	}
	secret := ""
	if withSecret {
		secret = r.ClientSecret
	}
	vals = append(vals, envValue{VarClientSecret, secret, "secret", true})
	return marshal(map[string]any{
		"id": stableID("environment", r.TenantID, r.ClientID), "name": environmentName(r.Name), "values": vals,
		"_postman_variable_scope": "environment", "_postman_exported_using": exportedUsing,
	})
}

// exportedUsing marks an environment this package built.
const exportedUsing = "dicomreg"

func environmentName(app string) string { return app + " (dicomreg)" }

// HasSecret reports whether an environment built with these arguments holds the client secret.
func HasSecret(r Registration, withSecret bool) bool { return withSecret && r.ClientSecret != "" }

func marshal(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// stableID is a UUID-shaped id derived from its inputs, so exporting twice gives the same file
// (Postman replaces an imported collection or environment with the same id).
func stableID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "|")))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
