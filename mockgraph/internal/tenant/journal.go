package tenant

// journal records, while a Store.Update runs, how to undo every change made to the directory
// and which stored records it touched, so that a write either reaches the state store whole or
// leaves nothing behind, in memory or on disk. Outside an Update it records nothing.
type journal struct {
	active bool
	undo   []func()
	dirty  []record
	seen   map[record]bool
}

// record names one stored value: a bucket (a table, a map, the change feed) and its key there.
type record struct{ bucket, key string }

// touched notes a change: undo restores what was there before it.
func (j *journal) touched(bucket, key string, undo func()) {
	if j == nil || !j.active {
		return
	}
	j.undo = append(j.undo, undo)
	r := record{bucket, key}
	if !j.seen[r] {
		j.seen[r] = true
		j.dirty = append(j.dirty, r)
	}
}

func (j *journal) begin() {
	j.active, j.undo, j.dirty, j.seen = true, j.undo[:0], j.dirty[:0], map[record]bool{}
}

// rollback undoes the changes, newest first.
func (j *journal) rollback() {
	j.active = false
	for i := len(j.undo) - 1; i >= 0; i-- {
		j.undo[i]()
	}
	j.end()
}

func (j *journal) end() {
	j.active = false
	clear(j.undo)
	j.undo, j.dirty, j.seen = j.undo[:0], j.dirty[:0], nil
}

// setMap and deleteMap change a map through the journal.
func setMap[V any](j *journal, bucket string, m map[string]V, k string, v V) {
	old, had := m[k]
	m[k] = v
	j.touched(bucket, k, func() { restoreMap(m, k, old, had) })
}

func deleteMap[V any](j *journal, bucket string, m map[string]V, k string) {
	old, had := m[k]
	if !had {
		return
	}
	delete(m, k)
	j.touched(bucket, k, func() { restoreMap(m, k, old, had) })
}

func restoreMap[V any](m map[string]V, k string, old V, had bool) {
	if had {
		m[k] = old
	} else {
		delete(m, k)
	}
}
