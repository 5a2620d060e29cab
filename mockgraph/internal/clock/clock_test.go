package clock

import (
	"testing"
	"time"
)

func TestFrozenAdvance(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := Frozen(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now = %v, want %v", got, start)
	}
	c.Advance(90 * time.Minute)
	if got, want := c.Now(), start.Add(90*time.Minute); !got.Equal(want) {
		t.Fatalf("after Advance Now = %v, want %v", got, want)
	}
	c.Set(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("after Set Now = %v, want %v", got, start)
	}
}

func TestRunningOffset(t *testing.T) {
	wall := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	c := &Adjustable{wall: func() time.Time { return wall }}
	c.Advance(time.Hour)
	if got, want := c.Now(), wall.Add(time.Hour); !got.Equal(want) {
		t.Fatalf("Now = %v, want %v", got, want)
	}
	c.Set(wall.Add(-time.Hour))
	if got, want := c.Now(), wall.Add(-time.Hour); !got.Equal(want) {
		t.Fatalf("after Set Now = %v, want %v", got, want)
	}
	c.Freeze()
	wall = wall.Add(time.Hour)
	if got, want := c.Now(), wall.Add(-2*time.Hour); !got.Equal(want) {
		t.Fatalf("frozen Now = %v, want %v", got, want)
	}
}
