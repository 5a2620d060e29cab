package converge

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/dicomreg/dicomreg/plugin/auth"
	"github.com/dicomreg/dicomreg/plugin/directory"
)

// RoleID turns owner/reader, a built-in role name or a GUID into a role definition GUID; any other
// name is looked up at scope.
func RoleID(ctx context.Context, dir Directory, scope, role string) (string, error) {
	if id, ok := directory.BuiltInRoles[strings.ToLower(role)]; ok {
		return id, nil
	}
	if auth.IsGUID(role) {
		return strings.ToLower(role), nil
	}
	return dir.RoleDefinitionByName(ctx, scope, role)
}

// EnsureRole makes sure the principal holds role at scope, or above it (an assignment on the
// resource group or subscription covers the service). It returns what it did ("" when nothing);
// spJustCreated skips the lookup: a new principal holds no roles.
func EnsureRole(ctx context.Context, dir Directory, scope, role, spID string, spJustCreated bool) (string, error) {
	return EnsurePrincipalRole(ctx, dir, scope, role, spID, PrincipalServicePrincipal, spJustCreated)
}

// Principal types of a role assignment, as ARM names them.
const (
	PrincipalServicePrincipal = "ServicePrincipal"
	PrincipalUser             = "User"
	PrincipalGroup            = "Group"
)

// EnsurePrincipalRole is EnsureRole for any principal by object id and type (a user, a group), as
// az role assignment create --assignee-object-id --assignee-principal-type does: ARM then needs
// no directory lookup.
func EnsurePrincipalRole(ctx context.Context, dir Directory, scope, role, principalID, principalType string, justCreated bool) (string, error) {
	spID, spJustCreated := principalID, justCreated
	id, err := RoleID(ctx, dir, scope, role)
	if err != nil {
		return "", err
	}
	if !spJustCreated {
		existing, err := dir.RoleAssignments(ctx, scope, spID)
		if err != nil {
			return "", err
		}
		for _, ra := range existing {
			if ra.RoleDefinitionGUID() == id && covers(ra.Properties.Scope, scope) {
				return "", nil
			}
		}
	}
	if _, err := dir.CreateRoleAssignment(ctx, scope, newGUID(), id, spID, principalType); err != nil {
		return "", err
	}
	if principalType != PrincipalServicePrincipal {
		return fmt.Sprintf("assigned role %s to %s %s on %s", role, strings.ToLower(principalType), spID, scope), nil
	}
	return fmt.Sprintf("assigned role %s to the service principal on %s", role, scope), nil
}

// covers says whether an assignment at scope applies at target: the same scope or a parent of it.
func covers(scope, target string) bool {
	return strings.EqualFold(scope, target) || strings.HasPrefix(strings.ToLower(target), strings.ToLower(scope)+"/")
}

// newGUID is a random (version 4) GUID, the name ARM wants for a new role assignment.
func newGUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// CheckDICOMServiceID checks that id has the shape of a DICOM service's ARM resource id,
// /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.HealthcareApis/workspaces/{ws}/dicomservices/{name}
// (the portal's Properties → Resource ID): anything else is a usage mistake, found before a
// request is sent.
func CheckDICOMServiceID(id string) error {
	parts := strings.Split(strings.TrimPrefix(id, "/"), "/")
	want := []string{"subscriptions", "", "resourcegroups", "", "providers", "microsoft.healthcareapis", "workspaces", "", "dicomservices", ""}
	ok := strings.HasPrefix(id, "/") && len(parts) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = parts[i] != "" && (want[i] == "" || strings.EqualFold(parts[i], want[i])) && !strings.ContainsAny(parts[i], "?#% ")
	}
	if !ok {
		return Invalidf("--dicom-service %q is not a DICOM service's resource id: want /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.HealthcareApis/workspaces/<workspace>/dicomservices/<service> (the portal's Properties → Resource ID)", id)
	}
	// ARM answers InvalidSubscriptionId ("The provided subscription identifier … is malformed or
	// invalid") for anything but a GUID; a placeholder copied from an example is caught here.
	if !auth.IsGUID(parts[1]) {
		return Invalidf("--dicom-service %q: the subscription %q is not a subscription id (a GUID; the portal's Properties → Resource ID has it)", id, parts[1])
	}
	return nil
}
