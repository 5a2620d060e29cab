package identity

import (
	"slices"
	"strings"
)

// OIDC scopes: they ask for an id_token, a refresh token or profile claims, not for a resource.
const (
	scopeOpenID        = "openid"
	scopeProfile       = "profile"
	scopeEmail         = "email"
	scopeOfflineAccess = "offline_access"
	scopeDefault       = ".default"

	// graphResource is where a scope without a resource prefix (User.Read) points, as in Entra.
	graphResource = "https://graph.microsoft.com"
	maxScopeLen   = 4096
)

var oidcScopes = []string{scopeOpenID, scopeProfile, scopeEmail, scopeOfflineAccess}

// scopeRequest is a parsed scope parameter: one resource and the permissions asked of it.
type scopeRequest struct {
	OIDC     []string // openid, profile, email, offline_access, as asked
	Resource string   // identifier as the client spelled it (URI or appId); "" for OIDC-only requests
	Scopes   []string // permission values on Resource; empty with Default
	Default  bool     // <resource>/.default: everything statically configured or consented
}

func (s scopeRequest) has(oidc string) bool { return slices.Contains(s.OIDC, oidc) }

// parseScope splits a space-separated scope parameter. Entra allows one resource per request.
func parseScope(raw string) (scopeRequest, *oauthError) {
	var out scopeRequest
	if len(raw) > maxScopeLen {
		return out, invalidScope(raw)
	}
	for _, c := range raw {
		if c < 0x20 || c == 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' {
			return out, invalidScope(raw)
		}
	}
	for _, tok := range strings.Fields(raw) {
		if slices.Contains(oidcScopes, strings.ToLower(tok)) {
			if l := strings.ToLower(tok); !slices.Contains(out.OIDC, l) {
				out.OIDC = append(out.OIDC, l)
			}
			continue
		}
		res, value := splitScope(tok)
		if res == "" || value == "" {
			return out, invalidScope(raw)
		}
		if out.Resource != "" && !strings.EqualFold(out.Resource, res) {
			return out, badRequest(errInvalidScope, codeMultipleResources,
				"Provided value for the input parameter scope '%s' is not valid because it contains more than one resource. The scope %s is not valid.", sanitize(raw), sanitize(raw))
		}
		out.Resource = res
		if value == scopeDefault {
			out.Default = true
		} else if !slices.Contains(out.Scopes, value) {
			out.Scopes = append(out.Scopes, value)
		}
	}
	if out.Default && len(out.Scopes) > 0 {
		return out, invalidScope(raw)
	}
	return out, nil
}

// splitScope cuts "https://host/path/Value" at its last slash into resource and value; a bare
// value belongs to Microsoft Graph, and a bare GUID names a resource by appId (meaning .default).
func splitScope(tok string) (resource, value string) {
	i := strings.LastIndex(tok, "/")
	if i < 0 {
		if isGUID(tok) {
			return tok, scopeDefault
		}
		if tok == scopeDefault {
			return "", ""
		}
		return graphResource, tok
	}
	return tok[:i], tok[i+1:]
}

func invalidScope(raw string) *oauthError {
	return badRequest(errInvalidScope, codeInvalidScope, "The provided value for the input parameter 'scope' is not valid. The scope '%s' is not valid.", sanitize(raw))
}

// isGUID reports whether s has the 8-4-4-4-12 hex form.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}
