package arm

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

const actionRoleAssignmentsWrite = "Microsoft.Authorization/roleAssignments/write"

var guidShape = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func roleDefinitionPath(scope, id string) string {
	sub, ok := subscriptionSegment(scope)
	if !ok || sub == "" {
		return "/providers/Microsoft.Authorization/roleDefinitions/" + id
	}
	return "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/" + id
}

func assignmentJSON(ra *tenant.RoleAssignment) map[string]any {
	var desc any
	if ra.Description != "" {
		desc = ra.Description
	}
	return map[string]any{
		"id": ra.ID(), "name": ra.Name, "type": "Microsoft.Authorization/roleAssignments",
		"properties": map[string]any{
			"roleDefinitionId": roleDefinitionPath(ra.Scope, ra.RoleDefinitionID), "principalId": ra.PrincipalID,
			"principalType": ra.PrincipalType, "scope": ra.Scope, "condition": nil, "conditionVersion": nil,
			"createdOn": ra.CreatedOn.Format(time.RFC3339Nano), "updatedOn": ra.UpdatedOn.Format(time.RFC3339Nano),
			"createdBy": ra.CreatedBy, "updatedBy": ra.CreatedBy, "delegatedManagedIdentityResourceId": nil, "description": desc,
		},
	}
}

// assignmentBody is a PUT body: {"properties":{…}}.
type assignmentBody struct {
	Properties struct {
		RoleDefinitionID string `json:"roleDefinitionId"`
		PrincipalID      string `json:"principalId"`
		PrincipalType    string `json:"principalType"`
		Description      string `json:"description"`
	} `json:"properties"`
}

func (a *API) serveRoleAssignments(w http.ResponseWriter, r *http.Request, c caller, scope, name string) {
	switch {
	case name == "" && r.Method == http.MethodGet:
		a.listAssignments(w, r, c, scope)
	case name != "" && r.Method == http.MethodGet:
		a.getAssignment(w, c, scope, name)
	case name != "" && r.Method == http.MethodPut:
		a.putAssignment(w, r, c, scope, name)
	case name != "" && r.Method == http.MethodDelete:
		a.deleteAssignment(w, c, scope, name)
	default:
		armError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The requested resource does not support http method '%s'.", r.Method)
	}
}

func (a *API) putAssignment(w http.ResponseWriter, r *http.Request, c caller, scope, name string) {
	if !guidShape.MatchString(name) {
		armError(w, http.StatusBadRequest, codeInvalidAssignmentID, "The role assignment ID '%s' is not valid. The role assignment ID must be a GUID.", name)
		return
	}
	var body assignmentBody
	raw, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(raw, &body)
	}
	if err != nil {
		armError(w, http.StatusBadRequest, codeInvalidRequest, "The request content was invalid and could not be deserialized: %v", err)
		return
	}
	p := body.Properties
	if p.PrincipalID == "" || p.RoleDefinitionID == "" {
		armError(w, http.StatusBadRequest, codeInvalidRequest, "The request content must name properties.roleDefinitionId and properties.principalId.")
		return
	}
	roleID, ok := roleDefinitionGUID(p.RoleDefinitionID)
	if !ok {
		armError(w, http.StatusBadRequest, codeInvalidRoleDefinitionID, "The role definition ID '%s' is not valid.", p.RoleDefinitionID)
		return
	}
	now := a.cfg.Clock.Now()
	answer := httpx.NewPending()
	err = a.cfg.Store.Update(func(d *tenant.Directory) error {
		w := answer
		canonical, ok := answerScope(w, d, scope)
		if !ok {
			return nil
		}
		if !a.holds(d, c.oid, canonical, writeRoles) {
			armError(w, http.StatusForbidden, codeAuthorizationFailed, "The client '%s' with object id '%s' does not have authorization to perform action '%s' over scope '%s' or the scope is invalid. If access was recently granted, please refresh your credentials.", c.oid, c.oid, actionRoleAssignmentsWrite, canonical+authorizationProvider+roleAssignmentsKind+"/"+name)
			return nil
		}
		def, ok := tenant.BuiltInRoles[strings.ToLower(roleID)]
		if !ok {
			armError(w, http.StatusBadRequest, codeRoleDefinitionAbsent, "The specified role definition with ID '%s' does not exist.", roleID)
			return nil
		}
		principalType := p.PrincipalType
		actual := ""
		switch {
		case d.ServicePrincipal(p.PrincipalID) != nil:
			actual = principalServicePrincipal
		case d.User(p.PrincipalID) != nil:
			actual = principalUser
		}
		switch {
		case actual != "" && principalType != "" && !strings.EqualFold(principalType, actual):
			armError(w, http.StatusBadRequest, codeUnmatchedPrincipalType, "The PrincipalId '%s' has type '%s', which is different from specified PrincipalType '%s'.",
				strings.ReplaceAll(p.PrincipalID, "-", ""), actual, principalType)
			return nil
		case actual != "":
			principalType = actual
		case principalType != "" && !slices.Contains(principalTypes, principalType):
			armError(w, http.StatusBadRequest, codeInvalidRequest, "The request content was invalid and could not be deserialized: principalType '%s' is not one of %s.", principalType, strings.Join(principalTypes, ", "))
			return nil
		case principalType == "":
			// With principalType set ARM skips this lookup, which is the documented way around
			// Graph replication lag; without it a principal Entra does not know yet is refused.
			armError(w, http.StatusBadRequest, codePrincipalNotFound, "Principal %s does not exist in the directory %s. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype", strings.ReplaceAll(p.PrincipalID, "-", ""), d.TenantID)
			return nil
		}
		if existing := d.RoleAssignment(name); existing != nil {
			if !strings.EqualFold(existing.Scope, canonical) || !strings.EqualFold(existing.PrincipalID, p.PrincipalID) || !strings.EqualFold(existing.RoleDefinitionID, def.ID) {
				armError(w, http.StatusBadRequest, codeRoleAssignmentUpdate, "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.")
				return nil
			}
			httpx.WriteJSON(w, http.StatusCreated, assignmentJSON(existing))
			return nil
		}
		for _, ra := range d.RoleAssignments() {
			if strings.EqualFold(ra.Scope, canonical) && strings.EqualFold(ra.PrincipalID, p.PrincipalID) && strings.EqualFold(ra.RoleDefinitionID, def.ID) {
				armError(w, http.StatusConflict, codeRoleAssignmentExists, "The role assignment already exists. The ID of the existing role assignment is %s.", strings.ReplaceAll(ra.Name, "-", ""))
				return nil
			}
		}
		ra := &tenant.RoleAssignment{Name: strings.ToLower(name), Scope: canonical, RoleDefinitionID: def.ID, PrincipalID: strings.ToLower(p.PrincipalID),
			PrincipalType: principalType, Description: p.Description, CreatedOn: now, UpdatedOn: now, CreatedBy: c.oid}
		d.PutRoleAssignment(ra)
		httpx.WriteJSON(w, http.StatusCreated, assignmentJSON(ra))
		return nil
	})
	sendDurable(w, answer, err)
}

// Principal types a role assignment names (Role Assignments - Create, principalType).
const (
	principalUser             = "User"
	principalServicePrincipal = "ServicePrincipal"
)

var principalTypes = []string{principalUser, "Group", principalServicePrincipal, "ForeignGroup", "Device"}

// roleDefinitionShape is a role definition's resource id: at the root, or under a subscription
// (optionally below it: resource group or resource scope), ending in the definition's GUID.
var roleDefinitionShape = regexp.MustCompile(`(?i)^(/subscriptions/[^/]+(/.+)?)?/providers/Microsoft\.Authorization/roleDefinitions/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)

// roleDefinitionGUID reads the GUID out of a roleDefinitionId; a bare GUID is not an id.
func roleDefinitionGUID(id string) (string, bool) {
	m := roleDefinitionShape.FindStringSubmatch(id)
	if m == nil {
		return "", false
	}
	return m[3], true
}

func (a *API) getAssignment(w http.ResponseWriter, c caller, scope, name string) {
	_ = a.cfg.Store.View(func(d *tenant.Directory) error {
		canonical, ok := answerScope(w, d, scope)
		if !ok {
			return nil
		}
		if !a.holds(d, c.oid, canonical, readRoles) {
			armError(w, http.StatusForbidden, codeAuthorizationFailed, "The client '%s' with object id '%s' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/read' over scope '%s' or the scope is invalid.", c.oid, c.oid, canonical)
			return nil
		}
		ra := d.RoleAssignment(name)
		if ra == nil || !strings.EqualFold(ra.Scope, canonical) {
			armError(w, http.StatusNotFound, codeRoleAssignmentAbsent, "The role assignment '%s' is not found.", name)
			return nil
		}
		httpx.WriteJSON(w, http.StatusOK, assignmentJSON(ra))
		return nil
	})
}

func (a *API) deleteAssignment(w http.ResponseWriter, c caller, scope, name string) {
	answer := httpx.NewPending()
	err := a.cfg.Store.Update(func(d *tenant.Directory) error {
		w := answer
		canonical, ok := answerScope(w, d, scope)
		if !ok {
			return nil
		}
		if !a.holds(d, c.oid, canonical, writeRoles) {
			armError(w, http.StatusForbidden, codeAuthorizationFailed, "The client '%s' with object id '%s' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/delete' over scope '%s' or the scope is invalid.", c.oid, c.oid, canonical)
			return nil
		}
		ra := d.RoleAssignment(name)
		if ra == nil || !strings.EqualFold(ra.Scope, canonical) {
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		d.DeleteRoleAssignment(name)
		httpx.WriteJSON(w, http.StatusOK, assignmentJSON(ra))
		return nil
	})
	sendDurable(w, answer, err)
}

// assignmentFilter is the part of ARM's $filter the mock understands.
type assignmentFilter struct {
	atScope   bool
	principal string
}

var (
	filterPrincipal  = regexp.MustCompile(`(?i)^principalId\s+eq\s+'([^']+)'$`)
	filterAssignedTo = regexp.MustCompile(`(?i)^assignedTo\('([^']+)'\)$`)
)

func parseAssignmentFilter(raw string) (assignmentFilter, bool) {
	var f assignmentFilter
	if strings.TrimSpace(raw) == "" {
		return f, true
	}
	for _, term := range regexp.MustCompile(`(?i)\s+and\s+`).Split(strings.TrimSpace(raw), -1) {
		term = strings.TrimSpace(term)
		switch {
		case strings.EqualFold(term, "atScope()"):
			f.atScope = true
		case filterPrincipal.MatchString(term):
			f.principal = filterPrincipal.FindStringSubmatch(term)[1]
		case filterAssignedTo.MatchString(term):
			f.principal = filterAssignedTo.FindStringSubmatch(term)[1]
		default:
			return f, false
		}
	}
	return f, true
}

// listAssignments lists what applies at a scope: assignments above and at it, and (without
// atScope()) below it, as ARM's list at scope does.
func (a *API) listAssignments(w http.ResponseWriter, r *http.Request, c caller, scope string) {
	f, ok := parseAssignmentFilter(r.URL.Query().Get("$filter"))
	if !ok {
		armError(w, http.StatusBadRequest, codeInvalidFilter, "The filter '%s' is not supported. Supported filters are either 'atScope()', 'principalId eq '{value}'' or 'assignedTo('{value}')'.", r.URL.Query().Get("$filter"))
		return
	}
	_ = a.cfg.Store.View(func(d *tenant.Directory) error {
		canonical, ok := answerScope(w, d, scope)
		if !ok {
			return nil
		}
		if !a.holds(d, c.oid, canonical, readRoles) && !strings.EqualFold(f.principal, c.oid) {
			armError(w, http.StatusForbidden, codeAuthorizationFailed, "The client '%s' with object id '%s' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/read' over scope '%s' or the scope is invalid.", c.oid, c.oid, canonical)
			return nil
		}
		value := []any{}
		for _, ra := range d.RoleAssignments() {
			above := within(canonical, ra.Scope)
			below := within(ra.Scope, canonical)
			if !above && (f.atScope || !below) {
				continue
			}
			if f.principal != "" && !strings.EqualFold(ra.PrincipalID, f.principal) {
				continue
			}
			value = append(value, assignmentJSON(ra))
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"value": value})
		return nil
	})
}

func definitionJSON(scope string, def tenant.RoleDefinition) map[string]any {
	return map[string]any{
		"id": roleDefinitionPath(scope, def.ID), "name": def.ID, "type": "Microsoft.Authorization/roleDefinitions",
		"properties": map[string]any{
			"roleName": def.RoleName, "type": "BuiltInRole", "description": def.Description, "assignableScopes": []string{"/"},
			"permissions": []any{map[string]any{"actions": orEmpty(def.Actions), "notActions": []string{}, "dataActions": orEmpty(def.DataActions), "notDataActions": []string{}}},
		},
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// subscriptionExists says whether the directory holds the subscription id.
func (a *API) subscriptionExists(id string) bool {
	found := false
	_ = a.cfg.Store.View(func(d *tenant.Directory) error { found = d.Subscription(id) != nil; return nil })
	return found
}

var filterRoleName = regexp.MustCompile(`(?i)^roleName\s+eq\s+'([^']+)'$`)

func (a *API) serveRoleDefinitions(w http.ResponseWriter, r *http.Request, scope, id string) {
	if r.Method != http.MethodGet {
		armError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The requested resource does not support http method '%s'.", r.Method)
		return
	}
	// Built-in roles exist in every subscription, but only in one that exists: under a
	// subscription ARM does not know, ARM answers SubscriptionNotFound as on its other routes.
	// At the tenant root (no subscription) they are listed as they are.
	if sub, ok := subscriptionSegment(scope); ok && !a.subscriptionExists(sub) {
		subscriptionNotFound(sub).answer(w)
		return
	}
	if id != "" {
		def, ok := tenant.BuiltInRoles[strings.ToLower(id)]
		if !ok {
			armError(w, http.StatusNotFound, codeRoleDefinitionAbsent, "The role definition '%s' could not be found.", id)
			return
		}
		httpx.WriteJSON(w, http.StatusOK, definitionJSON(scope, def))
		return
	}
	filter := strings.TrimSpace(r.URL.Query().Get("$filter"))
	var name string
	if filter != "" {
		m := filterRoleName.FindStringSubmatch(filter)
		if m == nil {
			armError(w, http.StatusBadRequest, codeInvalidFilter, "The filter '%s' is not supported.", filter)
			return
		}
		name = m[1]
	}
	value := []any{}
	for _, id := range []string{tenant.RoleDefOwner, tenant.RoleDefContributor, tenant.RoleDefReader, tenant.RoleDefUserAccessAdministrator, tenant.RoleDefDICOMDataOwner, tenant.RoleDefDICOMDataReader} {
		def := tenant.BuiltInRoles[id]
		if name == "" || strings.EqualFold(def.RoleName, name) {
			value = append(value, definitionJSON(scope, def))
		}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"value": value})
}

// sendDurable sends an answer composed inside a store transaction once it is durable; a change
// the store could not keep is ARM's internal error, never a 200 or 201.
func sendDurable(w http.ResponseWriter, answer *httpx.Pending, err error) {
	if err != nil {
		armError(w, http.StatusInternalServerError, codeInternal, "Encountered internal server error: %v", err)
		return
	}
	answer.Send(w)
}

// answerScope resolves scope to its canonical form, or answers ARM's error for it and says so.
func answerScope(w http.ResponseWriter, d *tenant.Directory, scope string) (string, bool) {
	canonical, serr := resolveScope(d, scope)
	if serr != nil {
		serr.answer(w)
		return "", false
	}
	return canonical, true
}
