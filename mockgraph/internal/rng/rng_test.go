package rng

import (
	"regexp"
	"testing"
)

func TestSameSeedSameStream(t *testing.T) {
	a, b := New(42), New(42)
	for i := 0; i < 5; i++ {
		if x, y := a.GUID(), b.GUID(); x != y {
			t.Fatalf("draw %d: %s != %s", i, x, y)
		}
	}
	if New(1).GUID() == New(2).GUID() {
		t.Fatal("different seeds gave the same GUID")
	}
}

func TestShapes(t *testing.T) {
	s := New(7)
	guid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	secret := regexp.MustCompile(`^[A-Za-z0-9~._-]{40}$`)
	for i := 0; i < 200; i++ {
		if g := s.GUID(); !guid.MatchString(g) {
			t.Fatalf("bad GUID %q", g)
		}
		if v := s.SecretText(); !secret.MatchString(v) {
			t.Fatalf("bad secret %q", v)
		}
		if f := s.Float64(); f < 0 || f >= 1 {
			t.Fatalf("Float64 out of range: %v", f)
		}
		if n := s.Intn(3); n < 0 || n >= 3 {
			t.Fatalf("Intn out of range: %v", n)
		}
	}
}
