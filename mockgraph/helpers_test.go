package mockgraph

import (
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/keys"
)

func keysExpect(aud string) keys.Expect {
	return keys.Expect{Audiences: []string{aud}, Now: time.Now()}
}
