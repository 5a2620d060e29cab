package cli

import (
	"context"
	"fmt"
	"testing"

	"github.com/dicomreg/dicomreg/mockgraph"
)

// BenchmarkRegister is register's whole flow against the mock library (TLS, tokens, Graph, ARM):
// a new app each iteration (secret, Postman redirect, DICOM permission, consent, owner role), then
// a converged re-run of the same app. It reports wall time and the Graph+ARM requests the mock
// counted for each.
func BenchmarkRegister(b *testing.B) {
	srv := mockgraph.Start(b, mockgraph.WithSeed(99))
	for _, mode := range []string{"new-app", "converged"} {
		b.Run(mode, func(b *testing.B) {
			reads, writes, i := 0, 0, 0
			for b.Loop() {
				i++
				name := fmt.Sprintf("bench-%s-%d", mode, i)
				if mode == "converged" {
					b.StopTimer()
					f, _, _ := registerFactory(srv)
					if code := run(context.Background(), f, registerArgs(srv, name, "--secret")); code != ExitOK {
						b.Fatalf("setup run: exit %d", code)
					}
					b.StartTimer()
				}
				f, _, errOut := registerFactory(srv)
				srv.ResetRequests()
				if code := run(context.Background(), f, registerArgs(srv, name, "--secret")); code != ExitOK {
					b.Fatalf("exit %d: %s", code, errOut)
				}
				n := srv.Requests()
				reads, writes = reads+n.Reads, writes+n.Writes
			}
			b.ReportMetric(float64(reads)/float64(i), "reads/op")
			b.ReportMetric(float64(writes)/float64(i), "writes/op")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(i), "ms/op")
		})
	}
}
