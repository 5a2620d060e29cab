// Package httpx holds the few HTTP facts every mock surface shares: where a request arrived (so
// absolute URLs follow the host a client used), the bearer token it carries, and JSON answers.
package httpx

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Path prefixes of the surfaces that share the mock's one HTTPS listener.
const (
	GraphPrefix    = "/v1.0"
	DICOMPrefix    = "/dicom/" // followed by <workspace>-<service>, then /v1/… or /v2/…
	ControlPrefix  = "/mock/"
	MaxRequestBody = 8 << 20 // bodies above this get 413 (DICOM uploads included)
)

// HeaderForwardedHost names the host a TLS-terminating proxy was asked for; the server removes it
// from requests unless it was told to trust it.
const HeaderForwardedHost = "X-Forwarded-Host"

// BaseURL is the scheme and host the client used: the mock always serves HTTPS, and behind a
// TLS-terminating proxy under a real name (login.microsoftonline.com) it follows X-Forwarded-Host.
func BaseURL(r *http.Request) string {
	host := r.Host
	if fh := r.Header.Get(HeaderForwardedHost); fh != "" {
		host, _, _ = strings.Cut(fh, ",")
		host = strings.TrimSpace(host)
	}
	return "https://" + host
}

// BearerToken returns the token of an `Authorization: Bearer …` header.
func BearerToken(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// WriteJSON writes v as a JSON answer with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"encoding"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
