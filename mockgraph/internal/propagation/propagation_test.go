package propagation

import (
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/clock"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

func TestViewDelays(t *testing.T) {
	c := clock.Frozen(t0)
	m := New(c, Delays{Graph: time.Second, SignIn: 2 * time.Second, Credential: 3 * time.Second, RBAC: 4 * time.Second})
	written := t0
	c.Advance(2 * time.Second)
	v := m.View()
	if !v.InGraph(written) || !v.AtSignIn(written) || v.CredentialLive(written) || v.RoleEffective(written) {
		t.Fatalf("2 s after a write: graph %v signIn %v credential %v rbac %v", v.InGraph(written), v.AtSignIn(written), v.CredentialLive(written), v.RoleEffective(written))
	}
	if z := New(c, Delays{}).View(); !z.InGraph(c.Now()) || !z.RoleEffective(c.Now()) {
		t.Fatal("zero delays must show a write at once")
	}
}

func TestDICOMDecisionIsCachedThenRecomputed(t *testing.T) {
	c := clock.Frozen(t0)
	m := New(c, Delays{DICOMCache: 5 * time.Minute})
	calls := 0
	decide := func(View) []string { calls++; return []string{"role" + string(rune('0'+calls))} }
	first := m.DICOMRoles("P", "/S", decide)
	c.Advance(4 * time.Minute)
	if got := m.DICOMRoles("p", "/s", decide); got[0] != first[0] || calls != 1 {
		t.Fatalf("within the cache time the decision must stand (ids compare without case): %v, %d calls", got, calls)
	}
	c.Advance(time.Minute)
	if m.DICOMRoles("p", "/s", decide); calls != 2 {
		t.Fatalf("after five minutes the decision must be made again: %d calls", calls)
	}
	c.Advance(-time.Hour) // a clock moved back never serves a decision from its future
	if m.DICOMRoles("p", "/s", decide); calls != 3 {
		t.Fatalf("after the clock moved back: %d calls", calls)
	}
	m.Set(Delays{})
	m.DICOMRoles("p", "/s", decide)
	m.DICOMRoles("p", "/s", decide)
	if calls != 5 {
		t.Fatalf("without a cache every request decides: %d calls", calls)
	}
}

func TestRealisticLongest(t *testing.T) {
	if got := Realistic().Longest(); got != RealisticRBAC+RealisticDICOMCache {
		t.Fatalf("Longest = %s", got)
	}
	if (Delays{RBAC: -1}).Valid() {
		t.Fatal("a negative delay is valid")
	}
}
