package mockgraph

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/identity"
	"github.com/dicomreg/dicomreg/mockgraph/internal/workload"
)

// Control API paths that mint workload tokens from the mock's GitHub-Actions- and
// Kubernetes-shaped issuers, for federated identity credential exchanges.
const (
	pathMintGitHub     = "/mock/oidc/github/token"
	pathMintKubernetes = "/mock/oidc/k8s/token"
)

// mintedToken is the control API's answer: the token and when it expires.
type mintedToken struct {
	Value     string    `json:"value"`
	Issuer    string    `json:"issuer"`
	Subject   string    `json:"subject"`
	ExpiresOn time.Time `json:"expiresOn"`
}

func (s *Server) registerWorkloadControl(r *mux.Router) {
	r.HandleFunc(pathMintGitHub, func(w http.ResponseWriter, r *http.Request) {
		var q workload.GitHubRequest
		if !decodeControl(w, r, &q) {
			return
		}
		s.answerMint(w, func() (mintedToken, error) { return s.mintGitHub(httpx.BaseURL(r), q) })
	}).Methods(http.MethodPost)
	r.HandleFunc(pathMintKubernetes, func(w http.ResponseWriter, r *http.Request) {
		var q workload.KubernetesRequest
		if !decodeControl(w, r, &q) {
			return
		}
		s.answerMint(w, func() (mintedToken, error) { return s.mintKubernetes(httpx.BaseURL(r), q) })
	}).Methods(http.MethodPost)
}

func (s *Server) answerMint(w http.ResponseWriter, mint func() (mintedToken, error)) {
	out, err := mint()
	switch {
	case workload.IsBadRequest(err):
		controlError(w, http.StatusBadRequest, "%v", err)
	case err != nil:
		controlError(w, http.StatusInternalServerError, "%v", err)
	default:
		httpx.WriteJSON(w, http.StatusOK, out)
	}
}

func (s *Server) mintGitHub(base string, q workload.GitHubRequest) (mintedToken, error) {
	sub, err := workload.GitHubSubject(q)
	if err != nil {
		return mintedToken{}, err
	}
	now := s.clock.Now()
	tok, err := workload.MintGitHub(base, q, now, s.rand)
	return mintedToken{Value: tok, Issuer: workload.IssuerURL(base, workload.GitHub), Subject: sub, ExpiresOn: now.Add(5 * time.Minute).UTC()}, err
}

func (s *Server) mintKubernetes(base string, q workload.KubernetesRequest) (mintedToken, error) {
	sub, err := workload.KubernetesSubject(q.Namespace, q.ServiceAccount)
	if err != nil {
		return mintedToken{}, err
	}
	tok, exp, err := workload.MintKubernetes(base, q, s.clock.Now(), s.rand)
	return mintedToken{Value: tok, Issuer: workload.IssuerURL(base, workload.Kubernetes), Subject: sub, ExpiresOn: exp.UTC()}, err
}

// GitHubIssuer is the issuer URL of the mock's GitHub-Actions-shaped tokens (what a federated
// credential's issuer must say).
func (s *Server) GitHubIssuer() string { return workload.IssuerURL(s.url, workload.GitHub) }

// KubernetesIssuer is the issuer URL of the mock's service account tokens.
func (s *Server) KubernetesIssuer() string { return workload.IssuerURL(s.url, workload.Kubernetes) }

// GitHubJob and KubernetesWorkload describe the workload a minted token is for; they are the
// mock's public names for its issuer's request types, so callers need no inner package.
type (
	GitHubJob          = workload.GitHubRequest
	KubernetesWorkload = workload.KubernetesRequest
)

// MintGitHubToken mints a GitHub-Actions-shaped OIDC token for the job q describes.
func (s *Server) MintGitHubToken(q GitHubJob) (string, error) {
	m, err := s.mintGitHub(s.url, q)
	return m.Value, err
}

// MintKubernetesToken mints a projected service account token.
func (s *Server) MintKubernetesToken(q KubernetesWorkload) (string, error) {
	m, err := s.mintKubernetes(s.url, q)
	return m.Value, err
}

// issuerClient fetches external issuers' keys: the system's roots and the mock's own CA, so the
// mock's issuers and real ones both verify.
func (s *Server) issuerClient() *http.Client {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	pool.AppendCertsFromPEM(s.ca.CertPEM())
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
}

// ManagedIdentityEndpoint is IDENTITY_ENDPOINT: the App Service-style token endpoint of the
// seeded managed identities.
func (s *Server) ManagedIdentityEndpoint() string { return s.url + identity.PathManagedIdentity }

// IdentityHeader is IDENTITY_HEADER, the value the endpoint wants in X-IDENTITY-HEADER. It derives
// from the admin secret (stable across restarts from a state file, unknown without the secret),
// and draws nothing from the seeded random source.
func (s *Server) IdentityHeader() string {
	sum := sha256.Sum256([]byte("IDENTITY_HEADER|" + s.Seeded().AdminSecret))
	return hex.EncodeToString(sum[:16])
}
