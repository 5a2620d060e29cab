package dicomweb

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// Data actions of the DICOM data roles (role-based-access-control/built-in-roles).
const (
	actionAll  = "Microsoft.HealthcareApis/workspaces/dicomservices/resources/*"
	actionRead = "Microsoft.HealthcareApis/workspaces/dicomservices/resources/read"
)

// principal is the caller a valid token names.
type principal struct {
	oid   string
	appID string
}

// authenticate validates the bearer token as the DICOM service does: RS256 by our key, audience
// exactly https://dicom.healthcareapis.azure.com, issued by this tenant, within its lifetime. A
// refusal is 401 with an empty body and the challenge ASP.NET Core's JwtBearer handler writes
// (error and error_description), beside Azure's authorization_uri and resource_id.
func (a *API) authenticate(w http.ResponseWriter, r *http.Request) (principal, bool) {
	var tid string
	_ = a.cfg.Store.View(func(d *tenant.Directory) error { tid = d.TenantID; return nil })
	challenge := fmt.Sprintf(`Bearer authorization_uri="%s/%s", resource_id="%s", realm="%s"`, httpx.BaseURL(r), tid, tenant.DICOMResource, tenant.DICOMResource)
	tok, ok := httpx.BearerToken(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", challenge)
		w.WriteHeader(http.StatusUnauthorized)
		return principal{}, false
	}
	claims, err := a.cfg.Keys.Validate(tok, keys.Expect{
		Audiences: []string{tenant.DICOMResource},
		Issuers:   []string{"https://sts.windows.net/" + tid + "/"},
		Now:       a.cfg.Clock.Now(),
	})
	if err != nil {
		challenge += `, error="invalid_token"`
		if d := jwtBearerDescription(err, tok); d != "" {
			challenge += `, error_description="` + d + `"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
		w.WriteHeader(http.StatusUnauthorized)
		return principal{}, false
	}
	oid, _ := claims["oid"].(string)
	appID, _ := claims["appid"].(string)
	return principal{oid: oid, appID: appID}, true
}

// jwtBearerDescription is the error_description ASP.NET Core's JwtBearerHandler writes for a
// validation failure (CreateErrorDescription); none for a token it cannot read.
func jwtBearerDescription(err error, tok string) string {
	var ite *keys.InvalidTokenError
	if !errors.As(err, &ite) {
		return ""
	}
	claims := unverifiedClaims(tok)
	str := func(k string) string { s, _ := claims[k].(string); return s }
	when := func(k string) string {
		f, _ := claims[k].(float64)
		// DateTime.ToString(CultureInfo.InvariantCulture), in UTC.
		return time.Unix(int64(f), 0).UTC().Format("01/02/2006 15:04:05")
	}
	switch ite.Reason {
	case keys.ReasonAudience:
		return "The audience '" + str("aud") + "' is invalid"
	case keys.ReasonIssuer:
		return "The issuer '" + str("iss") + "' is invalid"
	case keys.ReasonExpired:
		return "The token expired at '" + when("exp") + "'"
	case keys.ReasonNotYet:
		return "The token is not valid before '" + when("nbf") + "'"
	case keys.ReasonKeyID:
		return "The signature key was not found"
	case keys.ReasonSignature, keys.ReasonAlgorithm:
		return "The signature is invalid"
	}
	return ""
}

// unverifiedClaims decodes a JWT's payload without checking it (for the challenge text only).
func unverifiedClaims(tok string) map[string]any {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return m
}

// authorize checks the caller's DICOM data role on the service for what the request does.
func (a *API) authorize(w http.ResponseWriter, r *http.Request, req *request) bool {
	write := r.Method == http.MethodPost || r.Method == http.MethodDelete || r.Method == http.MethodPut
	var actions []string
	_ = a.cfg.Store.View(func(d *tenant.Directory) error {
		for _, id := range a.roles(d, req.caller.oid, req.service.ResourceID()) {
			if def, ok := tenant.BuiltInRoles[strings.ToLower(id)]; ok {
				actions = append(actions, def.DataActions...)
			}
		}
		return nil
	})
	for _, act := range actions {
		if act == actionAll || (!write && act == actionRead) {
			return true
		}
	}
	// UnauthorizedDicomActionException: 403 with the resource text "Authorization failed.".
	writeError(w, http.StatusForbidden, msgForbidden)
	return false
}

func (a *API) roles(d *tenant.Directory, principal, scope string) []string {
	if a.cfg.Roles != nil {
		return a.cfg.Roles(d, principal, scope)
	}
	return d.EffectiveRoles(principal, scope)
}
