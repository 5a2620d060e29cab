package graphapi

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/clock"
	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
	"github.com/dicomreg/dicomreg/mockgraph/internal/rng"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// BenchmarkLookup measures reads by id, by `$filter=appId eq` and by `displayName eq` at 100, 10,000 and 100,000
// applications: both answer from the directory's indexes, so the cost per request must not
// grow with the directory. list-first-page (100 apps, no filter) shows what a plain list costs.
func BenchmarkLookup(b *testing.B) {
	for _, n := range []int{100, 10_000, 100_000} {
		r := rng.New(7)
		dir := tenant.Seed(r, tenant.SeedOptions{Now: epoch})
		var last *tenant.Application
		for i := range n {
			last = &tenant.Application{ID: r.GUID(), AppID: r.GUID(), DisplayName: "bench-" + strconv.Itoa(i), SignInAudience: "AzureADMyOrg", CreatedDateTime: epoch}
			dir.PutApplication(last)
		}
		e := &env{t: b, tid: dir.TenantID, seed: dir.Seeded, keys: keys.Shared(), clock: clock.Frozen(epoch.Add(time.Hour)), store: tenant.NewStore(dir)}
		_ = e.store.View(func(d *tenant.Directory) error {
			for _, v := range d.AssignedRoles(e.seed.AdminSPID, e.seed.GraphPrincipalID) {
				e.roles = append(e.roles, v)
			}
			return nil
		})
		token := "Bearer " + e.token(nil)
		router := mux.NewRouter()
		New(Config{Store: e.store, Keys: e.keys, Clock: e.clock, Rand: r}).Register(router)
		for name, path := range map[string]string{
			"get-by-id":          "/v1.0/applications/" + last.ID,
			"get-by-appId":       "/v1.0/applications(appId='" + last.AppID + "')",
			"filter-appId":       "/v1.0/applications?$filter=appId%20eq%20'" + last.AppID + "'",
			"filter-displayName": "/v1.0/applications?$filter=displayName%20eq%20'" + last.DisplayName + "'",
			"list-first-page":    "/v1.0/applications",
			"filter-spnames":     "/v1.0/servicePrincipals?$filter=servicePrincipalNames/any(c:c%20eq%20'" + tenant.DICOMResource + "')",
		} {
			b.Run("apps="+strconv.Itoa(n)+"/"+name, func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, "https://graph.test"+path, nil)
				req.Header.Set("Authorization", token)
				b.ReportAllocs()
				for b.Loop() {
					w := httptest.NewRecorder()
					router.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("%s: %d %s", path, w.Code, w.Body)
					}
				}
			})
		}
	}
}
