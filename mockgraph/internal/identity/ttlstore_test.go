package identity

import (
	"strconv"
	"testing"
	"time"
)

func TestTTLStore(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := newTTLStore[int](3, expiredGrace)
	for i := 0; i < 5; i++ {
		s.put(strconv.Itoa(i), i, now.Add(time.Minute), now)
	}
	if n := s.len(); n != 3 {
		t.Fatalf("bounded store holds %d, want 3", n)
	}
	if _, _, ok := s.get("0"); ok {
		t.Error("oldest entry not evicted")
	}
	if v, exp, ok := s.get("4"); !ok || v != 4 || !exp.Equal(now.Add(time.Minute)) {
		t.Errorf("newest entry: %v %v %v", v, exp, ok)
	}
	// expired entries are remembered for a grace period (to answer "expired"), then pruned
	later := now.Add(time.Minute + expiredGrace + time.Second)
	s.put("x", 9, later.Add(time.Minute), later)
	if n := s.len(); n != 1 {
		t.Errorf("after pruning %d entries remain, want 1", n)
	}
}
