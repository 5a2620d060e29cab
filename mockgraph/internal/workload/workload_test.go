package workload

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dicomreg/dicomreg/mockgraph/internal/rng"
)

func TestMintedTokensVerifyWithTheIssuerKey(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	r := rng.New(1)
	gh, err := MintGitHub("https://127.0.0.1:8443", GitHubRequest{Repository: "octo/imaging", Tag: "v1"}, now, r)
	if err != nil {
		t.Fatal(err)
	}
	k8s, _, err := MintKubernetes("https://127.0.0.1:8443", KubernetesRequest{Namespace: "imaging", ServiceAccount: "uploader"}, now, r)
	if err != nil {
		t.Fatal(err)
	}
	for kind, c := range map[Kind]struct{ tok, iss, sub string }{
		GitHub:     {gh, "https://127.0.0.1:8443/oidc/github", "repo:octo/imaging:ref:refs/tags/v1"},
		Kubernetes: {k8s, "https://127.0.0.1:8443/oidc/k8s/", "system:serviceaccount:imaging:uploader"},
	} {
		claims := jwt.MapClaims{}
		p := jwt.NewParser(jwt.WithTimeFunc(func() time.Time { return now }))
		if _, err := p.ParseWithClaims(c.tok, claims, func(*jwt.Token) (any, error) { return publicKey(kind), nil }); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if claims["iss"] != c.iss || claims["sub"] != c.sub {
			t.Errorf("%s: %v", kind, claims)
		}
	}
	if _, _, err := MintKubernetes("https://x", KubernetesRequest{Namespace: "imaging", ServiceAccount: "u", ExpirationSeconds: 60}, now, r); !IsBadRequest(err) {
		t.Errorf("60 s token: %v", err)
	}
	if _, err := GitHubSubject(GitHubRequest{Repository: "octo/imaging", Branch: "main", Tag: "v1"}); !IsBadRequest(err) {
		t.Errorf("branch and tag: %v", err)
	}
}
