package conformance

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseForms(t *testing.T) {
	tests := []struct {
		name string
		page string
		want []form
	}{
		{
			name: "sign-in page with script, entities and void inputs",
			page: `<!doctype html><html><head><script>if (a < b && c) {}</script></head><body>
<form method="post" action="/t/login?x=1&amp;y=2"><input type="hidden" name="ctx" value="a&amp;b">
<input name="login"><input type=password name=passwd><br><button type="submit" name="action" value="signin">Sign in</button></form></body></html>`,
			want: []form{{Action: "/t/login?x=1&y=2", Method: "POST", Fields: []field{
				{"ctx", "hidden", "a&b"}, {"login", "text", ""}, {"passwd", "password", ""}, {"action", "submit", "signin"}}}},
		},
		{
			name: "consent page with two buttons and an unnamed input",
			page: `<form action="consent"><input type="submit" value="x"><button name="consent" value="deny">No</button><button name="consent" value="accept">Yes</button></form>`,
			want: []form{{Action: "consent", Fields: []field{{"consent", "submit", "deny"}, {"consent", "submit", "accept"}}}},
		},
		{name: "error page", page: `<html><body><p>AADSTS50011: redirect</p></body></html>`},
		{name: "inputs outside a form are ignored", page: `<input name="q"><form action="/a"></form>`, want: []form{{Action: "/a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseForms(strings.NewReader(tt.page))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestAcceptButtonAndPickForm(t *testing.T) {
	b, ok := acceptButton([]field{{"consent", "submit", "deny"}, {"consent", "submit", "accept"}})
	if !ok || b.Value != "accept" {
		t.Errorf("acceptButton chose %+v", b)
	}
	if _, ok := acceptButton(nil); ok {
		t.Error("acceptButton found a button in none")
	}
	f := pickForm([]form{{Action: "lang"}, {Action: "login", Fields: []field{{"pw", "password", ""}}}})
	if f.Action != "login" {
		t.Errorf("pickForm chose %q, want the form with a password field", f.Action)
	}
}

func TestParseChallenge(t *testing.T) {
	tests := []struct {
		in     string
		scheme string
		params map[string]string
		bad    bool
	}{
		{in: `Bearer authorization_uri="https://login.microsoftonline.com/t", resource_id="https://dicom.healthcareapis.azure.com", realm="https://dicom.healthcareapis.azure.com"`,
			scheme: "Bearer", params: map[string]string{"authorization_uri": "https://login.microsoftonline.com/t", "resource_id": "https://dicom.healthcareapis.azure.com", "realm": "https://dicom.healthcareapis.azure.com"}},
		{in: `Bearer error=invalid_token,Error_Description="a \"quoted\", value"`, scheme: "Bearer",
			params: map[string]string{"error": "invalid_token", "error_description": `a "quoted", value`}},
		{in: "Bearer", scheme: "Bearer", params: map[string]string{}},
		{in: "", bad: true},
		{in: `Bearer realm="open`, bad: true},
		{in: `Bearer =x`, bad: true},
		{in: `realm="x"`, bad: true},
	}
	for _, tt := range tests {
		scheme, params, err := parseChallenge(tt.in)
		if (err != nil) != tt.bad {
			t.Errorf("%q: err %v, want bad=%v", tt.in, err, tt.bad)
			continue
		}
		if !tt.bad && (scheme != tt.scheme || !reflect.DeepEqual(params, tt.params)) {
			t.Errorf("%q: got %q %v", tt.in, scheme, params)
		}
	}
}

func TestClaims(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	m, err := claims(enc([]byte(`{"alg":"RS256"}`)) + "." + enc([]byte(`{"aud":"x","exp":1700000000}`)) + ".sig")
	if err != nil || m["aud"] != "x" {
		t.Fatalf("claims: %v %v", m, err)
	}
	if exp, ok := numericClaim(m, "exp"); !ok || exp.Unix() != 1700000000 {
		t.Errorf("exp = %v %v", exp, ok)
	}
	for _, bad := range []string{"", "a.b", "a.!!.c", "a." + enc([]byte("[1]")) + ".c", "a." + enc([]byte("{")) + ".c"} {
		if _, err := claims(bad); err == nil {
			t.Errorf("claims(%q) accepted", bad)
		}
	}
}

func TestParseTokenError(t *testing.T) {
	e, err := parseTokenError([]byte(`{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x","error_codes":[7000215],"trace_id":"t","correlation_id":"c"}`))
	if err != nil || e.Error != "invalid_client" || len(e.ErrorCodes) != 1 || e.ErrorCodes[0] != 7000215 {
		t.Fatalf("got %+v, %v", e, err)
	}
	for _, bad := range []string{``, `<html>`, `{"error_codes":[1]}`, `{"error":1}`} {
		if _, err := parseTokenError([]byte(bad)); err == nil {
			t.Errorf("parseTokenError(%q) accepted", bad)
		}
	}
}

func TestReadDotenv(t *testing.T) {
	got := readDotenv([]byte("# dicomreg\nexport AZURE_TENANT_ID='t'\nAZURE_CLIENT_ID=\"c\"\r\nAZURE_CLIENT_SECRET=a=b\n\njunk\n"))
	want := map[string]string{"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "a=b"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v", got)
	}
}

// walkPart10 checks the file layout a DICOM reader relies on and returns the tags in order.
func walkPart10(t *testing.T, f []byte) []uint32 {
	t.Helper()
	if len(f) < 132 || string(f[128:132]) != "DICM" || !bytes.Equal(f[:128], make([]byte, 128)) {
		t.Fatal("no preamble and DICM prefix")
	}
	var tags []uint32
	for p := 132; p < len(f); {
		tag := uint32(binary.LittleEndian.Uint16(f[p:]))<<16 | uint32(binary.LittleEndian.Uint16(f[p+2:]))
		vr := string(f[p+4 : p+6])
		var n, hdr int
		if longVR[vr] {
			n, hdr = int(binary.LittleEndian.Uint32(f[p+8:])), 12
		} else {
			n, hdr = int(binary.LittleEndian.Uint16(f[p+6:])), 8
		}
		if n%2 != 0 || p+hdr+n > len(f) {
			t.Fatalf("element %08X: odd or overlong length %d", tag, n)
		}
		if tag == 0x00020000 && int(binary.LittleEndian.Uint32(f[p+8:])) != metaLength(f, p+12) {
			t.Errorf("file meta group length is wrong")
		}
		tags = append(tags, tag)
		p += hdr + n
	}
	return tags
}

// metaLength measures the group 2 elements that follow the group length.
func metaLength(f []byte, from int) int {
	p := from
	for p < len(f) && binary.LittleEndian.Uint16(f[p:]) == 0x0002 {
		vr := string(f[p+4 : p+6])
		if longVR[vr] {
			p += 12 + int(binary.LittleEndian.Uint32(f[p+8:]))
		} else {
			p += 8 + int(binary.LittleEndian.Uint16(f[p+6:]))
		}
	}
	return p - from
}

func TestPart10Layout(t *testing.T) {
	s, f := part10("patient-1")
	tags := walkPart10(t, f)
	for i := 1; i < len(tags); i++ {
		if tags[i] <= tags[i-1] {
			t.Fatalf("tags out of order: %08X after %08X", tags[i], tags[i-1])
		}
	}
	for _, uid := range []string{s.StudyUID, s.SeriesUID, s.InstanceUID} {
		if !strings.HasPrefix(uid, "2.25.") || len(uid) > 64 || !bytes.Contains(f, []byte(uid)) {
			t.Errorf("UID %q missing or not a valid UUID-derived UID", uid)
		}
	}
	if t2, _ := part10("patient-1"); t2.StudyUID == s.StudyUID {
		t.Error("two files share a study UID")
	}
}

func TestBehavioursAreNamedOnceAndTargetsSkipWithReasons(t *testing.T) {
	seen := map[string]bool{}
	for _, b := range behaviours() {
		if seen[b.name] || b.run == nil || !strings.Contains(b.name, "/") {
			t.Errorf("behaviour %q is duplicated, unnamed by group or has no body", b.name)
		}
		seen[b.name] = true
	}
	live := &Target{Username: "u", Password: "p", Skip: map[string]string{"plugin/": "no binary here", "dicom/stow-qido": "read-only"}}
	tests := []struct {
		name  string
		needs Capability
		want  string
	}{
		{"token/client-secret", 0, ""},
		{"token/device-code", NeedUser | NeedDeviceApproval, "device code"},
		{"dicom-auth/expired", NeedClock, "clock"},
		{"token/auth-code-pkce", NeedSignInForm, "browser"},
		{"dicom/reader-cannot-store", NeedDICOMService, "resource id"},
		{"plugin/register", NeedPlugin, "dicomreg"},
	}
	for _, tt := range tests {
		if got := live.missing(tt.needs); (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: missing = %q, want it to mention %q", tt.name, got, tt.want)
		}
	}
	if live.skipReason("plugin/register-confidential") != "no binary here" || live.skipReason("dicom/stow-qido") != "read-only" || live.skipReason("dicom/stow") != "" {
		t.Error("skip set does not match names and prefixes")
	}
}

func TestSubscriptionOf(t *testing.T) {
	for in, want := range map[string]string{
		"/subscriptions/abc/resourceGroups/rg/providers/Microsoft.HealthcareApis/workspaces/w/dicomservices/d": "abc",
		"/Subscriptions/x": "x", "/subscriptions/": "", "resourceGroups/rg": "",
	} {
		if got, ok := subscriptionOf(in); got != want || ok != (want != "") {
			t.Errorf("subscriptionOf(%q) = %q %v", in, got, ok)
		}
	}
}

// waitsIn feeds out to waitLines in pieces of n bytes and returns the waits it reported.
func waitsIn(out string, n int) []time.Duration {
	var got []time.Duration
	w := &waitLines{onWait: func(d time.Duration) { got = append(got, d) }}
	n = max(n, 1)
	for b := []byte(out); len(b) > 0; {
		k := min(n, len(b))
		w.Write(b[:k])
		b = b[k:]
	}
	return got
}

func TestWaitLines(t *testing.T) {
	out := "Registering…\nWaiting 1s: the directory has not replicated what this run created yet\n" +
		"Waiting 1.5s: Microsoft Graph answered 429\nWaiting for the sign-in to return\nWaiting 0s: nothing\nWaiting 2m0s: x"
	want := []time.Duration{time.Second, 1500 * time.Millisecond} // the last line has no end yet
	for _, n := range []int{1, 7, len(out)} {
		if got := waitsIn(out, n); !slices.Equal(got, want) {
			t.Errorf("pieces of %d: got %v, want %v", n, got, want)
		}
	}
}
