package cli

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

const redactedValue = "REDACTED"

// Redaction rules for --debug: headers and body fields that carry credentials, and anything
// shaped like a JWT or a PEM private key wherever it appears.
var (
	sensitiveHeaders = map[string]bool{"authorization": true, "cookie": true, "set-cookie": true, "x-ms-client-secret": true}
	sensitiveFields  = []string{"client_secret", "client_assertion", "password", "refresh_token", "access_token", "id_token",
		"code_verifier", "device_code", "secretText", "secret", "assertion", "key", "accessToken", "refreshToken", "client_info"}
	// In forms "code" is an authorization code; in JSON it is an error code, worth seeing.
	sensitiveFormFields = append([]string{"code"}, sensitiveFields...)
	// Compiled on first use: only --debug needs them, and start-up should not pay for them.
	jsonField = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`"(` + strings.Join(sensitiveFields, "|") + `)"\s*:\s*"[^"]*"`)
	})
	jwtShape = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
	})
	privateKey = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----`)
	})
)

// redact removes credentials from a logged body or header value.
func redact(s string) string {
	s = privateKey().ReplaceAllString(s, "-----"+redactedValue+" PRIVATE KEY-----")
	s = jwtShape().ReplaceAllString(s, redactedValue)
	s = jsonField().ReplaceAllString(s, `"$1":"`+redactedValue+`"`)
	return redactForm(s)
}

// redactForm redacts sensitive fields of a form-encoded body (or query string).
func redactForm(s string) string {
	if strings.ContainsAny(s, "{}\n ") || !strings.Contains(s, "=") {
		return s
	}
	parts := strings.Split(s, "&")
	for i, p := range parts {
		k, _, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		for _, f := range sensitiveFormFields {
			if k == f {
				parts[i] = k + "=" + redactedValue
			}
		}
	}
	return strings.Join(parts, "&")
}

// debugTransport logs each exchange, redacted, to w.
type debugTransport struct {
	next policy.Transporter
	w    io.Writer
	mu   sync.Mutex
}

const maxLoggedBody = 4096

func (t *debugTransport) Do(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := t.next.Do(req)
	var b strings.Builder
	u := *req.URL
	u.RawQuery = redactForm(u.RawQuery)
	fmt.Fprintf(&b, "DEBUG: %s %s\n", req.Method, u.String())
	writeHeaders(&b, req.Header)
	writeBody(&b, req.Header.Get("Content-Encoding"), reqBody)
	if err != nil {
		fmt.Fprintf(&b, "DEBUG: error: %s\n", redact(err.Error()))
	} else {
		respBody, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(respBody))
		fmt.Fprintf(&b, "DEBUG: -> %s\n", resp.Status)
		writeHeaders(&b, resp.Header)
		writeBody(&b, resp.Header.Get("Content-Encoding"), respBody)
	}
	t.mu.Lock()
	_, _ = io.WriteString(t.w, b.String())
	t.mu.Unlock()
	return resp, err
}

func writeHeaders(b *strings.Builder, h http.Header) {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := strings.Join(h[k], ", ")
		if sensitiveHeaders[strings.ToLower(k)] {
			v = redactedValue
		}
		fmt.Fprintf(b, "DEBUG:   %s: %s\n", k, redact(v))
	}
}

func writeBody(b *strings.Builder, encoding string, body []byte) {
	if len(body) == 0 {
		return
	}
	if encoding != "" && encoding != "identity" {
		fmt.Fprintf(b, "DEBUG:   <%d bytes, %s>\n", len(body), encoding)
		return
	}
	s := redact(string(body))
	if len(s) > maxLoggedBody {
		s = s[:maxLoggedBody] + fmt.Sprintf("… (%d bytes)", len(body))
	}
	fmt.Fprintf(b, "DEBUG:   %s\n", s)
}
