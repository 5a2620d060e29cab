package mockgraph

import "testing"

// BenchmarkStart is what mockgraph.Start costs a test: a seeded tenant, keys, a CA, an HTTPS
// listener, and Close at the end. The target is ≤ 5 ms (issue 7); the signing key is the
// process's shared one, as in Start.
func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		s, err := New(WithKeyFile("-"))
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/start")
}
