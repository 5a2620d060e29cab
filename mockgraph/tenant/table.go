package tenant

import "iter"

// table keeps objects by id in insertion order, so lists and paging are stable. Every operation
// is O(1) (amortized): a delete leaves a hole in order that iteration skips, and the holes are
// compacted away once they are half of it.
type table[T any] struct {
	rows  map[string]row[T]
	order []string // ids in insertion order; "" is a deleted row's hole
	holes int
}

type row[T any] struct {
	v   *T
	pos int // index in order
}

func newTable[T any]() table[T] { return table[T]{rows: map[string]row[T]{}} }

func (t *table[T]) get(id string) *T { return t.rows[id].v }

func (t *table[T]) put(id string, v *T) {
	r, ok := t.rows[id]
	if !ok {
		r.pos = len(t.order)
		t.order = append(t.order, id)
	}
	r.v = v
	t.rows[id] = r
}

func (t *table[T]) del(id string) bool {
	r, ok := t.rows[id]
	if !ok {
		return false
	}
	delete(t.rows, id)
	t.order[r.pos] = ""
	if t.holes++; t.holes > len(t.order)/2 {
		t.compact()
	}
	return true
}

func (t *table[T]) compact() {
	kept := t.order[:0]
	for _, id := range t.order {
		if id != "" {
			r := t.rows[id]
			r.pos = len(kept)
			t.rows[id] = r
			kept = append(kept, id)
		}
	}
	clear(t.order[len(kept):])
	t.order, t.holes = kept, 0
}

func (t *table[T]) len() int { return len(t.rows) }

// each yields the objects in insertion order without copying them, so a list that needs one
// page stops early.
func (t *table[T]) each() iter.Seq[*T] {
	return func(yield func(*T) bool) {
		for _, id := range t.order {
			if id != "" && !yield(t.rows[id].v) {
				return
			}
		}
	}
}

// all returns the objects in insertion order.
func (t *table[T]) all() []*T {
	out := make([]*T, 0, len(t.rows))
	for v := range t.each() {
		out = append(out, v)
	}
	return out
}
