package tenant

import (
	"iter"
	"slices"
)

// table keeps objects by id in insertion order, so lists and paging are stable.
type table[T any] struct {
	rows  map[string]*T
	order []string
}

func newTable[T any]() table[T] { return table[T]{rows: map[string]*T{}} }

func (t *table[T]) get(id string) *T { return t.rows[id] }

func (t *table[T]) put(id string, v *T) {
	if _, ok := t.rows[id]; !ok {
		t.order = append(t.order, id)
	}
	t.rows[id] = v
}

func (t *table[T]) del(id string) bool {
	if _, ok := t.rows[id]; !ok {
		return false
	}
	delete(t.rows, id)
	if i := slices.Index(t.order, id); i >= 0 {
		t.order = slices.Delete(t.order, i, i+1)
	}
	return true
}

func (t *table[T]) len() int { return len(t.order) }

// each yields the objects in insertion order without copying them, so a list that needs one
// page stops early.
func (t *table[T]) each() iter.Seq[*T] {
	return func(yield func(*T) bool) {
		for _, id := range t.order {
			if !yield(t.rows[id]) {
				return
			}
		}
	}
}

// all returns the objects in insertion order.
func (t *table[T]) all() []*T {
	out := make([]*T, 0, len(t.order))
	for _, id := range t.order {
		out = append(out, t.rows[id])
	}
	return out
}
