package mockgraph

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

var t0 = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

func get(t *testing.T, s *Server, path string) (int, []byte) {
	t.Helper()
	return send(t, s, http.MethodGet, path, "")
}

func send(t *testing.T, s *Server, method, path, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.ControlToken())
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestStartServesHealthOverTrustedTLS(t *testing.T) {
	s := Start(t, WithSeed(3), WithFrozenClock(t0))
	code, body := get(t, s, pathHealth)
	if code != http.StatusOK || !strings.Contains(string(body), `"testServer":true`) {
		t.Fatalf("healthz: %d %s", code, body)
	}
	if _, err := http.Get(s.URL() + pathHealth); err == nil {
		t.Fatal("a client without the mock's CA trusted it")
	}
	again := Start(t, WithSeed(3), WithFrozenClock(t0))
	if again.TenantID() != s.TenantID() || again.Seeded().AdminSecret != s.Seeded().AdminSecret {
		t.Fatal("the same seed gave a different tenant")
	}
}

func TestEnvFileHasEveryVariableAndIsPrivate(t *testing.T) {
	s := Start(t, WithSeed(1))
	path := filepath.Join(t.TempDir(), "mock.env")
	if err := s.WriteEnvFile(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("env file mode: %v %v", fi, err)
	}
	data, _ := os.ReadFile(path)
	for _, name := range []string{EnvAuthorityHost, EnvTenantID, EnvClientID, EnvClientSecret, EnvGraphURL, EnvARMURL, EnvDICOMURL, EnvTestUsername, EnvTestPassword, EnvSSLCertFile} {
		if !strings.Contains(string(data), "export "+name+"='") {
			t.Errorf("env file lacks %s:\n%s", name, data)
		}
	}
	if !strings.Contains(string(data), "export AZURE_AUTHORITY_HOST='"+s.URL()+"/'") {
		t.Errorf("authority host is not the server URL with a slash:\n%s", data)
	}
	ca, err := os.ReadFile(s.CAFile())
	if err != nil || !bytes.Equal(ca, s.CACertPEM()) {
		t.Fatalf("CA file: %v", err)
	}
}

func TestControlClockAndFaults(t *testing.T) {
	s := Start(t, WithSeed(1), WithFrozenClock(t0))
	code, body := send(t, s, http.MethodPost, pathClock, `{"advance":"90m"}`)
	if code != http.StatusOK || !s.Clock().Now().Equal(t0.Add(90*time.Minute)) {
		t.Fatalf("clock advance: %d %s now=%v", code, body, s.Clock().Now())
	}
	if code, _ := send(t, s, http.MethodPost, pathClock, `{"advance":"soon"}`); code != http.StatusBadRequest {
		t.Fatalf("bad duration: %d", code)
	}
	if code, _ := send(t, s, http.MethodPut, pathFaults, `{"rate429":0.7,"rate503":0.7}`); code != http.StatusBadRequest {
		t.Fatalf("rates summing over 1 accepted: %d", code)
	}
	code, body = send(t, s, http.MethodPut, pathFaults, `{"rate429":1,"retryAfterSeconds":1.5,"replicationDelaySeconds":10}`)
	if code != http.StatusOK || s.ReplicationDelay() != 10*time.Second {
		t.Fatalf("faults: %d %s", code, body)
	}
	resp, err := s.Client().Get(s.GraphURL() + "/applications")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// Graph sends Retry-After in whole seconds (1.5 s rounds up) and a request-id in header and body.
	rid := resp.Header.Get("request-id")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" || !strings.Contains(string(b), `"TooManyRequests"`) ||
		rid == "" || !strings.Contains(string(b), `"request-id":"`+rid+`"`) {
		t.Fatalf("injected 429: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
	// Faults never touch the token service or the control API.
	if code, _ := get(t, s, pathHealth); code != http.StatusOK {
		t.Fatalf("control API faulted: %d", code)
	}
}

func TestFaultRateIsRoughlyHonoured(t *testing.T) {
	s := Start(t, WithSeed(9), WithFaults(Faults{Rate429: 0.3, Rate503: 0.1}))
	counts := map[int]int{}
	for i := 0; i < 400; i++ {
		code, _ := get(t, s, "/v1.0/organization")
		counts[code]++
	}
	if counts[429] < 80 || counts[429] > 160 || counts[503] < 20 || counts[503] > 70 {
		t.Fatalf("fault mix off: %v", counts)
	}
}

func TestRequestCounting(t *testing.T) {
	s := Start(t, WithSeed(1))
	get(t, s, "/v1.0/applications")
	send(t, s, http.MethodPost, "/v1.0/applications", `{}`)
	get(t, s, "/subscriptions?api-version=2022-12-01")
	get(t, s, pathHealth)
	st := s.Requests()
	if st.Reads != 2 || st.Writes != 1 || st.Total != 3 || st.ByRoute["POST graph"] != 1 {
		t.Fatalf("stats: %+v", st)
	}
	s.ResetRequests()
	if s.Requests().Total != 0 {
		t.Fatal("reset did not zero the counts")
	}
}

func TestResetRestoresTheSeededTenant(t *testing.T) {
	s := Start(t, WithSeed(1))
	before := s.Seeded()
	if err := s.store.Update(func(d *tenant.Directory) error {
		d.PutApplication(&tenant.Application{ID: "x", AppID: "y", DisplayName: "scratch"})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if code, _ := send(t, s, http.MethodPost, pathReset, ``); code != http.StatusNoContent {
		t.Fatalf("reset: %d", code)
	}
	_ = s.store.View(func(d *tenant.Directory) error {
		if d.ApplicationByAppID("y") != nil {
			t.Fatal("reset kept a created app")
		}
		if admin := d.ApplicationByAppID(before.AdminAppID); admin == nil || d.MatchSecret(admin, before.AdminSecret) == nil {
			t.Fatal("reset changed the admin credentials")
		}
		return nil
	})
}

func TestStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	s1, err := New(WithStateFile(state), WithKeyFile(filepath.Join(dir, "key.pem")))
	if err != nil {
		t.Fatal(err)
	}
	if err := s1.store.Update(func(d *tenant.Directory) error {
		d.PutApplication(&tenant.Application{ID: "x", AppID: "y", DisplayName: "kept"})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tid, secret := s1.TenantID(), s1.Seeded().AdminSecret
	tok, _ := s1.keys.Sign(map[string]any{"aud": "a", "exp": time.Now().Add(time.Hour).Unix()})
	s1.Close()

	s2, err := New(WithStateFile(state), WithKeyFile(filepath.Join(dir, "key.pem")))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if s2.TenantID() != tid || s2.Seeded().AdminSecret != secret {
		t.Fatal("restart changed the tenant")
	}
	_ = s2.store.View(func(d *tenant.Directory) error {
		if d.ApplicationByAppID("y") == nil {
			t.Fatal("restart lost an app")
		}
		return nil
	})
	if _, err := s2.keys.Validate(tok, keysExpect("a")); err != nil {
		t.Fatalf("a token from before the restart no longer validates: %v", err)
	}
	if err := os.WriteFile(state, []byte("{broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(WithStateFile(state)); err == nil || !strings.Contains(err.Error(), "state file") {
		t.Fatalf("corrupt state accepted or unclear error: %v", err)
	}
}

func TestHealthIsJSON(t *testing.T) {
	s := Start(t)
	_, body := get(t, s, pathHealth)
	var h map[string]any
	if err := json.Unmarshal(body, &h); err != nil || h["seed"] == "" {
		t.Fatalf("health: %s %v", body, err)
	}
}

// TestControlAPINeedsItsToken: every control endpoint but healthz refuses a request without the
// control token (or with another), on loopback too; /mock/env never hands out secrets without it.
func TestControlAPINeedsItsToken(t *testing.T) {
	s := Start(t, WithSeed(3), WithFrozenClock(t0))
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, pathEnv}, {http.MethodPost, pathReset}, {http.MethodPost, pathClock}, {http.MethodGet, pathClock},
		{http.MethodPut, pathFaults}, {http.MethodPost, pathDeviceCode}, {http.MethodGet, pathRequests}, {http.MethodDelete, pathRequests},
	} {
		for _, auth := range []string{"", "Bearer wrong", "Bearer " + s.ControlToken() + "x"} {
			req, _ := http.NewRequest(c.method, s.URL()+c.path, strings.NewReader(`{}`))
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized || strings.Contains(string(body), s.Seeded().AdminSecret) {
				t.Errorf("%s %s with %q: %d %s", c.method, c.path, auth, resp.StatusCode, body)
			}
		}
	}
	if code, body := send(t, s, http.MethodGet, pathEnv, ""); code != http.StatusOK || !strings.Contains(string(body), s.Seeded().AdminSecret) || !strings.Contains(string(body), EnvControlToken) {
		t.Fatalf("env with the token: %d %s", code, body)
	}
	resp, err := s.Client().Get(s.URL() + pathHealth)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz needs no token: %v %v", resp, err)
	}
	resp.Body.Close()
	if other := Start(t, WithSeed(3), WithFrozenClock(t0)); other.ControlToken() == s.ControlToken() {
		t.Fatal("the control token follows the seed")
	}
}

// TestClockAdvanceNeverWraps: an advance past year 9999 (or one that overflows) is refused and
// the clock stays where it was.
func TestClockAdvanceNeverWraps(t *testing.T) {
	s := Start(t, WithSeed(3), WithFrozenClock(t0))
	late := time.Date(9990, 1, 1, 0, 0, 0, 0, time.UTC)
	s.Clock().Set(late)
	for _, adv := range []string{"2562047h", "100000h"} {
		if code, body := send(t, s, http.MethodPost, pathClock, `{"advance":"`+adv+`"}`); code != http.StatusBadRequest {
			t.Errorf("advance %s from %s: %d %s", adv, late, code, body)
		}
	}
	if !s.Clock().Now().Equal(late) {
		t.Fatalf("the clock moved to %s", s.Clock().Now())
	}
}

// TestForwardedHostOnlyWhenTrusted: X-Forwarded-Host from any client does not set the
// discovery issuer nor reach the DICOM service's WWW-Authenticate, unless the server was told a
// trusted proxy sets it.
func TestForwardedHostOnlyWhenTrusted(t *testing.T) {
	for _, trusted := range []bool{false, true} {
		opts := []Option{WithSeed(3), WithFrozenClock(t0)}
		if trusted {
			opts = append(opts, WithTrustForwardedHost())
		}
		s := Start(t, opts...)
		for _, path := range []string{"/" + s.TenantID() + "/v2.0/.well-known/openid-configuration", "/dicom/" + s.Seeded().DicomServiceHost + "/v2/studies"} {
			req, _ := http.NewRequest(http.MethodGet, s.URL()+path, nil)
			req.Header.Set("X-Forwarded-Host", "evil.example.com")
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			seen := strings.Contains(string(body)+resp.Header.Get("WWW-Authenticate"), "evil.example.com")
			if seen != trusted {
				t.Errorf("trusted=%v %s: forwarded host shown=%v: %s %s", trusted, path, seen, resp.Header.Get("WWW-Authenticate"), body)
			}
		}
	}
}
