package tenant

import (
	"fmt"
	"slices"
	"testing"
)

func TestTableKeepsInsertionOrderThroughDeletesAndCompaction(t *testing.T) {
	tb := newTable[int]("t", nil)
	var want []int
	for i := range 100 {
		v := i
		tb.put(fmt.Sprint(i), &v)
		want = append(want, i)
	}
	for i := 0; i < 100; i += 3 { // enough deletes to compact at least once
		if !tb.del(fmt.Sprint(i)) {
			t.Fatalf("del %d", i)
		}
		want = slices.DeleteFunc(want, func(x int) bool { return x == i })
	}
	if tb.del("0") {
		t.Fatal("a second delete of the same id succeeded")
	}
	v := -1
	tb.put("1", &v) // replacing keeps the position
	want[0] = -1
	n := 1000
	tb.put("new", &n)
	want = append(want, n)
	var got []int
	for _, p := range tb.all() {
		got = append(got, *p)
	}
	if !slices.Equal(got, want) || tb.len() != len(want) || *tb.get("new") != n || tb.get("3") != nil {
		t.Fatalf("got %v (len %d), want %v", got, tb.len(), want)
	}
}

func BenchmarkTableDelete(b *testing.B) {
	for b.Loop() {
		tb := newTable[int]("t", nil)
		for i := range 10_000 {
			tb.put(fmt.Sprint(i), &i)
		}
		for i := range 10_000 {
			tb.del(fmt.Sprint(i))
		}
	}
}
