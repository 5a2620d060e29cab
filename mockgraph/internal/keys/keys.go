// Package keys holds the mock's token-signing key: it mints RS256 JWTs, publishes them as JWKS,
// and validates the tokens every protected surface (Graph, ARM, DICOMweb) receives.
package keys

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"sync/atomic"
	"time"
)

// Keys signs tokens with its active key and validates them against every published key. It
// starts with one key; Rotate adds a new active key and schedules the old one's retirement, the
// way Entra rolls its signing keys (signing-key-rollover.md): for a grace period both are in the
// JWKS and tokens of either validate, then the old one is gone.
type Keys struct {
	ring atomic.Pointer[ring]
}

// ring is one immutable state of the key set; Rotate and Retire publish a new one.
type ring struct {
	active *key
	keys   []*key               // published, newest first
	retire map[string]time.Time // kid → when it stops being published and accepted
	jwks   []byte               // the published keys as a JWKS document
}

// sealed computes the ring's JWKS once, so serving it costs nothing per request.
func (r *ring) sealed() *ring {
	set := make([]any, 0, len(r.keys))
	for _, c := range r.keys {
		set = append(set, c.jwk())
	}
	r.jwks, _ = json.Marshal(map[string]any{"keys": set})
	return r
}

// key is one RSA signing key and its self-signed certificate.
type key struct {
	priv    *rsa.PrivateKey
	certDER []byte
	kid     string // base64url SHA-1 of the certificate, as Entra's kid and x5t
	signer  *upgradingSigner
	header  string // the JWT header segment, the same for every token of this key
}

// The JWKS certificate's validity is fixed, not taken from a clock: the certificate, and so the
// kid (its thumbprint), then depend on the key alone, and tokens outlive a restart.
var (
	certNotBefore = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	certNotAfter  = time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC)
)

// MinRSABits is the smallest signing key accepted: Entra signs with 2048-bit RSA keys, and
// validators (Microsoft.IdentityModel among them) refuse smaller ones.
const MinRSABits = 2048

func newKey(priv *rsa.PrivateKey) (*key, error) {
	if n := priv.N.BitLen(); n < MinRSABits {
		return nil, fmt.Errorf("keys: the signing key has %d bits; at least %d are needed, as Entra's", n, MinRSABits)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "dicomreg mockgraph token signing"},
		NotBefore:             certNotBefore,
		NotAfter:              certNotAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, fmt.Errorf("keys: self-signed certificate: %w", err)
	}
	sum := sha1.Sum(der)
	k := &key{priv: priv, certDER: der, kid: base64.RawURLEncoding.EncodeToString(sum[:]), signer: newSigner(priv)}
	// Entra's header: typ, alg, x5t, kid, in that order.
	k.header = base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT","alg":"RS256","x5t":"` + k.kid + `","kid":"` + k.kid + `"}`))
	return k, nil
}

// New wraps priv with a self-signed certificate (deterministic for a given key).
func New(priv *rsa.PrivateKey) (*Keys, error) {
	k, err := newKey(priv)
	if err != nil {
		return nil, err
	}
	ks := &Keys{}
	ks.ring.Store((&ring{active: k, keys: []*key{k}}).sealed())
	return ks, nil
}

// Fork returns a Keys with the same keys whose rotations are its own: servers in one process
// share the key material but not each other's rollovers.
func (k *Keys) Fork() *Keys {
	f := &Keys{}
	f.ring.Store(k.ring.Load())
	return f
}

func (k *Keys) active() *key { return k.ring.Load().active }

// Backend names the RSA implementation that signs ("OpenSSL 3.0.x" or "go crypto/rsa").
func (k *Keys) Backend() string { return k.active().signer.backend() }

// AwaitBackend waits until the fastest available RSA implementation signs (a few ms after New),
// and returns its name.
func (k *Keys) AwaitBackend() string {
	s := k.active().signer
	s.wait()
	return s.backend()
}

// KeyID is the kid (and x5t) in the header of the tokens signed now.
func (k *Keys) KeyID() string { return k.active().kid }

// Public returns the active public key.
func (k *Keys) Public() *rsa.PublicKey { return &k.active().priv.PublicKey }

// PrivateKey returns the active signing key (for persisting it).
func (k *Keys) PrivateKey() *rsa.PrivateKey { return k.active().priv }

// KeyState is one published key as the control API shows it.
type KeyState struct {
	KeyID    string     `json:"kid"`
	Active   bool       `json:"active"`
	RetireAt *time.Time `json:"retireAt,omitempty"`
}

// State lists the published keys, newest first.
func (k *Keys) State() []KeyState {
	r := k.ring.Load()
	out := make([]KeyState, 0, len(r.keys))
	for _, c := range r.keys {
		st := KeyState{KeyID: c.kid, Active: c == r.active}
		if at, ok := r.retire[c.kid]; ok {
			at := at
			st.RetireAt = &at
		}
		out = append(out, st)
	}
	return out
}

// Rotate makes priv the signing key at once and keeps the keys published so far until now+grace,
// when Retire drops them.
func (k *Keys) Rotate(priv *rsa.PrivateKey, now time.Time, grace time.Duration) (string, error) {
	nk, err := newKey(priv)
	if err != nil {
		return "", err
	}
	for {
		old := k.ring.Load()
		next := &ring{active: nk, keys: append([]*key{nk}, old.keys...), retire: map[string]time.Time{}}
		for kid, at := range old.retire {
			next.retire[kid] = at
		}
		for _, c := range old.keys {
			if _, ok := next.retire[c.kid]; !ok {
				next.retire[c.kid] = now.Add(grace)
			}
		}
		if k.ring.CompareAndSwap(old, next.sealed()) {
			return nk.kid, nil
		}
	}
}

// RingKey is one published key as Ring lists it: its private half and when it retires (zero for
// the active key, and for one no rotation has scheduled).
type RingKey struct {
	Priv     *rsa.PrivateKey
	RetireAt time.Time
}

// Ring lists the published keys, the active one first, so a server can keep them across a
// restart.
func (k *Keys) Ring() []RingKey {
	r := k.ring.Load()
	out := []RingKey{{Priv: r.active.priv, RetireAt: r.retire[r.active.kid]}}
	for _, c := range r.keys {
		if c != r.active {
			out = append(out, RingKey{Priv: c.priv, RetireAt: r.retire[c.kid]})
		}
	}
	return out
}

// Restore adds the keys of a ring Ring listed (the first is the active one) to k, which then
// signs with that key and accepts the others until their retirement.
func (k *Keys) Restore(published []RingKey) error {
	if len(published) == 0 {
		return nil
	}
	next := &ring{retire: map[string]time.Time{}}
	for i, rk := range published {
		c, err := newKey(rk.Priv)
		if err != nil {
			return err
		}
		if i == 0 {
			next.active = c
		}
		next.keys = append(next.keys, c)
		if !rk.RetireAt.IsZero() {
			next.retire[c.kid] = rk.RetireAt
		}
	}
	k.ring.Store(next.sealed())
	return nil
}

// Retire drops the keys whose grace period has ended by now; tokens they signed stop validating.
func (k *Keys) Retire(now time.Time) {
	for {
		old := k.ring.Load()
		due := false
		for _, at := range old.retire {
			due = due || !now.Before(at)
		}
		if !due {
			return
		}
		next := &ring{active: old.active, retire: map[string]time.Time{}}
		for _, c := range old.keys {
			if at, ok := old.retire[c.kid]; ok && !now.Before(at) && c != old.active {
				continue
			}
			next.keys = append(next.keys, c)
			if at, ok := old.retire[c.kid]; ok {
				next.retire[c.kid] = at
			}
		}
		if len(next.keys) == len(old.keys) || k.ring.CompareAndSwap(old, next.sealed()) {
			return
		}
	}
}

// lookup finds a published key by kid, refusing one whose retirement time has come.
func (k *Keys) lookup(kid string, now time.Time) (*key, bool) {
	r := k.ring.Load()
	for _, c := range r.keys {
		if c.kid == kid {
			if at, ok := r.retire[kid]; ok && !now.Before(at) {
				return nil, false
			}
			return c, true
		}
	}
	return nil, false
}

func (c *key) jwk() map[string]any {
	pub := c.priv.PublicKey
	return map[string]any{
		"kty": "RSA", "use": "sig", "kid": c.kid, "x5t": c.kid,
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		"x5c": []string{base64.StdEncoding.EncodeToString(c.certDER)},
	}
}

// JWKS is the key set document (`/discovery/v2.0/keys`): every published key, newest first.
func (k *Keys) JWKS() []byte { return k.ring.Load().jwks }

// Sign mints an RS256 JWT over claims with the active key, with typ, kid and x5t in its header
// as Entra sends them.
func (k *Keys) Sign(claims map[string]any) (string, error) {
	a := k.active()
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("keys: claims: %w", err)
	}
	enc := base64.RawURLEncoding
	b := make([]byte, 0, len(a.header)+1+enc.EncodedLen(len(payload))+1+enc.EncodedLen(a.priv.Size()))
	b = append(b, a.header...)
	b = append(b, '.')
	b = enc.AppendEncode(b, payload)
	digest := sha256.Sum256(b)
	sig, err := a.signer.signSHA256(digest[:])
	if err != nil {
		return "", fmt.Errorf("keys: sign: %w", err)
	}
	b = append(b, '.')
	b = enc.AppendEncode(b, sig)
	return string(b), nil
}
