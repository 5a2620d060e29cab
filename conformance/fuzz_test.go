package conformance

import (
	"bytes"
	"strings"
	"testing"
)

// The parsers below read what a target sends back; none may panic on any input.

func FuzzParseForms(f *testing.F) {
	for _, s := range []string{
		`<form method="post" action="/login"><input name="login"><input type=password name=passwd><button name="a" value="b">x</button></form>`,
		`<html><script>if (a < b) {}</script><form action=x><input type="hidden" name="c" value="&amp;&lt;"></form>`,
		`<form><form><input name=x></form>`, `<`, `&bogus;`, "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, page string) {
		forms, err := parseForms(strings.NewReader(page))
		if err == nil && len(forms) > 0 {
			pickForm(forms)
		}
	})
}

func FuzzParseChallenge(f *testing.F) {
	for _, s := range []string{`Bearer authorization_uri="https://x/t", resource_id="https://dicom.healthcareapis.azure.com"`,
		`Bearer a=b,c="d\"e"`, `Bearer realm="`, `Bearer ="`, `x y`, ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		scheme, params, err := parseChallenge(h)
		if err == nil && (scheme == "" || params == nil) {
			t.Fatalf("%q: accepted without a scheme or parameters", h)
		}
	})
}

func FuzzClaims(f *testing.F) {
	for _, s := range []string{"eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln", "a.b.c", "..", "a.e30.", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		if m, err := claims(token); err == nil {
			numericClaim(m, "exp")
		}
	})
}

func FuzzParseTokenError(f *testing.F) {
	for _, s := range []string{`{"error":"invalid_client","error_codes":[7000215]}`, `{"error":"x","error_codes":"y"}`, `[]`, `{`, ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if e, err := parseTokenError(body); err == nil && e.Error == "" {
			t.Fatal("accepted an error body without error")
		}
	})
}

func FuzzReadDotenv(f *testing.F) {
	for _, s := range []string{"export A='b'\nB=\"c\"\n# x\n", "=", "'", "A='", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for name := range readDotenv(data) {
			if strings.Contains(name, "\n") || bytes.HasPrefix([]byte(name), []byte("#")) {
				t.Fatalf("variable name %q", name)
			}
		}
	})
}

func FuzzWaitLines(f *testing.F) {
	for _, s := range []string{"Waiting 1s: the directory has not replicated\n", "Waiting 1.5s: x\nWaiting 200ms: y\n",
		"Waiting : x\n", "Waiting -1s: x\n", "Waiting 1s", "\n\n", ""} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, out string, cut int) {
		// However the pipe splits the binary's stderr, the same waits are reported.
		whole, split := waitsIn(out, len(out)+1), waitsIn(out, cut)
		if len(whole) != len(split) {
			t.Fatalf("%q: %v whole, %v in pieces of %d", out, whole, split, cut)
		}
		for i := range whole {
			if whole[i] != split[i] || whole[i] <= 0 {
				t.Fatalf("%q: %v whole, %v in pieces of %d", out, whole, split, cut)
			}
		}
	})
}
