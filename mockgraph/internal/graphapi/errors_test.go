package graphapi

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// TestErrorBodies covers every error the surface produces: status, code, message and Graph's
// envelope with innerError (date, request-id, client-request-id echoed).
func TestErrorBodies(t *testing.T) {
	e := newEnv(t)
	app := e.createApp("target", nil)
	id := app.str("id")
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(bytes.Repeat([]byte(" "), maxBody+10))
	_ = zw.Close()
	grant := map[string]any{"clientId": e.seed.AdminSPID, "resourceId": e.seed.DICOMPrincipalID, "consentType": "AllPrincipals", "scope": "Dicom.ReadWrite"}

	tests := []struct {
		name         string
		method, path string
		body         any
		headers      []string
		status       int
		code, msg    string
	}{
		{"no token", "GET", "/v1.0/applications", nil, []string{"Authorization", ""}, 401, codeInvalidToken, msgTokenEmpty},
		{"not a JWT", "GET", "/v1.0/applications", nil, []string{"Authorization", "Bearer abc"}, 401, codeInvalidToken, "IDX14100"},
		{"expired", "GET", "/v1.0/applications", nil, []string{"Authorization", "Bearer " + e.token(map[string]any{"exp": e.clock.Now().Add(-time.Hour).Unix()})}, 401, codeInvalidToken, msgTokenExpired},
		{"not yet valid", "GET", "/v1.0/applications", nil, []string{"Authorization", "Bearer " + e.token(map[string]any{"nbf": e.clock.Now().Add(time.Hour).Unix()})}, 401, codeInvalidToken, msgTokenExpired},
		{"DICOM audience", "GET", "/v1.0/applications", nil, []string{"Authorization", "Bearer " + e.token(map[string]any{"aud": tenant.DICOMResource})}, 401, codeInvalidToken, msgTokenAud},
		{"other tenant", "GET", "/v1.0/applications", nil, []string{"Authorization", "Bearer " + e.token(map[string]any{"iss": "https://sts.windows.net/00000000-0000-0000-0000-000000000000/"})}, 401, codeInvalidToken, msgTokenFailure},
		{"v2 issuer", "GET", "/v1.0/applications", nil, []string{"Authorization", "Bearer " + e.token(map[string]any{"iss": "https://login.microsoftonline.com/" + e.tid + "/v2.0"})}, 401, codeInvalidToken, msgTokenFailure},
		{"no roles", "GET", "/v1.0/applications", nil, []string{"Authorization", "Bearer " + e.token(map[string]any{"roles": nil})}, 403, codeDenied, msgDenied},
		{"read-only role writes", "POST", "/v1.0/applications", map[string]any{"displayName": "x"}, []string{"Authorization", "Bearer " + e.token(map[string]any{"roles": []any{"Application.Read.All"}})}, 403, codeDenied, msgDenied},
		{"user without scope", "GET", "/v1.0/applications", nil, []string{"Authorization", "Bearer " + e.token(map[string]any{"scp": "User.Read", "roles": nil})}, 403, codeDenied, msgDenied},
		{"grant without grant role", "POST", "/v1.0/oauth2PermissionGrants", grant, []string{"Authorization", "Bearer " + e.token(map[string]any{"roles": []any{"Application.ReadWrite.All"}})}, 403, codeDenied, msgDenied},
		{"assignment without role", "POST", "/v1.0/servicePrincipals/" + e.seed.AdminSPID + "/appRoleAssignments", map[string]any{}, []string{"Authorization", "Bearer " + e.token(map[string]any{"roles": []any{"Application.ReadWrite.All"}})}, 403, codeDenied, msgDenied},
		{"unknown id", "GET", "/v1.0/applications/nope", nil, nil, 404, codeNotFound, "Resource 'nope' does not exist or one of its queried reference-property objects are not present."},
		{"unknown appId", "GET", "/v1.0/applications(appId='nope')", nil, nil, 404, codeNotFound, "Resource 'nope' does not exist"},
		{"bad key", "GET", "/v1.0/applications(appId=nope)", nil, nil, 400, "BadRequest", "Bad key segment"},
		{"unknown key property", "GET", "/v1.0/applications(displayName='x')", nil, nil, 400, "BadRequest", "not a key property"},
		{"unknown segment", "GET", "/v1.0/widgets", nil, nil, 400, "BadRequest", "Resource not found for the segment 'widgets'."},
		{"wrong method", "PUT", "/v1.0/applications/" + id, map[string]any{}, nil, 405, codeRequestBadRequest, msgMethod},
		{"bad JSON", "POST", "/v1.0/applications", "{", nil, 400, "BadRequest", msgBadJSON},
		{"not an object", "POST", "/v1.0/applications", "[]", nil, 400, "BadRequest", msgBadJSON},
		{"trailing data", "POST", "/v1.0/applications", `{"displayName":"a"} {}`, nil, 400, "BadRequest", msgBadJSON},
		{"bad gzip", "POST", "/v1.0/applications", "not gzip", []string{"Content-Encoding", "gzip"}, 400, "BadRequest", msgBadJSON},
		{"unknown encoding", "POST", "/v1.0/applications", "{}", []string{"Content-Encoding", "br"}, 415, codeUnsupportedMediaTyp, "Content-Encoding 'br'"},
		{"too large", "POST", "/v1.0/applications", strings.Repeat(" ", maxBody+1), nil, 413, codeTooLarge, "maximum size"},
		{"too large gzipped", "POST", "/v1.0/applications", zipped.Bytes(), []string{"Content-Encoding", "gzip"}, 413, codeTooLarge, "maximum size"},
		{"unknown property", "POST", "/v1.0/applications", map[string]any{"displayName": "a", "color": "red"}, nil, 400, codeRequestBadRequest, "Property 'color' does not exist"},
		{"unknown nested property", "POST", "/v1.0/applications", map[string]any{"displayName": "a", "web": map[string]any{"color": "red"}}, nil, 400, codeRequestBadRequest, "Property 'color' does not exist"},
		{"read-only id", "POST", "/v1.0/applications", map[string]any{"displayName": "a", "id": "x"}, nil, 400, codeRequestBadRequest, "Property 'id' is read-only"},
		{"read-only appId", "PATCH", "/v1.0/applications/" + id, map[string]any{"appId": "x"}, nil, 400, codeRequestBadRequest, "Property 'appId' is read-only"},
		{"read-only createdDateTime", "PATCH", "/v1.0/applications/" + id, map[string]any{"createdDateTime": "2020-01-01T00:00:00Z"}, nil, 400, codeRequestBadRequest, "Property 'createdDateTime' is read-only"},
		{"passwordCredentials by PATCH", "PATCH", "/v1.0/applications/" + id, map[string]any{"passwordCredentials": []any{}}, nil, 400, codeRequestBadRequest, "Property 'passwordCredentials' is read-only"},
		{"wrong type", "POST", "/v1.0/applications", map[string]any{"displayName": 7}, nil, 400, codeRequestBadRequest, "Invalid value specified for property 'displayName' of resource 'Application'."},
		{"bad date", "POST", "/v1.0/applications/" + id + "/addPassword", map[string]any{"passwordCredential": map[string]any{"endDateTime": "soon"}}, nil, 400, codeRequestBadRequest, "Invalid value"},
		{"no displayName", "POST", "/v1.0/applications", map[string]any{}, nil, 400, codeRequestBadRequest, "property 'displayName'"},
		{"bad signInAudience", "POST", "/v1.0/applications", map[string]any{"displayName": "a", "signInAudience": "Everyone"}, nil, 400, codeRequestBadRequest, "property 'signInAudience'"},
		{"bad resourceAccess type", "POST", "/v1.0/applications", map[string]any{"displayName": "a", "requiredResourceAccess": []any{map[string]any{"resourceAppId": tenant.DICOMAppID, "resourceAccess": []any{map[string]any{"id": tenant.DICOMReadWriteID, "type": "Delegated"}}}}}, nil, 400, codeRequestBadRequest, "property 'requiredResourceAccess'"},
		{"bad filter", "GET", "/v1.0/applications?$filter=appId eq", nil, nil, 400, "BadRequest", "Invalid filter clause"},
		{"unsupported filter", "GET", "/v1.0/applications?$filter=createdDateTime eq 'x'", nil, nil, 400, "Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified for property 'createdDateTime' of resource 'Application'."},
		{"unknown filter property", "GET", "/v1.0/servicePrincipals?$filter=color eq 'x'", nil, nil, 400, codeRequestBadRequest, "Could not find a property named 'color' on type 'microsoft.graph.servicePrincipal'."},
		{"bad select", "GET", "/v1.0/applications/" + id + "?$select=color", nil, nil, 400, codeRequestBadRequest, "Could not find a property named 'color' on type 'microsoft.graph.application'."},
		{"bad top", "GET", "/v1.0/applications?$top=1000", nil, nil, 400, codeRequestBadRequest, "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive."},
		{"count without eventual", "GET", "/v1.0/applications?$count=true", nil, nil, 400, codeRequestBadRequest, "$count is not currently supported."},
		{"ne without advanced query", "GET", "/v1.0/applications?$filter=displayName ne 'x'", nil, nil, 400, "Request_UnsupportedQuery", "Operator 'ne' is not supported because the required parameters might be missing."},
		{"bad orderby", "GET", "/v1.0/oauth2PermissionGrants?$orderby=scope", nil, nil, 400, "Request_UnsupportedQuery", "Sorting not supported for current query."},
		{"SP without app", "POST", "/v1.0/servicePrincipals", map[string]any{"appId": "11111111-1111-1111-1111-111111111111"}, nil, 400, codeRequestBadRequest, "The appId '11111111-1111-1111-1111-111111111111' of the service principal does not reference a valid application object."},
		{"duplicate SP", "POST", "/v1.0/servicePrincipals", map[string]any{"appId": e.seed.AdminAppID}, nil, 409, codeConflict, "The service principal cannot be created, updated, or restored because the service principal name " + e.seed.AdminAppID + " is already in use."},
		{"SP read-only names", "POST", "/v1.0/servicePrincipals", map[string]any{"appId": app.str("appId"), "servicePrincipalNames": []string{"x"}}, nil, 400, codeRequestBadRequest, "Property 'servicePrincipalNames' is read-only"},
		{"grant unknown client", "POST", "/v1.0/oauth2PermissionGrants", map[string]any{"clientId": "x", "resourceId": e.seed.DICOMPrincipalID, "consentType": "AllPrincipals", "scope": "a"}, nil, 400, codeRequestBadRequest, "property 'clientId'"},
		{"grant unknown resource", "POST", "/v1.0/oauth2PermissionGrants", map[string]any{"clientId": e.seed.AdminSPID, "resourceId": "x", "consentType": "AllPrincipals", "scope": "a"}, nil, 400, codeRequestBadRequest, "property 'resourceId'"},
		{"grant bad consentType", "POST", "/v1.0/oauth2PermissionGrants", map[string]any{"clientId": e.seed.AdminSPID, "resourceId": e.seed.DICOMPrincipalID, "consentType": "Everyone", "scope": "a"}, nil, 400, codeRequestBadRequest, "property 'consentType'"},
		{"grant Principal without user", "POST", "/v1.0/oauth2PermissionGrants", map[string]any{"clientId": e.seed.AdminSPID, "resourceId": e.seed.DICOMPrincipalID, "consentType": "Principal", "scope": "a"}, nil, 400, codeRequestBadRequest, "property 'principalId'"},
		{"grant AllPrincipals with user", "POST", "/v1.0/oauth2PermissionGrants", map[string]any{"clientId": e.seed.AdminSPID, "resourceId": e.seed.DICOMPrincipalID, "consentType": "AllPrincipals", "principalId": e.seed.TestUserID, "scope": "a"}, nil, 400, codeRequestBadRequest, "property 'principalId'"},
		{"grant read-only id", "POST", "/v1.0/oauth2PermissionGrants", map[string]any{"id": "x"}, nil, 400, codeRequestBadRequest, "Property 'id' is read-only"},
		{"unknown grant", "GET", "/v1.0/oauth2PermissionGrants/nope", nil, nil, 404, codeNotFound, "Resource 'nope'"},
		{"grant PATCH clientId", "PATCH", "/v1.0/oauth2PermissionGrants/nope", map[string]any{"clientId": "x"}, nil, 404, codeNotFound, "Resource 'nope'"},
		{"unknown role", "POST", "/v1.0/servicePrincipals/" + e.seed.AdminSPID + "/appRoleAssignments", map[string]any{"principalId": e.seed.AdminSPID, "resourceId": e.seed.GraphPrincipalID, "appRoleId": "11111111-1111-1111-1111-111111111111"}, nil, 400, codeRequestBadRequest, "Permission being assigned was not found on application '" + tenant.GraphAppID + "'."},
		{"duplicate role", "POST", "/v1.0/servicePrincipals/" + e.seed.AdminSPID + "/appRoleAssignments", map[string]any{"principalId": e.seed.AdminSPID, "resourceId": e.seed.GraphPrincipalID, "appRoleId": tenant.RoleApplicationReadWriteAll}, nil, 409, codeConflict, "Permission being assigned already exists on the object"},
		{"assignment for another principal", "POST", "/v1.0/servicePrincipals/" + e.seed.AdminSPID + "/appRoleAssignments", map[string]any{"principalId": e.seed.DICOMPrincipalID, "resourceId": e.seed.GraphPrincipalID, "appRoleId": tenant.RoleApplicationReadAll}, nil, 400, codeRequestBadRequest, "property 'principalId'"},
		{"unknown organization", "GET", "/v1.0/organization/nope", nil, nil, 404, codeNotFound, "Resource 'nope'"},
		{"removePassword without keyId", "POST", "/v1.0/applications/" + id + "/removePassword", map[string]any{}, nil, 400, codeRequestBadRequest, "property 'keyId'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := append([]string{headerClientRequestID, "crid-" + tt.name}, tt.headers...)
			res := e.call(tt.method, tt.path, tt.body, headers...).must(t, tt.status)
			code, msg := res.errorCode()
			if code != tt.code || !strings.Contains(msg, tt.msg) {
				t.Errorf("error %q %q, want %q containing %q", code, msg, tt.code, tt.msg)
			}
			inner, _ := res.body["error"].(map[string]any)["innerError"].(map[string]any)
			if inner["client-request-id"] != "crid-"+tt.name || inner["request-id"] == "" || inner["request-id"] != res.header.Get(headerRequestID) ||
				inner["date"] != e.clock.Now().Format(innerErrorDate) {
				t.Errorf("innerError %v (request-id header %q)", inner, res.header.Get(headerRequestID))
			}
			if res.header.Get(headerClientRequestID) != "crid-"+tt.name {
				t.Errorf("client-request-id header %q", res.header.Get(headerClientRequestID))
			}
			if tt.status == http.StatusUnauthorized && !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer ") {
				t.Errorf("401 without a Bearer challenge: %q", res.header.Get("WWW-Authenticate"))
			}
		})
	}
}

// TestAcceptedTokens: Graph's audiences and delegated scopes let a caller in.
func TestAcceptedTokens(t *testing.T) {
	e := newEnv(t)
	for name, extra := range map[string]map[string]any{
		"appId audience":          {"aud": tenant.GraphAppID},
		"trailing slash audience": {"aud": tenant.GraphResource + "/"},
		"within skew":             {"exp": e.clock.Now().Add(-time.Minute).Unix()},
		"delegated":               {"roles": nil, "scp": "User.Read Application.ReadWrite.All"},
		"directory read role":     {"roles": []any{"Directory.Read.All"}},
	} {
		t.Run(name, func(t *testing.T) {
			e.call(http.MethodGet, "/v1.0/applications?$top=1", nil, "Authorization", "Bearer "+e.token(extra)).must(t, http.StatusOK)
		})
	}
	e.call(http.MethodPost, "/v1.0/applications", map[string]any{"displayName": "by user"},
		"Authorization", "Bearer "+e.token(map[string]any{"roles": nil, "scp": "Application.ReadWrite.All"})).must(t, http.StatusCreated)
}
