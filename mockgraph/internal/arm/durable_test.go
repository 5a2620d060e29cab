package arm

import (
	"net/http"
	"syscall"
	"testing"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// TestRoleAssignmentNotAcknowledgedUnlessDurable: when the state store cannot keep the change
// (a full disk), a role assignment PUT is ARM's internal error, never 201, and nothing is kept.
func TestRoleAssignmentNotAcknowledgedUnlessDurable(t *testing.T) {
	f := newFixture(t)
	admin := f.token(t, f.seeded.AdminSPID, nil)
	path := f.seeded.DicomServiceID + "/providers/Microsoft.Authorization/roleAssignments/0b1f6c55-6c8c-4a55-9d4b-3b7d1b3c9a11" + v
	body := `{"properties":{"roleDefinitionId":"/subscriptions/` + f.seeded.SubscriptionID + `/providers/Microsoft.Authorization/roleDefinitions/` + tenant.RoleDefDICOMDataOwner + `","principalId":"` + f.seeded.TestUserID + `"}}`
	f.store.FailWrites(syscall.ENOSPC)
	if code, m, _ := f.do(t, http.MethodPut, path, admin, body); code != http.StatusInternalServerError || errCode(m) != codeInternal {
		t.Fatalf("PUT on a full disk: %d %v", code, m)
	}
	if code, _, _ := f.do(t, http.MethodGet, path, admin, ""); code != http.StatusNotFound {
		t.Fatalf("the refused assignment exists: %d", code)
	}
	f.store.FailWrites(nil)
	if code, m, _ := f.do(t, http.MethodPut, path, admin, body); code != http.StatusCreated {
		t.Fatalf("PUT: %d %v", code, m)
	}
	f.store.FailWrites(syscall.EROFS)
	if code, _, _ := f.do(t, http.MethodDelete, path, admin, ""); code != http.StatusInternalServerError {
		t.Fatalf("DELETE on a read-only disk: %d", code)
	}
	f.store.FailWrites(nil)
	if code, _, _ := f.do(t, http.MethodGet, path, admin, ""); code != http.StatusOK {
		t.Fatalf("the assignment a failed delete kept is gone: %d", code)
	}
}
