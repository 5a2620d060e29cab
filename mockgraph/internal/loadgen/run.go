package loadgen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Mixes of operations.
const (
	MixToken = "token" // client_credentials only: the peer comparison of `make bench-peer`
	MixFull  = "full"  // token grants, Graph reads and writes, DICOM search and store: `make load`
)

// Config says what to drive and for how long.
type Config struct {
	TokenURL     string // …/{tenant}/oauth2/v2.0/token
	GraphURL     string // …/v1.0 (MixFull)
	ARMURL       string // (MixFull: to give the admin a DICOM data role)
	DICOMURL     string // …/dicom/<ws>-<svc> (MixFull)
	DICOMService string // ARM id of the DICOM service (MixFull)
	ClientID     string
	ClientSecret string
	Scope        string // token scope for MixToken; default the DICOM .default scope
	Workers      int
	Duration     time.Duration
	MaxRequests  int64 // 0: no limit but Duration
	Mix          string
	Client       *http.Client
	// MakeInstance builds a valid DICOM Part 10 file for the store operation (MixFull).
	MakeInstance func(studyUID, seriesUID, sopUID string) []byte
}

// Result is what a run measured.
type Result struct {
	Elapsed         time.Duration
	Rows            []Summary
	Total           Summary
	DuplicateTokens int
	Lost            []string // created objects that could not be read back
}

// OK reports whether the run had no unexpected answer, no duplicate token and no lost write.
func (r Result) OK() bool {
	return r.Total.Unexpected == 0 && r.DuplicateTokens == 0 && len(r.Lost) == 0
}

type runner struct {
	cfg                    Config
	stats                  *Stats
	graphToken, dicomToken string
	requests               atomic.Int64
	tokenHashes            sync.Map
	duplicates             atomic.Int64
	mu                     sync.Mutex
	apps                   []createdApp
	instances              []storedInstance
}

type createdApp struct{ id, name string }

type storedInstance struct {
	study, series, sop string
	size               int
}

// Run drives the target until Duration passes or MaxRequests are sent, then verifies every write.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Workers <= 0 || cfg.Duration <= 0 {
		return Result{}, errors.New("loadgen: workers and duration must be positive")
	}
	if cfg.Scope == "" {
		cfg.Scope = "https://dicom.healthcareapis.azure.com/.default"
	}
	r := &runner{cfg: cfg, stats: NewStats()}
	if cfg.Mix == MixFull {
		if err := r.setup(ctx); err != nil {
			return Result{}, fmt.Errorf("loadgen setup: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < cfg.Workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(w), 42))
			for n := 0; ctx.Err() == nil; n++ {
				if cfg.MaxRequests > 0 && r.requests.Add(1) > cfg.MaxRequests {
					return
				}
				r.step(ctx, w, n, rnd)
			}
		}(w)
	}
	wg.Wait()
	res := Result{Elapsed: time.Since(start), DuplicateTokens: int(r.duplicates.Load())}
	if cfg.Mix == MixFull {
		res.Lost = r.verify(context.Background())
	}
	res.Rows, res.Total = r.stats.Summaries(expectedStatus)
	return res, nil
}

func expectedStatus(op string, status int) bool {
	switch op {
	case "dicom-search":
		return status == http.StatusOK || status == http.StatusNoContent
	case "graph-create-app":
		return status == http.StatusCreated
	case "authorize-oversized":
		return status == http.StatusBadRequest
	}
	return status == http.StatusOK || status == http.StatusNoContent
}

func (r *runner) step(ctx context.Context, w, n int, rnd *rand.Rand) {
	if r.cfg.Mix != MixFull {
		r.token(ctx, r.cfg.Scope)
		return
	}
	switch x := rnd.IntN(100); {
	case x < 40:
		r.token(ctx, r.cfg.Scope)
	case x < 65:
		r.graphRead(ctx, rnd)
	case x < 75:
		r.graphWrite(ctx, w, n)
	case x < 88:
		r.dicomSearch(ctx, rnd)
	case x < 98:
		r.dicomStore(ctx, w, n)
	default:
		r.authorizeFlood(ctx, n)
	}
}

// Adversarial sign-ins: an unauthenticated client starts sign-ins it never finishes, with a
// 400 KB state (refused, AADSTS90015) or a 6 KB one (kept, within the cap of sign-ins under
// way). The server's peak RSS, reported at the end, shows whether it keeps what they send.
const (
	floodStateRefused = 400 << 10
	floodStateKept    = 6 << 10
	azureCLIAppID     = "04b07795-8ddb-461a-bbee-02f9e1bf7b46" // a public client every tenant knows
)

func (r *runner) authorizeFlood(ctx context.Context, n int) {
	op, size := "authorize-oversized", floodStateRefused
	if n%2 == 0 {
		op, size = "authorize-pending", floodStateKept
	}
	q := url.Values{"client_id": {azureCLIAppID}, "response_type": {"code"}, "redirect_uri": {"http://localhost"},
		"scope": {"openid"}, "state": {strings.Repeat("s", size)}}
	req, _ := http.NewRequest(http.MethodGet, strings.TrimSuffix(r.cfg.TokenURL, "/token")+"/authorize?"+q.Encode(), nil)
	r.do(ctx, op, req)
}

// do sends a request and records it; the body is returned for the caller to check.
func (r *runner) do(ctx context.Context, op string, req *http.Request) (int, []byte) {
	req = req.WithContext(ctx)
	start := time.Now()
	resp, err := r.cfg.Client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			r.stats.Record(op, time.Since(start), 0, false, err.Error())
		}
		return 0, nil
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	ok := expectedStatus(op, resp.StatusCode)
	detail := ""
	if !ok {
		detail = req.Method + " " + req.URL.Path + ": " + truncate(string(body), 200)
	}
	r.stats.Record(op, d, resp.StatusCode, ok, detail)
	return resp.StatusCode, body
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func (r *runner) token(ctx context.Context, scope string) string {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {r.cfg.ClientID}, "client_secret": {r.cfg.ClientSecret}, "scope": {scope}}
	req, _ := http.NewRequest(http.MethodPost, r.cfg.TokenURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, body := r.do(ctx, "token", req)
	if status != http.StatusOK {
		return ""
	}
	var t struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(body, &t) != nil || t.AccessToken == "" {
		r.stats.Record("token-malformed", 0, status, false, truncate(string(body), 200))
		return ""
	}
	sum := sha256.Sum256([]byte(t.AccessToken))
	if _, dup := r.tokenHashes.LoadOrStore(sum, struct{}{}); dup {
		r.duplicates.Add(1)
	}
	return t.AccessToken
}

func (r *runner) authed(method, u, token, contentType string, body []byte) *http.Request {
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}

func (r *runner) pickApp(rnd *rand.Rand) (createdApp, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.apps) == 0 {
		return createdApp{}, false
	}
	return r.apps[rnd.IntN(len(r.apps))], true
}

func (r *runner) graphRead(ctx context.Context, rnd *rand.Rand) {
	app, ok := r.pickApp(rnd)
	if !ok {
		r.do(ctx, "graph-list", r.authed(http.MethodGet, r.cfg.GraphURL+"/applications?$top=5", r.graphToken, "", nil))
		return
	}
	if rnd.IntN(2) == 0 {
		r.do(ctx, "graph-get-by-id", r.authed(http.MethodGet, r.cfg.GraphURL+"/applications/"+app.id, r.graphToken, "", nil))
		return
	}
	q := url.Values{"$filter": {"displayName eq '" + app.name + "'"}}
	r.do(ctx, "graph-filter", r.authed(http.MethodGet, r.cfg.GraphURL+"/applications?"+q.Encode(), r.graphToken, "", nil))
}

func (r *runner) graphWrite(ctx context.Context, w, n int) {
	name := fmt.Sprintf("load-%d-%d-%d", time.Now().UnixNano()%1e6, w, n)
	body, _ := json.Marshal(map[string]any{"displayName": name, "signInAudience": "AzureADMyOrg"})
	status, resp := r.do(ctx, "graph-create-app", r.authed(http.MethodPost, r.cfg.GraphURL+"/applications", r.graphToken, "application/json", body))
	if status != http.StatusCreated {
		return
	}
	var app struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(resp, &app) != nil || app.ID == "" {
		return
	}
	r.mu.Lock()
	r.apps = append(r.apps, createdApp{id: app.ID, name: name})
	r.mu.Unlock()
	r.do(ctx, "graph-add-password", r.authed(http.MethodPost, r.cfg.GraphURL+"/applications/"+app.ID+"/addPassword", r.graphToken, "application/json", []byte(`{"passwordCredential":{"displayName":"load"}}`)))
}

func (r *runner) dicomSearch(ctx context.Context, rnd *rand.Rand) {
	u := r.cfg.DICOMURL + "/v2/studies?limit=10"
	r.mu.Lock()
	if len(r.instances) > 0 {
		u = r.cfg.DICOMURL + "/v2/studies?StudyInstanceUID=" + r.instances[rnd.IntN(len(r.instances))].study
	}
	r.mu.Unlock()
	r.do(ctx, "dicom-search", r.authed(http.MethodGet, u, r.dicomToken, "", nil))
}

func (r *runner) dicomStore(ctx context.Context, w, n int) {
	root := fmt.Sprintf("1.2.826.0.1.3680043.10.1338.%d.%d.%d", time.Now().UnixNano()%1e9, w, n)
	inst := storedInstance{study: root + ".1", series: root + ".2", sop: root + ".3"}
	file := r.cfg.MakeInstance(inst.study, inst.series, inst.sop)
	inst.size = len(file)
	const boundary = "dicomreg-load-boundary"
	var body bytes.Buffer
	body.WriteString("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n")
	body.Write(file)
	body.WriteString("\r\n--" + boundary + "--\r\n")
	ct := `multipart/related; type="application/dicom"; boundary=` + boundary
	status, _ := r.do(ctx, "dicom-store", r.authed(http.MethodPost, r.cfg.DICOMURL+"/v2/studies", r.dicomToken, ct, body.Bytes()))
	if status == http.StatusOK {
		r.mu.Lock()
		r.instances = append(r.instances, inst)
		r.mu.Unlock()
	}
}

// setup fetches Graph, ARM and DICOM tokens for the admin and gives it the DICOM Data Owner role.
func (r *runner) setup(ctx context.Context) error {
	if r.cfg.MakeInstance == nil {
		return errors.New("MakeInstance is required for the full mix")
	}
	if r.graphToken = r.token(ctx, "https://graph.microsoft.com/.default"); r.graphToken == "" {
		return errors.New("no Graph token for the admin (check the client id and secret)")
	}
	if r.dicomToken = r.token(ctx, "https://dicom.healthcareapis.azure.com/.default"); r.dicomToken == "" {
		return errors.New("no DICOM token for the admin")
	}
	armToken := r.token(ctx, "https://management.azure.com/.default")
	if armToken == "" {
		return errors.New("no ARM token for the admin")
	}
	oid, err := claim(r.dicomToken, "oid")
	if err != nil {
		return err
	}
	sub := strings.Split(strings.TrimPrefix(r.cfg.DICOMService, "/subscriptions/"), "/")[0]
	body, _ := json.Marshal(map[string]any{"properties": map[string]any{
		"roleDefinitionId": "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/58a3b984-7adf-4c20-983a-32417c86fbc8",
		"principalId":      oid, "principalType": "ServicePrincipal",
	}})
	u := r.cfg.ARMURL + r.cfg.DICOMService + "/providers/Microsoft.Authorization/roleAssignments/" + newGUID() + "?api-version=2022-04-01"
	status, resp := r.do(ctx, "arm-role-assign", r.authed(http.MethodPut, u, armToken, "application/json", body))
	if status != http.StatusOK && status != http.StatusCreated && status != http.StatusConflict {
		return fmt.Errorf("role assignment: %d %s", status, truncate(string(resp), 300))
	}
	r.stats = NewStats() // the measured run starts clean
	return nil
}

// verify reads back every app and DICOM instance the run created; what is missing was lost.
func (r *runner) verify(ctx context.Context) []string {
	var lost []string
	for _, a := range r.apps {
		req := r.authed(http.MethodGet, r.cfg.GraphURL+"/applications/"+a.id+"?$select=id,displayName,passwordCredentials", r.graphToken, "", nil)
		status, body := r.do(ctx, "verify-app", req)
		if status != http.StatusOK || !bytes.Contains(body, []byte(a.name)) {
			lost = append(lost, "application "+a.id)
		}
	}
	for _, in := range r.instances {
		u := r.cfg.DICOMURL + "/v2/studies/" + in.study + "/series/" + in.series + "/instances/" + in.sop
		req := r.authed(http.MethodGet, u, r.dicomToken, "", nil)
		req.Header.Set("Accept", "application/dicom; transfer-syntax=*")
		status, body := r.do(ctx, "verify-instance", req)
		if status != http.StatusOK || len(body) < in.size {
			lost = append(lost, "instance "+in.sop)
		}
	}
	return lost
}

func claim(token, name string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", errors.New("token is not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", err
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		return "", err
	}
	v, _ := c[name].(string)
	if v == "" {
		return "", fmt.Errorf("token has no %s claim", name)
	}
	return v, nil
}

func newGUID() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rand.IntN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
