package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/dicomreg/dicomreg/mockgraph"
	"github.com/dicomreg/dicomreg/mockgraph/tenant"
	"github.com/dicomreg/dicomreg/plugin/converge"
)

// registerFactory is a factory signed in as the mock's admin, whose sleeps advance the mock's
// clock (so replication lag passes without waiting) and whose 429/503 retries are immediate.
func registerFactory(srv *mockgraph.Server) (*Factory, *bytes.Buffer, *bytes.Buffer) {
	f, _, out, errOut := mockFactory(srv, srv.Env())
	f.Sleep = func(_ context.Context, d time.Duration) error { srv.Clock().Advance(d); return nil }
	f.Retry = policy.RetryOptions{MaxRetries: 12, RetryDelay: time.Millisecond, MaxRetryDelay: 2 * time.Millisecond}
	return f, out, errOut
}

func registerArgs(srv *mockgraph.Server, name string, extra ...string) []string {
	return append([]string{"register", "--name", name, "--postman", "--grant-admin-consent",
		"--role", "owner", "--dicom-service", srv.Seeded().DicomServiceID}, extra...)
}

func appsNamed(t *testing.T, srv *mockgraph.Server, name string) []*tenant.Application {
	t.Helper()
	var out []*tenant.Application
	_ = srv.Store().View(func(d *tenant.Directory) error {
		for _, a := range d.Applications() {
			if a.DisplayName == name {
				out = append(out, a)
			}
		}
		return nil
	})
	return out
}

func TestRegisterNewAppThenConvergedRerun(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(21))
	secretFile := filepath.Join(t.TempDir(), "viewer.env")

	f, out, errOut := registerFactory(srv)
	srv.ResetRequests()
	if code := run(context.Background(), f, registerArgs(srv, "viewer", "--secret", "--secret-out", secretFile)); code != ExitOK {
		t.Fatalf("first run: exit %d: %s", code, errOut)
	}
	first := srv.Requests()
	if n := first.Reads + first.Writes; n > 7 {
		t.Errorf("a new app took %d Graph/ARM requests, want ≤ 7: %v", n, first.ByRoute)
	}
	var res converge.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 5 || res.ClientSecret != "" || res.SecretFile != secretFile || res.ServicePrincipalID == "" {
		t.Fatalf("first run result: %+v", res)
	}
	data, err := os.ReadFile(secretFile)
	fi, _ := os.Stat(secretFile)
	if err != nil || fi.Mode().Perm() != 0o600 || !strings.Contains(string(data), "AZURE_CLIENT_ID="+res.AppID) {
		t.Fatalf("secret file: %v %v %q", fi.Mode(), err, data)
	}
	secret := strings.TrimPrefix(strings.Split(string(data), "\n")[2], "AZURE_CLIENT_SECRET=")
	if strings.Contains(out.String()+errOut.String(), secret) {
		t.Fatal("the secret written to --secret-out also reached stdout or stderr")
	}

	f, out, errOut = registerFactory(srv)
	srv.ResetRequests()
	if code := run(context.Background(), f, registerArgs(srv, "viewer", "--secret")); code != ExitOK {
		t.Fatalf("second run: exit %d: %s", code, errOut)
	}
	second := srv.Requests()
	if second.Writes != 0 || second.Reads > 5 {
		t.Errorf("converged re-run: %d reads, %d writes, want ≤ 5 and 0: %v", second.Reads, second.Writes, second.ByRoute)
	}
	var again converge.Result
	_ = json.Unmarshal(out.Bytes(), &again)
	if len(again.Changes) != 0 || again.AppID != res.AppID || !strings.Contains(errOut.String(), "nothing to change") {
		t.Fatalf("second run: %+v %s", again, errOut)
	}
	apps := appsNamed(t, srv, "viewer")
	if len(apps) != 1 || len(apps[0].PasswordCredentials) != 1 || len(apps[0].PublicClient.RedirectURIs) != 1 {
		t.Fatalf("directory after two runs: %+v", apps)
	}
}

func TestRegisterConvergesUnderFaultsAndReplicationLag(t *testing.T) {
	requests := 0
	defer func() {
		t.Logf("50 seeds × 2 runs: %d Graph/ARM requests (without faults or lag a pair takes 12)", requests)
	}()
	for seed := uint64(1); seed <= 50; seed++ { // issue 6: 50 runs, each with its own faults
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			srv := mockgraph.Start(t, mockgraph.WithSeed(seed), mockgraph.WithReplicationDelay(10*time.Second),
				mockgraph.WithFaults(mockgraph.Faults{Rate429: 0.2, Rate503: 0.1}))
			for run1 := 0; run1 < 2; run1++ {
				f, _, errOut := registerFactory(srv)
				if code := run(context.Background(), f, registerArgs(srv, "flaky", "--secret", "--secret-out", filepath.Join(t.TempDir(), "s.env"))); code != ExitOK {
					t.Fatalf("run %d: exit %d: %s", run1, code, errOut)
				}
			}
			requests += srv.Requests().Reads + srv.Requests().Writes
			apps := appsNamed(t, srv, "flaky")
			if len(apps) != 1 || len(apps[0].PasswordCredentials) != 1 {
				t.Fatalf("want one app with one secret, got %d apps: %+v", len(apps), apps)
			}
			_ = srv.Store().View(func(d *tenant.Directory) error {
				sps := 0
				for _, sp := range d.ServicePrincipals() {
					if sp.AppID == apps[0].AppID {
						sps++
					}
				}
				if sps != 1 {
					t.Fatalf("%d service principals for the app", sps)
				}
				return nil
			})
		})
	}
}

func TestRegisterRefusesTwoAppsWithOneName(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(3))
	_ = srv.Store().Update(func(d *tenant.Directory) error {
		d.PutApplication(&tenant.Application{ID: "a1", AppID: "c1", DisplayName: "twin"})
		d.PutApplication(&tenant.Application{ID: "a2", AppID: "c2", DisplayName: "twin"})
		return nil
	})
	f, _, errOut := registerFactory(srv)
	if code := run(context.Background(), f, []string{"register", "--name", "twin"}); code != ExitError ||
		!strings.Contains(errOut.String(), "appId c1") || !strings.Contains(errOut.String(), "appId c2") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := len(appsNamed(t, srv, "twin")); n != 2 {
		t.Fatalf("register changed the twins: %d apps", n)
	}
}

func TestRegisterWithoutDICOMServiceExplains(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(3), mockgraph.WithoutDICOMPrincipal())
	f, _, errOut := registerFactory(srv)
	if code := run(context.Background(), f, []string{"register", "--name", "early"}); code != ExitNotFound || !strings.Contains(errOut.String(), "no DICOM service has been deployed") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestRegisterSecretShownOnceAndNeverInDebug(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(5))
	f, out, errOut := registerFactory(srv)
	if code := run(context.Background(), f, []string{"register", "--name", "shown", "--secret", "--debug"}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res converge.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res.ClientSecret) < 16 {
		t.Fatalf("secret not in the output: %v %s", err, out)
	}
	if strings.Contains(errOut.String(), res.ClientSecret) || strings.Contains(errOut.String(), srv.Seeded().AdminSecret) {
		t.Fatal("--debug output holds a secret")
	}
	if !strings.Contains(errOut.String(), "DEBUG: POST") || !strings.Contains(errOut.String(), "REDACTED") {
		t.Fatalf("--debug traced nothing: %s", errOut)
	}
}

func TestRegisterManifestAndUsage(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(6))
	dir := t.TempDir()
	manifest := filepath.Join(dir, "reg.yaml")
	os.WriteFile(manifest, []byte("name: from-file\npublicClient: true\nredirectUris:\n  - uri: http://localhost:8400\n    platform: mobile\n  - uri: https://app.example/cb\n    platform: web\n"), 0o600)
	f, _, errOut := registerFactory(srv)
	if code := run(context.Background(), f, []string{"register", "-f", manifest}); code != ExitOK {
		t.Fatalf("manifest: exit %d: %s", code, errOut)
	}
	apps := appsNamed(t, srv, "from-file")
	if len(apps) != 1 || apps[0].IsFallbackPublicClient == nil || !*apps[0].IsFallbackPublicClient || len(apps[0].Web.RedirectURIs) != 1 || apps[0].SignInAudience != "AzureADMyOrg" {
		t.Fatalf("manifest app: %+v", apps)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("name: x\npublicClients: true\n"), 0o600)
	for _, args := range [][]string{
		{"register"},
		{"register", "-f", bad},
		{"register", "--name", "x", "--role", "owner", "--dicom-service", ""},
		{"register", "--name", "x", "--redirect-uri", "http://localhost", "--platform", "tv"},
		{"register", "--name", "x", "--cert", "--cert-file", "c.pem"},
	} {
		f, _, errOut := registerFactory(srv)
		if code := run(context.Background(), f, args); code != ExitUsage {
			t.Errorf("%v: exit %d, want 2: %s", args, code, errOut)
		}
	}
}

func TestRegisterOutputGolden(t *testing.T) {
	res := converge.Result{DisplayName: "viewer", AppID: "11111111-1111-4111-8111-111111111111", ObjectID: "22222222-2222-4222-8222-222222222222",
		TenantID: "33333333-3333-4333-8333-333333333333", ServicePrincipalID: "44444444-4444-4444-8444-444444444444",
		SecretFile: "viewer.env", Changes: []string{"created application viewer", "created service principal"}}
	for _, format := range []string{"table", "tsv", "yaml"} {
		f, out, _ := testFactory(nil)
		f.Global.Output = format
		if err := f.Print(res); err != nil {
			t.Fatal(err)
		}
		golden(t, "register-result."+format, out.Bytes())
	}
}
