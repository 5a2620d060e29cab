package mockgraph

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// BenchmarkStateWithDICOM measures, with a state file, the p50 of a Graph create and of a
// token request on an empty state and with 250 MB of DICOM stored (issue 13: the cost of a write
// must grow with the change, not with the state). BENCH_STATE_SAMPLES sets the samples (30).
func BenchmarkStateWithDICOM(b *testing.B) {
	samples := 30
	if n, err := strconv.Atoi(os.Getenv("BENCH_STATE_SAMPLES")); err == nil && n > 0 {
		samples = n
	}
	for _, stored := range benchSizes() {
		b.Run(fmt.Sprintf("dicom-%dMB", stored), func(b *testing.B) {
			srv := Start(b, WithStateFile(filepath.Join(b.TempDir(), "state.db")))
			if stored > 0 {
				fillDICOM(b, srv, stored)
			}
			b.ResetTimer()
			var create, token []time.Duration
			for range b.N {
				create, token = nil, nil
				for i := range samples {
					t0 := time.Now()
					tok := clientCredentials(b, srv)
					token = append(token, time.Since(t0))
					t0 = time.Now()
					graphCreate(b, srv, tok, fmt.Sprintf("bench-%d", i))
					create = append(create, time.Since(t0))
				}
			}
			b.ReportMetric(float64(p50(create).Microseconds())/1000, "create-p50-ms")
			b.ReportMetric(float64(p50(token).Microseconds())/1000, "token-p50-ms")
		})
	}
}

func p50(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

// fillDICOM stores mb MB of DICOM in 8 MB instances, in one write.
func fillDICOM(b *testing.B, srv *Server, mb int) {
	blob := make([]byte, 8<<20)
	host := srv.Seeded().DicomServiceHost
	err := srv.store.Update(func(d *tenant.Directory) error {
		for i := range mb / 8 {
			uid := fmt.Sprintf("1.2.3.%d", i)
			d.PutDicomInstance(&tenant.DicomInstance{Service: host, StudyInstanceUID: "1.2.3", SeriesInstanceUID: "1.2.3.1",
				SOPInstanceUID: uid, Data: blob, StoredAt: time.Now()})
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func clientCredentials(b *testing.B, srv *Server) string {
	seed := srv.Seeded()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {seed.AdminAppID}, "client_secret": {seed.AdminSecret},
		"scope": {tenant.GraphResource + "/.default"}}
	resp, err := srv.Client().PostForm(srv.URL()+"/"+srv.TenantID()+"/oauth2/v2.0/token", form)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return out.AccessToken
}

func graphCreate(b *testing.B, srv *Server, token, name string) {
	req, _ := http.NewRequest(http.MethodPost, srv.GraphURL()+"/applications", strings.NewReader(`{"displayName":"`+name+`"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b.Fatalf("create: %d", resp.StatusCode)
	}
}

// benchSizes are the MB of DICOM stored in each run (BENCH_STATE_MB overrides the 250).
func benchSizes() []int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_STATE_MB")); err == nil && n > 0 {
		return []int{0, n}
	}
	return []int{0, 250}
}
