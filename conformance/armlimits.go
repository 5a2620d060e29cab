package conformance

import (
	"net/http"
	"strconv"
)

// armBehaviours check what ARM says beside its bodies.
var armBehaviours = []behaviour{
	{"arm/ratelimit-headers", NeedDICOMService, armRateLimitHeaders},
}

// armRateLimitHeaders: ARM tells a caller how many requests it has left on every answer — a read's
// in x-ms-ratelimit-remaining-subscription-reads, a write's in …-writes
// (azure-resource-manager/management/request-limits-and-throttling.md), a delete's in …-deletes
// (older answers counted deletes as writes) — which scripts that pace themselves read.
func armRateLimitHeaders(c *Case) {
	a := c.newApp(appSpec{})
	scope := c.tgt().DICOMServiceID
	c.must(c.arm(c.ctx, http.MethodGet, scope+"/providers/Microsoft.Authorization/roleAssignments", roleAssignmentsAPI, nil, nil), "list role assignments")
	c.wantRemaining("a read", "x-ms-ratelimit-remaining-subscription-reads")

	c.assignRole(a.SPID, "ServicePrincipal", roleDICOMDataReader)
	c.wantRemaining("a write", "x-ms-ratelimit-remaining-subscription-writes")

	var list struct {
		Value []struct{ ID string } `json:"value"`
	}
	c.must(c.arm(c.ctx, http.MethodGet, scope+"/providers/Microsoft.Authorization/roleAssignments", roleAssignmentsAPI+"&$filter=principalId%20eq%20'"+a.SPID+"'", nil, &list), "find the assignment")
	if len(list.Value) != 1 {
		c.Fatalf("the new role assignment is listed %d times, want once", len(list.Value))
	}
	c.must(c.arm(c.ctx, http.MethodDelete, list.Value[0].ID, roleAssignmentsAPI, nil, nil), "delete the role assignment")
	c.wantRemaining("a delete", "x-ms-ratelimit-remaining-subscription-deletes", "x-ms-ratelimit-remaining-subscription-writes")
}

// wantRemaining checks that the last admin answer carried one of the headers, as a count.
func (c *Case) wantRemaining(what string, headers ...string) {
	c.t.Helper()
	for _, h := range headers {
		if v := c.answered.Get(h); v != "" {
			if n, err := strconv.Atoi(v); err != nil || n < 0 {
				c.Errorf("%s: %s is %q, want a count", what, h, v)
			}
			return
		}
	}
	c.Errorf("%s: the answer has no %s header", what, headers[0])
}
