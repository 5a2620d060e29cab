// Package rng is the mock's one source of randomness: object ids, secrets, codes and fault
// decisions all come from a ChaCha8 stream, so a run under a fixed seed repeats exactly, and a run
// under a seed from crypto/rand (the default) is unpredictable.
package rng

import (
	crand "crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sync"
)

// Source is safe for concurrent use.
type Source struct {
	mu sync.Mutex
	r  *rand.ChaCha8
}

// New returns a source seeded with seed; the same seed gives the same stream.
func New(seed uint64) *Source {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	copy(s[8:], "dicomreg-mockgraph-rng-v1")
	return &Source{r: rand.NewChaCha8(s)}
}

// NewRandom returns a source seeded from crypto/rand, and the seed, so a failing run can be replayed.
func NewRandom() (*Source, uint64) {
	var b [8]byte
	_, _ = crand.Read(b[:])
	seed := binary.LittleEndian.Uint64(b[:])
	return New(seed), seed
}

// Read fills p with random bytes. It never fails.
func (s *Source) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r.Read(p)
}

// GUID returns a random (version 4) GUID in its lower-case 8-4-4-4-12 form.
func (s *Source) GUID() string {
	var b [16]byte
	_, _ = s.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Token returns n random bytes, base64url-encoded without padding.
func (s *Source) Token(n int) string {
	b := make([]byte, n)
	_, _ = s.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Float64 returns a number in [0, 1).
func (s *Source) Float64() float64 {
	var b [8]byte
	_, _ = s.Read(b[:])
	return float64(binary.LittleEndian.Uint64(b[:])>>11) / (1 << 53)
}

// Intn returns a number in [0, n); n must be positive.
func (s *Source) Intn(n int) int {
	var b [8]byte
	_, _ = s.Read(b[:])
	return int(binary.LittleEndian.Uint64(b[:]) % uint64(n))
}

// SecretText returns a client secret in Entra's shape: 40 characters of letters, digits and
// ~._- , the first three being the hint Graph shows later.
func (s *Source) SecretText() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789~._-"
	b := make([]byte, 40)
	_, _ = s.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
