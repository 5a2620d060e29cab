package arm

import (
	"fmt"
	"net/http"

	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
)

// ARM error codes the mock answers with (azure-resource-manager error reference, role-based-access-control troubleshooting).
const (
	codeMissingAPIVersion    = "MissingApiVersionParameter"
	codeInvalidAPIVersion    = "InvalidApiVersionParameter"
	codeAuthenticationFailed = "AuthenticationFailed"
	codeInvalidToken         = "InvalidAuthenticationToken"
	codeInvalidAudience      = "InvalidAuthenticationTokenAudience"
	codeExpiredToken         = "ExpiredAuthenticationToken"
	codeAuthorizationFailed  = "AuthorizationFailed"
	codeSubscriptionNotFound = "SubscriptionNotFound"
	codeResourceGroupMissing = "ResourceGroupNotFound"
	codeResourceNotFound     = "ResourceNotFound"
	codeRoleAssignmentExists = "RoleAssignmentExists"
	codeRoleAssignmentUpdate = "RoleAssignmentUpdateNotPermitted"
	codeInvalidAssignmentID  = "InvalidRoleAssignmentId"
	codeRoleDefinitionAbsent = "RoleDefinitionDoesNotExist"
	codePrincipalNotFound    = "PrincipalNotFound"
	codeInvalidRequest       = "InvalidRequestContent"
	codeRoleAssignmentAbsent = "RoleAssignmentNotFound"
	codeInvalidFilter        = "UnsupportedQuery"
	codeInternal             = "InternalServerError"
	// UnmatchedPrincipalType, InvalidRoleDefinitionId and InvalidSubscriptionId as users report them (FIDELITY.md).
	codeUnmatchedPrincipalType  = "UnmatchedPrincipalType"
	codeInvalidRoleDefinitionID = "InvalidRoleDefinitionId"
	codeInvalidSubscriptionID   = "InvalidSubscriptionId"
)

// armError is ARM's error body: {"error":{"code","message"}}.
func armError(w http.ResponseWriter, status int, code, format string, args ...any) {
	httpx.WriteJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": fmt.Sprintf(format, args...)}})
}
