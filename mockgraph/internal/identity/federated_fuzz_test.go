package identity

import (
	"testing"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// FuzzVerifyFederated: no external token the fuzzer makes is accepted (the issuer's keys were
// never fetched, so nothing can verify), and every refusal is a 401 AADSTS error, never a panic.
func FuzzVerifyFederated(f *testing.F) {
	e := newEnv(f)
	app := e.addApp(appOpts{})
	var a *tenant.Application
	_ = e.store.Update(func(d *tenant.Directory) error {
		a = d.ApplicationByAppID(app.AppID)
		d.PutFederatedCredentials(a.ID, []tenant.FederatedIdentityCredential{{ID: "x", Name: "gh", Issuer: "https://issuer.example",
			Subject: "repo:o/r:ref:refs/heads/main", Audiences: []string{"api://AzureADTokenExchange"}}})
		return nil
	})
	// header {"alg":"RS256","kid":"k"}; claims with the credential's issuer, subject and audience
	f.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwic3ViIjoicmVwbzpvL3I6cmVmOnJlZnMvaGVhZHMvbWFpbiIsImF1ZCI6ImFwaTovL0F6dXJlQURUb2tlbkV4Y2hhbmdlIiwiZXhwIjo5OTk5OTk5OTk5fQ.c2ln")
	f.Add("eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIn0.")
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, assertion string) {
		var err *oauthError
		_ = e.store.View(func(d *tenant.Directory) error {
			err = e.svc.verifyFederated(d, a, assertion, e.clock.Now())
			return nil
		})
		if err == nil {
			t.Fatalf("external token %q accepted with no issuer keys", assertion)
		}
		if err.Status != 401 || err.Code == 0 {
			t.Fatalf("refusal %+v", err)
		}
	})
}
