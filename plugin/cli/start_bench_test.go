package cli

import (
	"context"
	"testing"
)

// BenchmarkVersion is what `dicomreg version` does after the process starts: build the command
// tree, parse, print.
func BenchmarkVersion(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		f, _, _ := testFactory(nil)
		if code := run(context.Background(), f, []string{"version"}); code != ExitOK {
			b.Fatal(code)
		}
	}
}
