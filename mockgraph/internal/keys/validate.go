package keys

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Why a token was refused; protected surfaces put these in their 401 answers and tests assert them.
const (
	ReasonMalformed = "malformed"
	ReasonAlgorithm = "algorithm"
	ReasonKeyID     = "unknown_kid"
	ReasonSignature = "signature"
	ReasonExpired   = "expired"
	ReasonNotYet    = "not_yet_valid"
	ReasonAudience  = "audience"
	ReasonIssuer    = "issuer"
)

// InvalidTokenError says which check a token failed.
type InvalidTokenError struct {
	Reason string
	Detail string
}

func (e *InvalidTokenError) Error() string { return "invalid token (" + e.Reason + "): " + e.Detail }

func invalid(reason, format string, args ...any) error {
	return &InvalidTokenError{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// Expect is what a surface accepts.
type Expect struct {
	Audiences []string  // exact match, as Entra-protected APIs compare (a stray trailing slash fails)
	Issuers   []string  // exact match
	Now       time.Time // from the mock's clock
	Skew      time.Duration
}

// DefaultSkew is the clock skew Microsoft's token validation allows.
const DefaultSkew = 5 * time.Minute

// Validate checks signature (RS256 with our kid only), then lifetime, audience and issuer.
func (k *Keys) Validate(token string, e Expect) (map[string]any, error) {
	if strings.Count(token, ".") != 2 {
		return nil, invalid(ReasonMalformed, "a JWT has three dot-separated parts")
	}
	if alg := headerAlg(token); alg != "RS256" {
		return nil, invalid(ReasonAlgorithm, "alg %q: only RS256 tokens signed by the token service are accepted", alg)
	}
	p := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation(), jwt.WithJSONNumber())
	claims := jwt.MapClaims{}
	_, err := p.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		c, ok := k.lookup(kid, e.Now)
		if !ok {
			return nil, invalid(ReasonKeyID, "kid %q is not in the key set", kid)
		}
		return &c.priv.PublicKey, nil
	})
	if err != nil {
		var ite *InvalidTokenError
		switch {
		case errors.As(err, &ite):
			return nil, ite
		case errors.Is(err, jwt.ErrTokenSignatureInvalid):
			return nil, invalid(ReasonSignature, "signature does not verify")
		default:
			return nil, invalid(ReasonMalformed, "%v", err)
		}
	}
	skew := e.Skew
	if skew == 0 {
		skew = DefaultSkew
	}
	exp, ok := numericDate(claims["exp"])
	if !ok {
		return nil, invalid(ReasonMalformed, "no exp claim")
	}
	if !e.Now.Before(exp.Add(skew)) {
		return nil, invalid(ReasonExpired, "token expired at %s", exp.Format(time.RFC3339))
	}
	if nbf, ok := numericDate(claims["nbf"]); ok && e.Now.Add(skew).Before(nbf) {
		return nil, invalid(ReasonNotYet, "token is not valid before %s", nbf.Format(time.RFC3339))
	}
	aud, _ := claims["aud"].(string)
	if !slices.Contains(e.Audiences, aud) {
		return nil, invalid(ReasonAudience, "audience %q is not %s", aud, strings.Join(e.Audiences, " or "))
	}
	iss, _ := claims["iss"].(string)
	if len(e.Issuers) > 0 && !slices.Contains(e.Issuers, iss) {
		return nil, invalid(ReasonIssuer, "issuer %q is not %s", iss, strings.Join(e.Issuers, " or "))
	}
	out := make(map[string]any, len(claims))
	for name, v := range claims {
		out[name] = v
	}
	return out, nil
}

// headerAlg reads the alg of a JWT's header, or "" when the header is unreadable.
func headerAlg(token string) string {
	head, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return ""
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(raw, &h) != nil {
		return ""
	}
	return h.Alg
}

func numericDate(v any) (time.Time, bool) {
	switch n := v.(type) {
	case float64:
		return time.Unix(int64(n), 0), true
	case interface{ Int64() (int64, error) }:
		i, err := n.Int64()
		return time.Unix(i, 0), err == nil
	}
	return time.Time{}, false
}
