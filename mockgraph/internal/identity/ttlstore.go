package identity

import (
	"sync"
	"time"
)

// Bounds of the in-memory grant stores: beyond them the oldest entries are dropped first, so a
// flood of unused codes cannot grow the mock without limit.
const (
	maxCodes         = 100_000
	maxRefreshTokens = 500_000
	// maxPending bounds sign-ins under way and device codes: any client can start them without
	// credentials, and each keeps up to a request's parameters (8 KB of query string for
	// /authorize, 64 KB of form for /devicecode), so at most ~16 MB and ~128 MB. A test tenant
	// never has this many users signing in at once; the oldest are dropped first.
	maxPending = 2_000
)

type ttlEntry[T any] struct {
	value   T
	expires time.Time
}

// ttlStore is a bounded map whose entries expire. Entries of one store have similar lifetimes,
// so insertion order approximates expiry order and pruning from the front is cheap.
type ttlStore[T any] struct {
	mu    sync.Mutex
	max   int
	grace time.Duration // how long an expired entry is still remembered
	items map[string]ttlEntry[T]
	order []string
}

func newTTLStore[T any](max int, grace time.Duration) *ttlStore[T] {
	return &ttlStore[T]{max: max, grace: grace, items: map[string]ttlEntry[T]{}}
}

// put stores v under key until expires, pruning expired and over-limit entries first.
func (t *ttlStore[T]) put(key string, v T, expires, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.prune(now)
	if _, ok := t.items[key]; !ok {
		t.order = append(t.order, key)
	}
	t.items[key] = ttlEntry[T]{value: v, expires: expires}
}

// get returns the entry (expired ones too, so callers can tell "expired" from "unknown").
func (t *ttlStore[T]) get(key string) (v T, expires time.Time, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.items[key]
	return e.value, e.expires, ok
}

// update replaces the value of a present entry under the lock; fn reports whether to keep it.
func (t *ttlStore[T]) update(key string, fn func(v T) (T, bool)) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.items[key]
	if !ok {
		return false
	}
	nv, keep := fn(e.value)
	if !keep {
		delete(t.items, key)
		return true
	}
	e.value = nv
	t.items[key] = e
	return true
}

func (t *ttlStore[T]) delete(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.items, key)
}

// clear forgets every entry (the control API's reset).
func (t *ttlStore[T]) clear() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.items, t.order = map[string]ttlEntry[T]{}, nil
}

func (t *ttlStore[T]) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.items)
}

// prune drops entries expired for longer than the store's grace (codes are kept that long so an
// expired one still answers "expired" rather than "unknown") and the oldest beyond max.
func (t *ttlStore[T]) prune(now time.Time) {
	i := 0
	for ; i < len(t.order); i++ {
		k := t.order[i]
		e, ok := t.items[k]
		if ok && now.Before(e.expires.Add(t.grace)) && len(t.items) < t.max {
			break
		}
		delete(t.items, k)
	}
	t.order = t.order[i:]
}

// expiredGrace is how long an expired code or token is remembered.
const expiredGrace = 24 * time.Hour
