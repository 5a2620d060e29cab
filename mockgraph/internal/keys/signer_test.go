package keys

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// backends is every signer this build and machine can use for k's key.
func backends(t testing.TB, k *Keys) map[string]signer {
	t.Helper()
	all := map[string]signer{BackendGo: goSigner{k.PrivateKey()}}
	if s := newOpenSSLSigner(k.PrivateKey()); s != nil {
		all[s.backend()] = s
	}
	return all
}

// withSigner is k signing with s.
func withSigner(k *Keys, s signer) *Keys {
	a := k.active()
	u := &upgradingSigner{fallback: goSigner{a.priv}}
	u.fast.Store(&s)
	c := *a
	c.signer = u
	w := &Keys{}
	w.ring.Store((&ring{active: &c, keys: []*key{&c}}).sealed())
	return w
}

func TestEverySignerMintsTokensTheValidatorAccepts(t *testing.T) {
	k := fixture(t)
	now := time.Now()
	for name, s := range backends(t, k) {
		t.Run(name, func(t *testing.T) {
			if !agrees(s, &k.PrivateKey().PublicKey) {
				t.Fatal("signature does not verify with crypto/rsa")
			}
			tok, err := withSigner(k, s).Sign(claimsAt(now))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := k.Validate(tok, Expect{Audiences: []string{aud}, Issuers: []string{iss}, Now: now}); err != nil {
				t.Fatalf("own token rejected: %v", err)
			}
			header, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
			if want := `{"typ":"JWT","alg":"RS256","x5t":"` + k.KeyID() + `","kid":"` + k.KeyID() + `"}`; string(header) != want {
				t.Errorf("header %s, want %s", header, want)
			}
		})
	}
}

func TestSignerUpgradesToTheFastestBackend(t *testing.T) {
	k := fixture(t)
	want := BackendGo
	if s := newOpenSSLSigner(k.PrivateKey()); s != nil {
		want = s.backend()
	}
	if got := k.AwaitBackend(); got != want {
		t.Fatalf("backend after loading: %q, want %q", got, want)
	}
}

func TestBrokenSignerIsNeverUsed(t *testing.T) {
	k := fixture(t)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	if agrees(goSigner{other}, &k.PrivateKey().PublicKey) {
		t.Fatal("a signer with another key passed the self-test")
	}
}

func TestBackendEnvForcesGo(t *testing.T) {
	t.Setenv(BackendEnv, backendForceGo)
	s := newSigner(fixture(t).PrivateKey())
	s.wait()
	if got := s.backend(); got != BackendGo {
		t.Fatalf("backend %q with %s=%s", got, BackendEnv, backendForceGo)
	}
}

// BenchmarkSign is the RS256 token signing rate of each backend, on all cores.
func BenchmarkSign(b *testing.B) {
	k := fixture(b)
	claims := claimsAt(time.Now())
	for name, s := range backends(b, k) {
		ks := withSigner(k, s)
		b.Run(strings.Fields(name)[0], func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := ks.Sign(claims); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}
