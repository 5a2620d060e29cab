package tenant

import "iter"

// table keeps objects by id in insertion order, so lists and paging are stable. Every operation
// is O(1) (amortized): a delete leaves a hole in order that iteration skips, and the holes are
// compacted away once they are half of it (never inside an Update, whose undo needs positions).
//
// index and unindex keep the directory's lookup maps right; they run on every change and on its
// undo, so an undone write leaves the indexes as it found them.
type table[T any] struct {
	bucket  string
	j       *journal
	index   func(id string, v *T)
	unindex func(id string, v *T)

	rows  map[string]row[T]
	order []string // ids in insertion order; "" is a deleted row's hole
	holes int
	next  uint64 // the seq of the next new row
}

type row[T any] struct {
	v   *T
	pos int    // index in order
	seq uint64 // insertion number, kept on disk so a reload keeps the order
}

func newTable[T any](bucket string, j *journal) table[T] {
	return table[T]{bucket: bucket, j: j, rows: map[string]row[T]{}}
}

func (t *table[T]) get(id string) *T { return t.rows[id].v }

func (t *table[T]) put(id string, v *T) {
	old, existed := t.rows[id]
	if existed && t.unindex != nil {
		t.unindex(id, old.v)
	}
	r := old
	if !existed {
		r = row[T]{pos: len(t.order), seq: t.next}
		t.order = append(t.order, id)
		t.next++
	}
	r.v = v
	t.rows[id] = r
	if t.index != nil {
		t.index(id, v)
	}
	t.j.touched(t.bucket, id, func() { t.restore(id, old, existed) })
}

func (t *table[T]) del(id string) bool {
	old, ok := t.rows[id]
	if !ok {
		return false
	}
	if t.unindex != nil {
		t.unindex(id, old.v)
	}
	delete(t.rows, id)
	t.order[old.pos] = ""
	t.holes++
	if t.j != nil && t.j.active {
		t.j.touched(t.bucket, id, func() { t.restore(id, old, true) })
	} else if t.holes > len(t.order)/2 {
		t.compact()
	}
	return true
}

// restore puts back the row a change replaced (existed) or removes the row it added. Undo runs
// newest change first, so an added row is the last in order.
func (t *table[T]) restore(id string, old row[T], existed bool) {
	if cur, ok := t.rows[id]; ok {
		if t.unindex != nil {
			t.unindex(id, cur.v)
		}
		if !existed {
			delete(t.rows, id)
			t.order = t.order[:cur.pos]
			t.next--
			return
		}
	} else {
		t.holes--
	}
	t.rows[id] = old
	t.order[old.pos] = id
	if t.index != nil {
		t.index(id, old.v)
	}
}

// compactIfSparse compacts once holes are half of the order; Store calls it after an Update.
func (t *table[T]) compactIfSparse() {
	if t.holes > len(t.order)/2 {
		t.compact()
	}
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

// pos is the row's place in insertion order (-1 if absent): indexes that list several ids keep
// them in this order.
func (t *table[T]) pos(id string) int {
	if r, ok := t.rows[id]; ok {
		return r.pos
	}
	return -1
}

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

// eachRow yields ids, objects and seqs in insertion order (for saving).
func (t *table[T]) eachRow() iter.Seq2[string, row[T]] {
	return func(yield func(string, row[T]) bool) {
		for _, id := range t.order {
			if id != "" && !yield(id, t.rows[id]) {
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
