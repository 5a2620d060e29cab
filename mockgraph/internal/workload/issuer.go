// Package workload is the mock's stand-in for the OIDC issuers whose tokens workloads exchange
// for Entra tokens through federated identity credentials: GitHub Actions and a Kubernetes
// cluster's service account issuer. Each serves OIDC discovery and a JWKS under its own issuer
// URL on the mock's listener, and mints tokens shaped as the real issuer documents them.
package workload

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
)

// Kind names an issuer the mock serves.
type Kind string

// The issuers. Their URLs are https://HOST/oidc/<kind>.
const (
	GitHub     Kind = "github"
	Kubernetes Kind = "k8s"
)

// PathPrefix is where the issuers live on the mock's listener.
const PathPrefix = "/oidc/"

// discoveryPath and the JWKS paths are each issuer's own: GitHub publishes its keys at
// /.well-known/jwks (token.actions.githubusercontent.com/.well-known/openid-configuration), a
// Kubernetes API server at /openid/v1/jwks (service-accounts-admin: service account issuer discovery).
const (
	discoveryPath  = "/.well-known/openid-configuration"
	githubJWKSPath = "/.well-known/jwks"
	k8sJWKSPath    = "/openid/v1/jwks"
)

// keyOnce holds each issuer's key, made on first use once per process: RSA generation is slow,
// and nothing ties an issuer's key to one server.
var keyOnce sync.Map // Kind → func() (*issuerKey, error)

type issuerKey struct {
	priv *rsa.PrivateKey
	kid  string
}

func keyFor(k Kind) (*issuerKey, error) {
	f, _ := keyOnce.LoadOrStore(k, sync.OnceValues(func() (*issuerKey, error) {
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		der := priv.PublicKey.N.Bytes()
		sum := sha256.Sum256(der)
		return &issuerKey{priv: priv, kid: base64.RawURLEncoding.EncodeToString(sum[:16])}, nil
	}))
	return f.(func() (*issuerKey, error))()
}

// Known reports whether k is an issuer the mock serves.
func Known(k Kind) bool { return k == GitHub || k == Kubernetes }

// IssuerURL is the issuer's URL on a mock whose base URL is base (https://HOST:PORT). The
// Kubernetes one ends in a slash, as AKS's OIDC issuer URLs do.
func IssuerURL(base string, k Kind) string {
	u := strings.TrimSuffix(base, "/") + PathPrefix + string(k)
	if k == Kubernetes {
		u += "/"
	}
	return u
}

func jwksPath(k Kind) string {
	if k == Kubernetes {
		return k8sJWKSPath
	}
	return githubJWKSPath
}

// Register adds each issuer's discovery document and JWKS to r (public, as the real ones are).
func Register(r *mux.Router) {
	for _, k := range []Kind{GitHub, Kubernetes} {
		r.HandleFunc(PathPrefix+string(k)+discoveryPath, discovery(k)).Methods(http.MethodGet)
		r.HandleFunc(PathPrefix+string(k)+jwksPath(k), jwks(k)).Methods(http.MethodGet)
	}
}

func discovery(k Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		iss := IssuerURL(httpx.BaseURL(r), k)
		doc := map[string]any{
			"issuer": iss, "jwks_uri": strings.TrimSuffix(iss, "/") + jwksPath(k),
			"response_types_supported":              []string{"id_token"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
		}
		if k == GitHub {
			doc["subject_types_supported"] = []string{"public", "pairwise"}
			doc["scopes_supported"] = []string{"openid"}
			doc["claims_supported"] = githubClaimNames
		}
		httpx.WriteJSON(w, http.StatusOK, doc)
	}
}

func jwks(k Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		key, err := keyFor(k)
		if err != nil {
			httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
			return
		}
		pub := key.priv.PublicKey
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"keys": []any{map[string]any{
			"kty": "RSA", "alg": "RS256", "use": "sig", "kid": key.kid,
			"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		}}})
	}
}

// sign mints an RS256 JWT with the issuer's key; typ and kid in the header as both issuers send.
func sign(k Kind, claims map[string]any) (string, error) {
	key, err := keyFor(k)
	if err != nil {
		return "", err
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims))
	t.Header["kid"] = key.kid
	if k == GitHub {
		t.Header["x5t"] = key.kid
	}
	return t.SignedString(key.priv)
}

// publicKey is for tests in this package.
func publicKey(k Kind) crypto.PublicKey {
	key, err := keyFor(k)
	if err != nil {
		return nil
	}
	return &key.priv.PublicKey
}

// errBadRequest is a mint request the issuer refuses (the control API answers 400).
type errBadRequest struct{ msg string }

func (e *errBadRequest) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &errBadRequest{fmt.Sprintf(format, args...)}
}

// IsBadRequest reports whether err is the caller's fault.
func IsBadRequest(err error) bool {
	_, ok := err.(*errBadRequest)
	return ok
}
