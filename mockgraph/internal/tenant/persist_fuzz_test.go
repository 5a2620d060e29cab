package tenant

import (
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/rng"
)

// FuzzUnmarshalState feeds the state-file reader arbitrary bytes: it must answer with an error
// or a directory that saves and reads back, never panic.
func FuzzUnmarshalState(f *testing.F) {
	seeded, err := MarshalState(Seed(rng.New(1), SeedOptions{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seeded)
	f.Add([]byte(`{"version":1,"tenantId":"t","applications":[null],"servicePrincipals":[null]}`))
	f.Add([]byte(`{"version":1,"tenantId":"t","dicomInstances":[null],"users":[{}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := UnmarshalState(data)
		if err != nil {
			return
		}
		again, err := MarshalState(d)
		if err != nil {
			t.Fatalf("a state that loads does not save: %v", err)
		}
		if _, err := UnmarshalState(again); err != nil {
			t.Fatalf("a saved state does not load: %v", err)
		}
	})
}
