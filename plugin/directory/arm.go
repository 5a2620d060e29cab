package directory

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Built-in DICOM data roles (role-based-access-control/built-in-roles/integration.md); used when
// a name is given, so the common case costs no role-definition lookup.
var BuiltInRoles = map[string]string{
	"owner":             "58a3b984-7adf-4c20-983a-32417c86fbc8",
	"dicom data owner":  "58a3b984-7adf-4c20-983a-32417c86fbc8",
	"reader":            "e89c7a3c-2f64-4fa1-a847-3e4c9ba4283a",
	"dicom data reader": "e89c7a3c-2f64-4fa1-a847-3e4c9ba4283a",
}

// RoleAssignment is an Azure RBAC role assignment.
type RoleAssignment struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Properties struct {
		RoleDefinitionID string     `json:"roleDefinitionId"`
		PrincipalID      string     `json:"principalId"`
		PrincipalType    string     `json:"principalType"`
		Scope            string     `json:"scope"`
		CreatedOn        *time.Time `json:"createdOn,omitempty"`
	} `json:"properties"`
}

// RoleDefinitionGUID is the bare GUID of the assignment's role definition.
func (r RoleAssignment) RoleDefinitionGUID() string {
	id := r.Properties.RoleDefinitionID
	return strings.ToLower(id[strings.LastIndex(id, "/")+1:])
}

// RoleAssignments lists the assignments of principal that apply at scope (at, above or below it).
func (c *Client) RoleAssignments(ctx context.Context, scope, principalID string) ([]RoleAssignment, error) {
	q := url.Values{"api-version": {armAPIVersion}}
	if principalID != "" {
		q.Set("$filter", "principalId eq "+quote(principalID))
	}
	var page struct {
		Value []RoleAssignment `json:"value"`
	}
	err := c.do(ctx, c.arm, http.MethodGet, c.armURL+scope+"/providers/Microsoft.Authorization/roleAssignments?"+q.Encode(), nil, &page, nil)
	return page.Value, err
}

// CreateRoleAssignment assigns roleDefinitionGUID to principal at scope under a new name (a GUID).
// principalType is always sent: ARM then skips its directory lookup, the documented way around
// PrincipalNotFound right after the service principal was created.
func (c *Client) CreateRoleAssignment(ctx context.Context, scope, name, roleDefinitionGUID, principalID, principalType string) (*RoleAssignment, error) {
	sub := ""
	if parts := strings.Split(strings.TrimPrefix(scope, "/"), "/"); len(parts) >= 2 && strings.EqualFold(parts[0], "subscriptions") {
		sub = "/subscriptions/" + parts[1]
	}
	body := map[string]any{"properties": map[string]any{
		"roleDefinitionId": sub + "/providers/Microsoft.Authorization/roleDefinitions/" + roleDefinitionGUID,
		"principalId":      principalID, "principalType": principalType,
	}}
	var out RoleAssignment
	err := c.retryLag(ctx, func() error {
		return c.do(ctx, c.arm, http.MethodPut, c.armURL+scope+"/providers/Microsoft.Authorization/roleAssignments/"+name+"?api-version="+armAPIVersion, body, &out, nil)
	})
	return &out, err
}

// DeleteRoleAssignment deletes an assignment by its full ARM id.
func (c *Client) DeleteRoleAssignment(ctx context.Context, id string) error {
	return c.do(ctx, c.arm, http.MethodDelete, c.armURL+id+"?api-version="+armAPIVersion, nil, nil, nil)
}

// RoleDefinitionByName finds a role definition's GUID by its name at scope.
func (c *Client) RoleDefinitionByName(ctx context.Context, scope, name string) (string, error) {
	q := url.Values{"api-version": {armAPIVersion}, "$filter": {"roleName eq " + quote(name)}}
	var page struct {
		Value []struct {
			Name string `json:"name"`
		} `json:"value"`
	}
	if err := c.do(ctx, c.arm, http.MethodGet, c.armURL+scope+"/providers/Microsoft.Authorization/roleDefinitions?"+q.Encode(), nil, &page, nil); err != nil {
		return "", err
	}
	if len(page.Value) == 0 {
		return "", &Error{Status: http.StatusNotFound, Code: "RoleDefinitionDoesNotExist", Message: "no role named " + quote(name) + " at " + scope}
	}
	return page.Value[0].Name, nil
}

// DicomService is the part of a DICOM service resource the plugin reads.
type DicomService struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Properties struct {
		ServiceURL string `json:"serviceUrl"`
	} `json:"properties"`
}

// GetDicomService reads a DICOM service by its ARM id.
func (c *Client) GetDicomService(ctx context.Context, id string) (*DicomService, error) {
	var out DicomService
	return &out, c.do(ctx, c.arm, http.MethodGet, c.armURL+id+"?api-version="+dicomAPIVersion, nil, &out, nil)
}
