package arm

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// header is an answer's header as an int, -1 when it is missing.
func header(h http.Header, name string) int {
	v := h.Get(name)
	if v == "" {
		return -1
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -2
	}
	return n
}

func TestRequestBudgetsAndHeaders(t *testing.T) {
	f := newFixture(t) // the clock stands still: nothing refills until it moves
	admin, user := f.token(t, f.seeded.AdminSPID, nil), f.token(t, f.seeded.TestUserID, nil)
	service := f.seeded.DicomServiceID + vDICOMSvc
	const subReads, globalReads = "x-ms-ratelimit-remaining-subscription-reads", "x-ms-ratelimit-remaining-subscription-global-reads"

	// As Azure answers a first read: 249 of 250 left for the principal, 3749 of 3750 for everyone.
	code, _, h := f.do(t, http.MethodGet, service, admin, "")
	if code != http.StatusOK || header(h, subReads) != 249 || header(h, globalReads) != 3749 {
		t.Fatalf("first read: %d, %s %d, %s %d", code, subReads, header(h, subReads), globalReads, header(h, globalReads))
	}
	for i := 2; i <= 250; i++ {
		if code, _, h = f.do(t, http.MethodGet, service, admin, ""); code != http.StatusOK {
			t.Fatalf("read %d of the bucket's 250: %d", i, code)
		}
	}
	if header(h, subReads) != 0 {
		t.Fatalf("after 250 reads %s = %d, want 0", subReads, header(h, subReads))
	}
	code, body, h := f.do(t, http.MethodGet, service, admin, "")
	if code != http.StatusTooManyRequests || errCode(body) != CodeSubscriptionThrottled || h.Get("Retry-After") != "1" || header(h, subReads) != 0 {
		t.Fatalf("read 251: %d %v, Retry-After %q, %s %d; want 429 %s, Retry-After 1", code, body, h.Get("Retry-After"), subReads, header(h, subReads), CodeSubscriptionThrottled)
	}

	// Another principal has a bucket of its own; the global one is shared.
	code, _, h = f.do(t, http.MethodGet, service, user, "")
	if code == http.StatusTooManyRequests || header(h, subReads) != 249 || header(h, globalReads) != 3749-250 {
		t.Fatalf("another principal: %d, %s %d, %s %d", code, subReads, header(h, subReads), globalReads, header(h, globalReads))
	}

	// Reads refill at 25 a second.
	f.clock.Advance(time.Second)
	if code, _, h = f.do(t, http.MethodGet, service, admin, ""); code != http.StatusOK || header(h, subReads) != 24 {
		t.Fatalf("a second later: %d, %s %d, want 200 and 24", code, subReads, header(h, subReads))
	}

	// Writes and deletes have buckets of 200 and their own headers.
	scope := "/subscriptions/" + f.seeded.SubscriptionID
	_, _, h = f.do(t, http.MethodPut, scope+"/providers/Microsoft.Authorization/roleAssignments/"+"00000000-0000-0000-0000-0000000000a1"+v, admin, `{}`)
	if header(h, "x-ms-ratelimit-remaining-subscription-writes") != 199 || header(h, "x-ms-ratelimit-remaining-subscription-global-writes") != 2999 || header(h, subReads) != -1 {
		t.Fatalf("a write's headers: %v", h)
	}
	_, _, h = f.do(t, http.MethodDelete, scope+"/providers/Microsoft.Authorization/roleAssignments/"+"00000000-0000-0000-0000-0000000000a1"+v, admin, "")
	if header(h, "x-ms-ratelimit-remaining-subscription-deletes") != 199 {
		t.Fatalf("a delete's headers: %v", h)
	}

	// A call without a subscription spends the tenant's budget.
	_, _, h = f.do(t, http.MethodGet, "/tenants"+vSub, admin, "")
	if header(h, "x-ms-ratelimit-remaining-tenant-reads") != 249 || header(h, subReads) != -1 {
		t.Fatalf("a tenant-level read's headers: %v", h)
	}
}

func TestWriteThrottledScope(t *testing.T) {
	for _, c := range []struct{ method, path, code, word string }{
		{http.MethodGet, "/subscriptions/S1/resourceGroups", CodeSubscriptionThrottled, "'read' requests for subscription 's1'"},
		{http.MethodPut, "/providers/Microsoft.Authorization/roleAssignments/x", CodeTenantThrottled, "'write' requests for tenant"},
	} {
		w := httptest.NewRecorder()
		WriteThrottled(w, httptest.NewRequest(c.method, c.path, nil), 3)
		body := w.Body.String()
		if w.Code != http.StatusTooManyRequests || !strings.Contains(body, c.code) || !strings.Contains(body, c.word) || !strings.Contains(body, "after '3' seconds") {
			t.Errorf("%s %s: %d %s", c.method, c.path, w.Code, w.Body)
		}
	}
}
