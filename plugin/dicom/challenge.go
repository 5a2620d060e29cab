package dicom

import (
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"
)

// maxChallenge bounds a WWW-Authenticate value parsed.
const maxChallenge = 8 << 10

// Challenge is a Bearer WWW-Authenticate challenge (RFC 6750) as the DICOM service sends it:
// Bearer authorization_uri="<authority>", resource_id="<aud>", realm="<aud>".
type Challenge struct {
	Scheme string
	Params map[string]string // lower-cased names
}

// AuthorizationURI is the authority the service trusts (its tenant's).
func (c *Challenge) AuthorizationURI() string { return c.Params["authorization_uri"] }

// ResourceID is the audience the service wants.
func (c *Challenge) ResourceID() string { return c.Params["resource_id"] }

// ParseChallenge parses one challenge: a scheme then comma-separated name=value or
// name="quoted value" parameters.
func ParseChallenge(h string) (*Challenge, error) {
	if len(h) > maxChallenge {
		return nil, errors.New("WWW-Authenticate value too long")
	}
	h = strings.TrimSpace(h)
	scheme, rest, _ := strings.Cut(h, " ")
	if scheme == "" || strings.ContainsAny(scheme, "=,\"") {
		return nil, errors.New("WWW-Authenticate has no scheme")
	}
	c := &Challenge{Scheme: scheme, Params: map[string]string{}}
	for {
		rest = strings.TrimLeft(rest, " \t,")
		if rest == "" {
			return c, nil
		}
		name, after, ok := strings.Cut(rest, "=")
		if !ok {
			return nil, errors.New("WWW-Authenticate parameter without '='")
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" || strings.ContainsAny(name, " \t,\"") {
			return nil, errors.New("WWW-Authenticate parameter with a bad name")
		}
		after = strings.TrimLeft(after, " \t")
		var value string
		if strings.HasPrefix(after, `"`) {
			v, tail, err := quoted(after[1:])
			if err != nil {
				return nil, err
			}
			value, rest = v, tail
		} else {
			end := strings.IndexByte(after, ',')
			if end < 0 {
				end = len(after)
			}
			value, rest = strings.TrimSpace(after[:end]), after[end:]
		}
		c.Params[name] = value
	}
}

// quoted reads a quoted-string body (after the opening quote) and returns it and what follows.
func quoted(s string) (value, rest string, err error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 == len(s) {
				return "", "", errors.New("WWW-Authenticate: unterminated quoted value")
			}
			i++
			b.WriteByte(s[i])
		case '"':
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", errors.New("WWW-Authenticate: unterminated quoted value")
}

// errorMessage pulls a human message out of an error body: DICOM's {"message": …}, an ASP.NET
// problem {"title","detail"}, or short plain text.
func errorMessage(body []byte) string {
	var m struct {
		Message string `json:"message"`
		Title   string `json:"title"`
		Detail  string `json:"detail"`
		Error   any    `json:"error"`
	}
	if json.Unmarshal(body, &m) == nil {
		for _, s := range []string{m.Message, m.Detail, m.Title} {
			if s != "" {
				return clip(s)
			}
		}
		if e, ok := m.Error.(map[string]any); ok {
			if s, ok := e["message"].(string); ok {
				return clip(s)
			}
		}
		return ""
	}
	if utf8.Valid(body) {
		return clip(strings.TrimSpace(string(body)))
	}
	return ""
}

// clip keeps a message to one readable line.
func clip(s string) string {
	const max = 300
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
