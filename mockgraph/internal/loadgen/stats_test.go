package loadgen

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestSummariesCountUnexpectedAndPercentiles(t *testing.T) {
	s := NewStats()
	for i := 1; i <= 100; i++ {
		s.Record("token", time.Duration(i)*time.Millisecond, 200, true, "")
	}
	s.Record("graph-read", time.Millisecond, 500, false, "boom")
	rows, total := s.Summaries(func(op string, status int) bool { return status < 400 })
	if len(rows) != 2 || total.Count != 101 || total.Unexpected != 1 {
		t.Fatalf("rows %+v total %+v", rows, total)
	}
	tok := rows[1]
	if tok.Op != "token" || tok.P50 != 51*time.Millisecond || tok.P99 != 100*time.Millisecond {
		t.Fatalf("token summary %+v", tok)
	}
	var b bytes.Buffer
	WriteTable(&b, rows, total, time.Second)
	if !strings.Contains(b.String(), "500×1") || !strings.Contains(b.String(), "total") {
		t.Fatalf("table:\n%s", b.String())
	}
}
