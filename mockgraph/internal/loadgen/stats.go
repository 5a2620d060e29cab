// Package loadgen drives a running mock (or a peer token server) with many concurrent clients,
// bounded in time and requests, and reports throughput, latency percentiles and errors.
package loadgen

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// Stats collects per-operation latencies and outcomes; safe for concurrent use.
type Stats struct {
	mu  sync.Mutex
	ops map[string]*opStats
}

type opStats struct {
	latencies []time.Duration
	statuses  map[int]int
	failures  []string // first few unexpected answers, for the report
}

// NewStats returns empty stats.
func NewStats() *Stats { return &Stats{ops: map[string]*opStats{}} }

// Record notes one request of op: its latency, its status, and whether the status was expected.
func (s *Stats) Record(op string, d time.Duration, status int, ok bool, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.ops[op]
	if o == nil {
		o = &opStats{statuses: map[int]int{}}
		s.ops[op] = o
	}
	o.latencies = append(o.latencies, d)
	o.statuses[status]++
	if !ok && len(o.failures) < 5 {
		o.failures = append(o.failures, fmt.Sprintf("%d %s", status, detail))
	}
}

// Summary is one operation's numbers.
type Summary struct {
	Op         string
	Count      int
	Unexpected int
	P50, P99   time.Duration
	Statuses   map[int]int
	Failures   []string
}

// Summaries returns one Summary per operation (sorted by name) and their total.
func (s *Stats) Summaries(expected func(op string, status int) bool) ([]Summary, Summary) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.ops))
	for n := range s.ops {
		names = append(names, n)
	}
	sort.Strings(names)
	var all []time.Duration
	total := Summary{Op: "total", Statuses: map[int]int{}}
	var out []Summary
	for _, n := range names {
		o := s.ops[n]
		sum := Summary{Op: n, Count: len(o.latencies), Statuses: o.statuses, Failures: o.failures}
		for st, c := range o.statuses {
			if !expected(n, st) {
				sum.Unexpected += c
			}
			total.Statuses[st] += c
		}
		sum.P50, sum.P99 = percentiles(o.latencies)
		all = append(all, o.latencies...)
		total.Count += sum.Count
		total.Unexpected += sum.Unexpected
		total.Failures = append(total.Failures, o.failures...)
		out = append(out, sum)
	}
	total.P50, total.P99 = percentiles(all)
	return out, total
}

func percentiles(d []time.Duration) (p50, p99 time.Duration) {
	if len(d) == 0 {
		return 0, 0
	}
	c := append([]time.Duration(nil), d...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	return c[len(c)*50/100], c[min(len(c)-1, len(c)*99/100)]
}

// WriteTable prints the summaries as an aligned table.
func WriteTable(w io.Writer, rows []Summary, total Summary, elapsed time.Duration) {
	fmt.Fprintf(w, "%-22s %9s %10s %10s %10s %11s  %s\n", "operation", "requests", "req/s", "p50", "p99", "unexpected", "statuses")
	for _, r := range append(rows, total) {
		fmt.Fprintf(w, "%-22s %9d %10.0f %10s %10s %11d  %s\n", r.Op, r.Count, float64(r.Count)/elapsed.Seconds(),
			r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Unexpected, statusList(r.Statuses))
	}
}

func statusList(m map[int]int) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d×%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}
