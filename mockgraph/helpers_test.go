package mockgraph

import (
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
)

func keysExpect(aud string) keys.Expect {
	return keys.Expect{Audiences: []string{aud}, Now: time.Now()}
}
