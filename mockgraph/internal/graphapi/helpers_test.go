package graphapi

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/clock"
	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
	"github.com/dicomreg/dicomreg/mockgraph/internal/rng"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// env is a Graph surface over a seeded tenant, served by an httptest TLS server.
type env struct {
	t     testing.TB
	srv   *httptest.Server
	store *tenant.Store
	seed  tenant.SeedResult
	tid   string
	keys  *keys.Keys
	clock *clock.Adjustable
	delay time.Duration
	admin string // app-only token of the seeded admin service principal
	roles []any  // the admin's Graph app roles, as its tokens carry them
}

func newEnv(t testing.TB) *env {
	t.Helper()
	r := rng.New(42)
	dir := tenant.Seed(r, tenant.SeedOptions{Now: epoch})
	e := &env{t: t, store: tenant.NewStore(dir), seed: dir.Seeded, tid: dir.TenantID, keys: keys.Shared(), clock: clock.Frozen(epoch.Add(time.Hour))}
	api := New(Config{Store: e.store, Keys: e.keys, Clock: e.clock, Rand: r, ReplicationDelay: func() time.Duration { return e.delay }})
	router := mux.NewRouter()
	api.Register(router)
	e.srv = httptest.NewTLSServer(router)
	t.Cleanup(e.srv.Close)
	_ = e.store.View(func(d *tenant.Directory) error {
		for _, v := range d.AssignedRoles(e.seed.AdminSPID, e.seed.GraphPrincipalID) {
			e.roles = append(e.roles, v)
		}
		return nil
	})
	e.admin = e.token(nil)
	return e
}

// token mints an app-only Graph token for the admin app; extra adds or (nil values) removes claims.
func (e *env) token(extra map[string]any) string {
	e.t.Helper()
	now := e.clock.Now()
	claims := map[string]any{
		"aud": tenant.GraphResource, "iss": "https://sts.windows.net/" + e.tid + "/", "ver": "1.0",
		"appid": e.seed.AdminAppID, "appidacr": "1", "oid": e.seed.AdminSPID, "sub": e.seed.AdminSPID, "tid": e.tid,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(), "uti": "test",
		"roles": e.roles, "idtyp": "app",
	}
	maps.Copy(claims, extra)
	for k, v := range extra {
		if v == nil {
			delete(claims, k)
		}
	}
	tok, err := e.keys.Sign(claims)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// result is an answer: status, headers and the decoded JSON body (nil when empty).
type result struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// call sends a request with the admin token unless headers set Authorization ("" removes it).
// body is sent as is when it is a string or []byte, else JSON-encoded.
func (e *env) call(method, path string, body any, headers ...string) result {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	u := path
	if !strings.HasPrefix(path, "https://") {
		u = e.srv.URL + path
	}
	req, err := http.NewRequest(method, strings.ReplaceAll(u, " ", "%20"), rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.admin)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	res := result{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &res.body); err != nil {
			e.t.Fatalf("%s %s: body is not a JSON object: %v: %s", method, path, err, raw)
		}
	}
	return res
}

// must fails the test unless the answer has status want.
func (r result) must(t testing.TB, want int) result {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.raw)
	}
	return r
}

func (r result) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

func (r result) values() []map[string]any {
	list, _ := r.body["value"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, v := range list {
		m, _ := v.(map[string]any)
		out = append(out, m)
	}
	return out
}

// errorCode returns the error's code and message.
func (r result) errorCode() (string, string) {
	e, _ := r.body["error"].(map[string]any)
	code, _ := e["code"].(string)
	msg, _ := e["message"].(string)
	return code, msg
}

// createApp registers an application and returns its body.
func (e *env) createApp(name string, extra map[string]any) result {
	e.t.Helper()
	body := map[string]any{"displayName": name}
	maps.Copy(body, extra)
	return e.call(http.MethodPost, "/v1.0/applications", body).must(e.t, http.StatusCreated)
}
