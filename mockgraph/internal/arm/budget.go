package arm

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/clock"
)

// ARM's request budgets since its 2024 throttling architecture (azure-resource-manager/management/
// request-limits-and-throttling.md, "Regional throttling and token bucket algorithm"): a token
// bucket per subscription (or tenant, for calls without one), security principal and operation
// kind, and for subscriptions a global bucket, across principals, fifteen times as large and as
// fast. Each request takes a token; an empty bucket answers 429 with Retry-After until one is
// refilled. Every answer says what is left in the x-ms-ratelimit-remaining-* headers.
type opKind int

const (
	opRead opKind = iota
	opWrite
	opDelete
)

// bucketLimit is a bucket's size and its refill per second.
type bucketLimit struct{ size, refill float64 }

var opLimits = [...]bucketLimit{
	opRead:   {250, 25},
	opWrite:  {200, 10},
	opDelete: {200, 10},
}

// globalFactor: "a global subscription limit that's 15 times the individual service principal limit".
const globalFactor = 15

// opWords name the kinds in the headers and in the throttling message.
var opWords = [...]string{opRead: "reads", opWrite: "writes", opDelete: "deletes"}

// Throttling error codes, as ARM answers them (FIDELITY.md: the code as users report it).
const (
	CodeSubscriptionThrottled = "SubscriptionRequestsThrottled"
	CodeTenantThrottled       = "TenantRequestsThrottled"
)

func kindOf(method string) opKind {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return opRead
	case http.MethodDelete:
		return opDelete
	}
	return opWrite
}

type bucket struct {
	tokens float64
	at     time.Time
}

// budgets holds the buckets, on the mock's clock: a frozen clock refills nothing, an advanced one
// refills at once.
type budgets struct {
	clock   clock.Clock
	mu      sync.Mutex
	buckets map[string]*bucket
}

func newBudgets(c clock.Clock) *budgets { return &budgets{clock: c, buckets: map[string]*bucket{}} }

// level refills the bucket for key to now and returns it.
func (b *budgets) level(key string, l bucketLimit, now time.Time) *bucket {
	bk := b.buckets[key]
	if bk == nil {
		bk = &bucket{tokens: l.size, at: now}
		b.buckets[key] = bk
	}
	if d := now.Sub(bk.at); d > 0 {
		bk.tokens = math.Min(l.size, bk.tokens+d.Seconds()*l.refill)
	}
	bk.at = now
	return bk
}

// spend takes a token for a request of kind k by principal in subscription sub ("" for a
// tenant-level call in tenant tid). It sets the remaining-requests headers, or answers 429 and
// reports false when a bucket is empty.
func (b *budgets) spend(w http.ResponseWriter, r *http.Request, sub, tid, principal string) bool {
	k := kindOf(r.Method)
	own := opLimits[k]
	global := bucketLimit{own.size * globalFactor, own.refill * globalFactor}
	now := b.clock.Now()

	b.mu.Lock()
	var mine, all *bucket
	if sub != "" {
		mine = b.level("s|"+sub+"|"+principal+"|"+opWords[k], own, now)
		all = b.level("g|"+sub+"|"+opWords[k], global, now)
	} else {
		mine = b.level("t|"+tid+"|"+principal+"|"+opWords[k], own, now)
	}
	wait := time.Duration(0)
	if mine.tokens < 1 {
		wait = untilToken(mine, own)
	}
	if all != nil && all.tokens < 1 {
		wait = max(wait, untilToken(all, global))
	}
	if wait == 0 {
		mine.tokens--
		if all != nil {
			all.tokens--
		}
	}
	left, leftAll := int(mine.tokens), 0
	if all != nil {
		leftAll = int(all.tokens)
	}
	b.mu.Unlock()

	h := w.Header()
	if sub != "" {
		h.Set("x-ms-ratelimit-remaining-subscription-"+opWords[k], strconv.Itoa(left))
		h.Set("x-ms-ratelimit-remaining-subscription-global-"+opWords[k], strconv.Itoa(leftAll))
	} else {
		h.Set("x-ms-ratelimit-remaining-tenant-"+opWords[k], strconv.Itoa(left))
	}
	if wait == 0 {
		return true
	}
	secs := RetryAfterSeconds(wait)
	h.Set("Retry-After", strconv.Itoa(secs))
	WriteThrottled(w, r, secs)
	return false
}

// untilToken is how long until the bucket holds a whole token again.
func untilToken(bk *bucket, l bucketLimit) time.Duration {
	return time.Duration((1 - bk.tokens) / l.refill * float64(time.Second))
}

// WriteThrottled answers 429 as ARM does when a request budget is spent:
// SubscriptionRequestsThrottled (TenantRequestsThrottled without a subscription), with the
// seconds to wait in the message; the caller sets Retry-After. The random throttling of
// --fault-429 answers with it too.
func WriteThrottled(w http.ResponseWriter, r *http.Request, secs int) {
	word := "read"
	if kindOf(r.Method) != opRead {
		word = "write"
	}
	code, scope := CodeTenantThrottled, "tenant"
	if sub := SubscriptionInPath(r.URL.Path); sub != "" {
		code, scope = CodeSubscriptionThrottled, "subscription '"+sub+"'"
	}
	armError(w, http.StatusTooManyRequests, code,
		"Number of '%s' requests for %s exceeded. Please try again after '%d' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling", word, scope, secs)
}

// RetryAfterSeconds is a wait as Retry-After says it: whole seconds, at least one.
func RetryAfterSeconds(d time.Duration) int { return max(1, int(math.Ceil(d.Seconds()))) }

// SubscriptionInPath is the subscription id a request path names, "" for none.
func SubscriptionInPath(path string) string {
	rest, ok := strings.CutPrefix(strings.ToLower(path), "/subscriptions/")
	if !ok {
		return ""
	}
	sub, _, _ := strings.Cut(rest, "/")
	return sub
}
