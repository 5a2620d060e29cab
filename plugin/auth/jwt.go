package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// maxTokenSize bounds a token read for decoding; Entra's access tokens are a few kilobytes.
const maxTokenSize = 64 << 10

// Token is a JWT's header and claims, decoded but NOT verified: the signature is not checked,
// so nothing read here may be trusted for an authorization decision.
type Token struct {
	Header map[string]any
	Claims map[string]any
}

// DecodeToken splits a compact JWT and decodes its header and claims. Numbers come back as
// json.Number. The signature is not checked.
func DecodeToken(raw string) (*Token, error) {
	raw = strings.TrimSpace(raw)
	raw = strings.TrimSpace(strings.TrimPrefix(raw, "Bearer "))
	if raw == "" {
		return nil, errors.New("no token given")
	}
	if len(raw) > maxTokenSize {
		return nil, fmt.Errorf("token is larger than %d bytes", maxTokenSize)
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a JWT: want 3 dot-separated parts, got %d", len(parts))
	}
	header, err := decodeSegment(parts[0], "header")
	if err != nil {
		return nil, err
	}
	claims, err := decodeSegment(parts[1], "claims")
	if err != nil {
		return nil, err
	}
	return &Token{Header: header, Claims: claims}, nil
}

func decodeSegment(seg, name string) (map[string]any, error) {
	// base64url without padding, as JWS says; tolerate padding some tools add.
	data, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return nil, fmt.Errorf("JWT %s is not base64url: %v", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, fmt.Errorf("JWT %s is not a JSON object", name)
	}
	if dec.More() {
		return nil, fmt.Errorf("JWT %s has data after its JSON object", name)
	}
	return m, nil
}

// String returns the claim as a string, or "" when absent or not a string.
func (t *Token) String(name string) string {
	s, _ := t.Claims[name].(string)
	return s
}

// Unix returns a NumericDate claim (exp, nbf, iat) and whether it is present and numeric.
func (t *Token) Unix(name string) (int64, bool) {
	switch v := t.Claims[name].(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, true
		}
		if f, err := v.Float64(); err == nil {
			return int64(f), true
		}
	case float64:
		return int64(v), true
	}
	return 0, false
}

// Audiences returns aud, which JWT allows as a string or an array of strings.
func (t *Token) Audiences() []string {
	switch v := t.Claims["aud"].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, a := range v {
			if s, ok := a.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
