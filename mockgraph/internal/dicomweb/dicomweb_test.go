package dicomweb

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/clock"
	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/part10"
	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
	"github.com/dicomreg/dicomreg/mockgraph/internal/rng"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

type fixture struct {
	srv    *httptest.Server
	store  *tenant.Store
	seeded tenant.SeedResult
	tid    string
	clock  *clock.Adjustable
	base   string
}

const (
	ownerOID  = "00000000-0000-4000-8000-00000000000a"
	readerOID = "00000000-0000-4000-8000-00000000000b"
	nobodyOID = "00000000-0000-4000-8000-00000000000c"
)

func newFixture(t testing.TB) *fixture { return newFixtureWith(t, nil) }

// newFixtureWith builds the fixture around the store open returns for the seeded directory
// (nil: a memory store).
func newFixtureWith(t testing.TB, open func(d *tenant.Directory) *tenant.Store) *fixture {
	t.Helper()
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	d := tenant.Seed(rng.New(4), tenant.SeedOptions{Now: now})
	for oid, role := range map[string]string{ownerOID: tenant.RoleDefDICOMDataOwner, readerOID: tenant.RoleDefDICOMDataReader} {
		d.PutRoleAssignment(&tenant.RoleAssignment{Name: oid, Scope: d.Seeded.DicomServiceID, RoleDefinitionID: role, PrincipalID: oid})
	}
	store := tenant.NewStore(d)
	if open != nil {
		store = open(d)
	}
	f := &fixture{store: store, seeded: d.Seeded, tid: d.TenantID, clock: clock.Frozen(now)}
	r := mux.NewRouter()
	New(Config{Store: f.store, Keys: keys.Shared(), Clock: f.clock, Rand: rng.New(5)}).Register(r)
	f.srv = httptest.NewTLSServer(r)
	t.Cleanup(f.srv.Close)
	f.base = f.srv.URL + "/dicom/" + d.Seeded.DicomServiceHost
	return f
}

func (f *fixture) claims(oid string) map[string]any {
	now := f.clock.Now()
	return map[string]any{"aud": tenant.DICOMResource, "iss": "https://sts.windows.net/" + f.tid + "/", "oid": oid, "tid": f.tid,
		"appid": "app", "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(), "ver": "1.0"}
}

func (f *fixture) token(t testing.TB, oid string, mut func(map[string]any)) string {
	c := f.claims(oid)
	if mut != nil {
		mut(c)
	}
	tok, err := keys.Shared().Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (f *fixture) do(t testing.TB, method, path, token, contentType string, body []byte, accept string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, f.base+path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func multipartBody(files ...[]byte) (string, []byte) {
	var b bytes.Buffer
	for _, f := range files {
		b.WriteString("--XX\r\nContent-Type: application/dicom\r\n\r\n")
		b.Write(f)
		b.WriteString("\r\n")
	}
	b.WriteString("--XX--\r\n")
	return `multipart/related; type="application/dicom"; boundary=XX`, b.Bytes()
}

var instance = part10.Instance{StudyInstanceUID: "1.2.826.0.1.1", SeriesInstanceUID: "1.2.826.0.1.1.1", SOPInstanceUID: "1.2.826.0.1.1.1.1",
	PatientID: "PAT-7", PatientName: "Doe^Jane", StudyDate: "20260301", Modality: "MR"}

func TestOwnerStoresFindsAndRetrieves(t *testing.T) {
	f := newFixture(t)
	owner := f.token(t, ownerOID, nil)
	file := part10.Build(instance)
	ct, body := multipartBody(file)
	resp, out := f.do(t, http.MethodPost, "/v2/studies", owner, ct, body, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(out), instance.SOPInstanceUID) || resp.Header.Get("Content-Type") != mediaDICOMJSON {
		t.Fatalf("STOW: %d %s", resp.StatusCode, out)
	}
	resp, out = f.do(t, http.MethodGet, "/v2/studies?PatientID=PAT-7", owner, "", nil, "")
	var studies []map[string]map[string]any
	if resp.StatusCode != http.StatusOK || json.Unmarshal(out, &studies) != nil || len(studies) != 1 ||
		studies[0]["0020000D"]["Value"].([]any)[0] != instance.StudyInstanceUID {
		t.Fatalf("QIDO: %d %s", resp.StatusCode, out)
	}
	// No wildcards: '*' is matched literally, so nothing is found.
	if resp, out := f.do(t, http.MethodGet, "/v2/studies?PatientName=doe*", owner, "", nil, ""); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("QIDO wildcard: %d %s", resp.StatusCode, out)
	}
	resp, out = f.do(t, http.MethodGet, "/v2/studies/"+instance.StudyInstanceUID+"/series/"+instance.SeriesInstanceUID+"/instances/"+instance.SOPInstanceUID, owner, "", nil, "application/dicom; transfer-syntax=*")
	if resp.StatusCode != http.StatusOK || !bytes.Equal(out, file) {
		t.Fatalf("WADO instance: %d (%d bytes, want %d)", resp.StatusCode, len(out), len(file))
	}
	resp, out = f.do(t, http.MethodGet, "/v1/studies/"+instance.StudyInstanceUID, owner, "", nil, `multipart/related; type="application/dicom"; transfer-syntax=*`)
	if resp.StatusCode != http.StatusOK || !bytes.Contains(out, file) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "multipart/related") {
		t.Fatalf("WADO study: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, out = f.do(t, http.MethodGet, "/v2/changefeed?offset=0", owner, "", nil, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(out), `"Action":"create"`) || !strings.Contains(string(out), instance.SOPInstanceUID) {
		t.Fatalf("change feed: %d %s", resp.StatusCode, out)
	}
	if resp, out := f.do(t, http.MethodPost, "/v2/studies", owner, ct, body, ""); resp.StatusCode != http.StatusConflict || !strings.Contains(string(out), "45070") {
		t.Fatalf("duplicate store: %d %s", resp.StatusCode, out)
	}
	if resp, _ := f.do(t, http.MethodDelete, "/v2/studies/"+instance.StudyInstanceUID, owner, "", nil, ""); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if resp, _ := f.do(t, http.MethodGet, "/v2/studies", owner, "", nil, ""); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("search after delete: %d", resp.StatusCode)
	}
	if resp, out := f.do(t, http.MethodGet, "/v2/changefeed/latest", owner, "", nil, ""); resp.StatusCode != http.StatusOK || !strings.Contains(string(out), `"Action":"delete"`) {
		t.Fatalf("latest change: %d %s", resp.StatusCode, out)
	}
}

func TestRolesDecide(t *testing.T) {
	f := newFixture(t)
	ct, body := multipartBody(part10.Build(instance))
	reader, nobody := f.token(t, readerOID, nil), f.token(t, nobodyOID, nil)
	if resp, out := f.do(t, http.MethodPost, "/v2/studies", reader, ct, body, ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("reader store: %d %s", resp.StatusCode, out)
	}
	if resp, _ := f.do(t, http.MethodGet, "/v2/studies", reader, "", nil, ""); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("reader search: %d", resp.StatusCode)
	}
	if resp, _ := f.do(t, http.MethodGet, "/v2/studies", nobody, "", nil, ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("no role search: %d", resp.StatusCode)
	}
	// Control-plane Owner (the seeded admin holds it on the subscription) is no data role.
	if resp, _ := f.do(t, http.MethodGet, "/v2/studies", f.token(t, f.seeded.AdminSPID, nil), "", nil, ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("control-plane owner search: %d", resp.StatusCode)
	}
}

func TestBadTokensGet401WithChallenge(t *testing.T) {
	f := newFixture(t)
	good := f.token(t, ownerOID, nil)
	parts := strings.Split(good, ".")
	b64 := base64.RawURLEncoding.EncodeToString
	pubDER, _ := x509.MarshalPKIXPublicKey(keys.Shared().Public())
	hsHead := b64([]byte(`{"alg":"HS256","typ":"JWT","kid":"` + keys.Shared().KeyID() + `"}`))
	mac := hmac.New(sha256.New, pubDER)
	mac.Write([]byte(hsHead + "." + parts[1]))
	claims, _ := json.Marshal(map[string]any{"aud": tenant.DICOMResource, "iss": "https://sts.windows.net/" + f.tid + "/", "oid": nobodyOID, "exp": f.clock.Now().Add(time.Hour).Unix()})
	cases := map[string]string{
		"missing":        "",
		"alg none":       b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + ".",
		"HS256 key swap": hsHead + "." + parts[1] + "." + b64(mac.Sum(nil)),
		"unknown kid":    b64([]byte(`{"alg":"RS256","typ":"JWT","kid":"other"}`)) + "." + parts[1] + "." + parts[2],
		"tampered":       parts[0] + "." + b64(claims) + "." + parts[2],
		"expired":        f.token(t, ownerOID, func(c map[string]any) { c["exp"] = f.clock.Now().Add(-time.Hour).Unix() }),
		"not yet valid":  f.token(t, ownerOID, func(c map[string]any) { c["nbf"] = f.clock.Now().Add(time.Hour).Unix() }),
		"trailing slash": f.token(t, ownerOID, func(c map[string]any) { c["aud"] = tenant.DICOMResource + "/" }),
		"graph audience": f.token(t, ownerOID, func(c map[string]any) { c["aud"] = "https://graph.microsoft.com" }),
		"wrong issuer":   f.token(t, ownerOID, func(c map[string]any) { c["iss"] = "https://login.microsoftonline.com/" + f.tid + "/v2.0" }),
		"another tenant": f.token(t, ownerOID, func(c map[string]any) { c["iss"] = "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/" }),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			resp, out := f.do(t, http.MethodGet, "/v2/studies", tok, "", nil, "")
			ch := resp.Header.Get("WWW-Authenticate")
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(ch, `resource_id="https://dicom.healthcareapis.azure.com"`) ||
				!strings.Contains(ch, `authorization_uri="`+f.srv.URL+"/"+f.tid+`"`) {
				t.Fatalf("%d %q %s", resp.StatusCode, ch, out)
			}
		})
	}
}

func TestRoutingAndBadRequests(t *testing.T) {
	f := newFixture(t)
	owner := f.token(t, ownerOID, nil)
	ct, _ := multipartBody()
	cases := []struct {
		name, method, path, ct string
		body                   []byte
		want                   int
	}{
		{"unversioned", http.MethodGet, "/studies", "", nil, http.StatusBadRequest},
		{"unknown parameter", http.MethodGet, "/v2/studies?Bogus=1", "", nil, http.StatusBadRequest},
		{"limit too large", http.MethodGet, "/v2/studies?limit=5000", "", nil, http.StatusBadRequest},
		{"unknown resource", http.MethodGet, "/v2/frames", "", nil, http.StatusNotFound},
		{"store without parts", http.MethodPost, "/v2/studies", ct, []byte("--XX--\r\n"), http.StatusNoContent},
		{"store of JSON", http.MethodPost, "/v2/studies", "application/json", []byte("{}"), http.StatusUnsupportedMediaType},
		{"store of garbage", http.MethodPost, "/v2/studies", "application/dicom", []byte("not dicom"), http.StatusConflict},
		{"retrieve missing", http.MethodGet, "/v2/studies/1.2.3", "", nil, http.StatusNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := f.do(t, tc.method, tc.path, owner, tc.ct, tc.body, "")
			if resp.StatusCode != tc.want {
				t.Fatalf("%d %s, want %d", resp.StatusCode, out, tc.want)
			}
		})
	}
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/dicom/nope-nope/v2/studies", nil)
	if resp, err := f.srv.Client().Do(req); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown service: %v %v", resp, err)
	}
}

func FuzzStoreBody(f *testing.F) {
	fx := newFixture(f)
	owner := fx.token(f, ownerOID, nil)
	ct, body := multipartBody(part10.Build(instance))
	f.Add(ct, body)
	f.Add("application/dicom", []byte("DICM"))
	f.Add(`multipart/related; boundary="`, []byte("--"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		if strings.ContainsFunc(contentType, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
			return // no HTTP client sends control characters in a header (Go's refuses to)
		}
		resp, _ := fx.do(t, http.MethodPost, "/v2/studies", owner, contentType, body, "")
		if resp.StatusCode >= 500 {
			t.Fatalf("STOW answered %d", resp.StatusCode)
		}
	})
}

func FuzzQuery(f *testing.F) {
	f.Add("PatientName=doe*&limit=5&offset=1&fuzzymatching=true&includefield=all")
	f.Add("StudyDate=20200101-&0020000D=1.2")
	f.Fuzz(func(t *testing.T, raw string) {
		values, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		for p := allStudies; p <= studySeriesInstances; p++ {
			q, _ := parseQuery(values, p, true)
			_ = q.matches(&tenant.DicomInstance{Attributes: map[string]string{"PatientName": "Doe^Jane", "StudyDate": "20260101"}}, []string{"CT"})
		}
	})
}

func BenchmarkAuthorizedSearch(b *testing.B) {
	f := newFixture(b)
	owner := f.token(b, ownerOID, nil)
	ct, body := multipartBody(part10.Build(instance))
	f.do(b, http.MethodPost, "/v2/studies", owner, ct, body, "")
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, _ := f.do(b, http.MethodGet, "/v2/studies?StudyInstanceUID="+instance.StudyInstanceUID, owner, "", nil, "")
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("search: %d", resp.StatusCode)
			}
		}
	})
}
