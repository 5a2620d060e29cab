package identity

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAuthorizeFloodIsBounded: an unauthenticated client cannot make the mock keep what it
// sends. A query string over the limit is refused with AADSTS90015 and nothing is kept; sign-ins
// under way are capped, oldest dropped first; reset frees them.
func TestAuthorizeFloodIsBounded(t *testing.T) {
	e := newEnv(t)
	app := e.addApp(appOpts{PublicRedirect: []string{loopbackRedirect}})
	b := e.browser(t)
	authURL := e.srv.URL + "/" + e.tid + "/oauth2/v2.0/authorize?"
	q := url.Values{"client_id": {app.AppID}, "response_type": {"code"}, "redirect_uri": {loopbackRedirect}, "scope": {dicomReadWrite}}
	q.Set("state", strings.Repeat("s", maxQueryString))
	resp, html := b.get(authURL + q.Encode())
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(html, "AADSTS90015") {
		t.Fatalf("oversized state: %d %s", resp.StatusCode, html)
	}
	if n := e.svc.pending.len(); n != 0 {
		t.Fatalf("a refused request left %d pending sign-ins", n)
	}
	q.Set("state", strings.Repeat("s", 4000))
	for range maxPending + 50 {
		if resp, html := b.get(authURL + q.Encode()); resp.StatusCode != http.StatusOK {
			t.Fatalf("authorize: %d %s", resp.StatusCode, html)
		}
	}
	if n := e.svc.pending.len(); n > maxPending {
		t.Fatalf("%d pending sign-ins kept, cap %d", n, maxPending)
	}
	e.svc.Reset()
	if n := e.svc.pending.len(); n != 0 {
		t.Fatalf("%d pending sign-ins after reset", n)
	}
}

// TestPendingSignInsAreNotKeptPastTheirLife: a sign-in under way is forgotten when it expires,
// not a day later as codes are.
func TestPendingSignInsAreNotKeptPastTheirLife(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	e.svc.pending.put("a", &authorizeRequest{}, now.Add(interactionLifetime), now)
	later := now.Add(interactionLifetime + 1)
	e.svc.pending.put("b", &authorizeRequest{}, later.Add(interactionLifetime), later)
	if _, _, ok := e.svc.pending.get("a"); ok {
		t.Fatal("an expired sign-in is still kept")
	}
}
