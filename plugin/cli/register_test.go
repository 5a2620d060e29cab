package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/dicomreg/dicomreg/mockgraph"
	"github.com/dicomreg/dicomreg/plugin/converge"
	"github.com/dicomreg/dicomreg/plugin/dotenv"
	"github.com/dicomreg/dicomreg/plugin/output"
)

// registerFactory is a factory signed in as the mock's admin, whose sleeps advance the mock's
// clock (so replication lag and 429/503 retry waits pass without waiting).
func registerFactory(srv *mockgraph.Server) (*Factory, *bytes.Buffer, *bytes.Buffer) {
	f, _, out, errOut := mockFactory(srv, srv.Env())
	f.Sleep = func(_ context.Context, d time.Duration) error { srv.Clock().Advance(d); return nil }
	f.Retry = policy.RetryOptions{MaxRetries: 12} // real delays, taken by f.Sleep on the mock clock
	return f, out, errOut
}

func registerArgs(srv *mockgraph.Server, name string, extra ...string) []string {
	return append([]string{"register", "--name", name, "--postman", "--grant-admin-consent",
		"--role", "owner", "--dicom-service", srv.Seeded().DicomServiceID}, extra...)
}

func appsNamed(t *testing.T, srv *mockgraph.Server, name string) []mockgraph.AppState {
	t.Helper()
	return srv.Applications(name)
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
	// 8: the DICOM service is read before the first write (issue 14 item 10).
	if n := first.Reads + first.Writes; n > 8 {
		t.Errorf("a new app took %d Graph/ARM requests, want ≤ 8: %v", n, first.ByRoute)
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
	if len(apps) != 1 || len(apps[0].Secrets) != 1 || len(apps[0].PublicClientRedirectURIs) != 1 || apps[0].SignInAudience != "AzureADMyOrg" {
		t.Fatalf("directory after two runs: %+v", apps)
	}
}

// registerWrites are the writes a new registration makes, each failed in turn below.
var registerWrites = []struct{ surface, path string }{
	{mockgraph.SurfaceGraph, "POST /v1.0/applications"},
	{mockgraph.SurfaceGraph, "POST /v1.0/applications/{id}/addPassword"},
	{mockgraph.SurfaceGraph, "POST /v1.0/servicePrincipals"},
	{mockgraph.SurfaceGraph, "POST /v1.0/oauth2PermissionGrants"},
	{mockgraph.SurfaceARM, "PUT /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.HealthcareApis/workspaces/{ws}/dicomservices/{svc}/providers/Microsoft.Authorization/roleAssignments/{name}"},
}

// TestRegisterRetriesThrottlingOnEachWrite throttles (429, 503) or fails (500) each write of
// register once, under replication lag: the run retries that one call and converges; one more
// run changes nothing.
func TestRegisterRetriesThrottlingOnEachWrite(t *testing.T) {
	for _, w := range registerWrites {
		for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusInternalServerError} {
			t.Run(fmt.Sprintf("%d on %s", status, w.path), func(t *testing.T) {
				srv := mockgraph.Start(t, mockgraph.WithSeed(7), mockgraph.WithReplicationDelay(10*time.Second))
				if err := srv.QueueError(w.surface, w.path, status, 1); err != nil {
					t.Fatal(err)
				}
				secretFile := filepath.Join(t.TempDir(), "s.env")
				f, _, errOut := registerFactory(srv)
				if code := run(context.Background(), f, registerArgs(srv, "flaky", "--secret", "--secret-out", secretFile)); code != ExitOK {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				if n := requestsTo(srv.Requests(), w.path); n < 2 {
					t.Errorf("%d requests to %s, want the failed one and its retries: %v", n, w.path, srv.Requests().ByRoute)
				}
				srv.Clock().Advance(time.Minute) // a later re-run: replication has caught up
				srv.ResetRequests()
				f, _, errOut = registerFactory(srv)
				if code := run(context.Background(), f, registerArgs(srv, "flaky", "--secret", "--secret-out", secretFile)); code != ExitOK {
					t.Fatalf("second run: exit %d: %s", code, errOut)
				}
				if st := srv.Requests(); st.Writes != 0 {
					t.Errorf("the second run wrote %d times: %v", st.Writes, st.ByRoute)
				}
				apps := appsNamed(t, srv, "flaky")
				if len(apps) != 1 || len(apps[0].Secrets) != 1 {
					t.Fatalf("want one app with one secret, got %+v", apps)
				}
				sps := srv.ServicePrincipals(apps[0].AppID)
				if len(sps) != 1 || len(srv.Grants(sps[0].ID)) != 1 || len(srv.RoleAssignments(sps[0].ID)) != 1 {
					t.Fatalf("principals %+v, want one with one grant and one role", sps)
				}
			})
		}
	}
}

// requestsTo counts the requests whose "METHOD path" matches a QueueError pattern.
func requestsTo(st mockgraph.RequestStats, pattern string) int {
	re := regexp.MustCompile("^" + regexp.MustCompile(`\\\{[a-z]+\\\}`).ReplaceAllString(regexp.QuoteMeta(pattern), "[^/]+") + "$")
	n := 0
	for route, count := range st.ByRoute {
		if re.MatchString(route) {
			n += count
		}
	}
	return n
}

// TestRegisterStopsAtAFailureItMustNotRetry denies one write (403): the run stops there with
// Graph's or ARM's message and exit 1; the next run completes what is missing.
func TestRegisterStopsAtAFailureItMustNotRetry(t *testing.T) {
	for i, w := range registerWrites {
		t.Run(w.path, func(t *testing.T) {
			srv := mockgraph.Start(t, mockgraph.WithSeed(8))
			if err := srv.QueueError(w.surface, w.path, http.StatusForbidden, 1); err != nil {
				t.Fatal(err)
			}
			f, out, errOut := registerFactory(srv)
			if code := run(context.Background(), f, registerArgs(srv, "denied", "--secret")); code != ExitError ||
				!strings.Contains(errOut.String(), "403") {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var res converge.Result
			if i > 0 && (json.Unmarshal(out.Bytes(), &res) != nil || len(res.Changes) != i) {
				t.Errorf("the failed run printed %s, want its %d changes", out, i)
			}
			f, out, errOut = registerFactory(srv)
			if code := run(context.Background(), f, registerArgs(srv, "denied", "--secret")); code != ExitOK {
				t.Fatalf("the next run: exit %d: %s", code, errOut)
			}
			if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res.Changes) != len(registerWrites)-i {
				t.Errorf("the next run made %q, want the %d missing changes", res.Changes, len(registerWrites)-i)
			}
		})
	}
}

func TestRegisterRefusesTwoAppsWithOneName(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(3))
	a1, err1 := srv.AddApplication(mockgraph.App{Name: "twin"})
	a2, err2 := srv.AddApplication(mockgraph.App{Name: "twin"})
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	f, _, errOut := registerFactory(srv)
	if code := run(context.Background(), f, []string{"register", "--name", "twin"}); code != ExitError ||
		!strings.Contains(errOut.String(), "appId "+a1.AppID) || !strings.Contains(errOut.String(), "appId "+a2.AppID) {
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
	if len(apps) != 1 || !apps[0].PublicClient || len(apps[0].WebRedirectURIs) != 1 || len(apps[0].PublicClientRedirectURIs) != 1 || apps[0].SignInAudience != "AzureADMyOrg" {
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

// registerVia runs register through its runF seam with the factory's -o, as the root command
// would, and returns the error registerRun answered.
func registerVia(f *Factory, args ...string) error {
	cmd := NewCmdRegister(f, registerRun)
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.ExecuteContext(context.Background())
}

// --postman-secret asks for the new secret in the --postman-env file, so -o none, which prints
// nothing, loses nothing: the secret is made and written there, 0600, and never printed. What
// was refused for a reason still is: a secret only the output would carry (-o none without a
// file), and a file at --postman-env that dicomreg did not write for this app (without --force),
// found out before the first write.
func TestRegisterPostmanSecretWithOutputNone(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(47))
	dir := t.TempDir()
	envFile := filepath.Join(dir, "viewer.json")
	base := registerArgs(srv, "viewer-none", "--secret")[1:]
	quiet := func() (*Factory, *bytes.Buffer, *bytes.Buffer) {
		f, out, errOut := registerFactory(srv)
		f.Global.Output = output.None
		return f, out, errOut
	}

	f, out, errOut := quiet()
	if err := registerVia(f, append(base, "--postman-env", envFile, "--postman-secret")...); err != nil {
		t.Fatalf("-o none with --postman-secret: %v\n%s", err, errOut)
	}
	if out.Len() != 0 {
		t.Errorf("-o none printed %q", out)
	}
	apps := srv.Applications("viewer-none")
	if len(apps) != 1 || len(apps[0].Secrets) != 1 {
		t.Fatalf("apps %+v, want one with one secret", apps)
	}
	data, err := os.ReadFile(envFile)
	st, _ := os.Stat(envFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("environment: %v %v", st, err)
	}
	secret := postmanValue(t, data, "clientSecret")
	if secret == "" || postmanValue(t, data, "clientId") != apps[0].AppID {
		t.Fatalf("environment without the app's secret: %s", data)
	}
	if strings.Contains(errOut.String(), secret) || strings.Contains(errOut.String(), "shown once") {
		t.Errorf("stderr has the secret or says it was shown:\n%s", errOut)
	}

	// Refused as before: -o none and no file for the secret; nothing is made.
	f, _, _ = quiet()
	if err := registerVia(f, registerArgs(srv, "dropped", "--secret")[1:]...); !isUsage(err) || len(srv.Applications("dropped")) != 0 {
		t.Errorf("-o none without a file for the secret: %v, apps %d", err, len(srv.Applications("dropped")))
	}
	// A rerun that makes no secret does not wipe the one the environment holds.
	f, _, _ = quiet()
	srv.ResetRequests()
	if err := registerVia(f, append(base, "--postman-env", envFile)...); !isUsage(err) || !strings.Contains(err.Error(), "--force") || srv.Requests().Writes != 0 {
		t.Errorf("rerun over the environment holding the secret: %v, %d writes", err, srv.Requests().Writes)
	}
	if b, _ := os.ReadFile(envFile); postmanValue(t, b, "clientSecret") != secret {
		t.Error("the environment lost its secret")
	}
	// A file dicomreg did not write is found out before the first write, and kept.
	other := filepath.Join(dir, "mine.json")
	if err := os.WriteFile(other, []byte(`{"values":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	f, _, _ = quiet()
	srv.ResetRequests()
	if err := registerVia(f, registerArgs(srv, "other-file", "--secret", "--postman-env", other, "--postman-secret")[1:]...); !isUsage(err) ||
		srv.Requests().Writes != 0 || len(srv.Applications("other-file")) != 0 {
		t.Errorf("over a file dicomreg did not write: %v, %d writes", err, srv.Requests().Writes)
	}
	if b, _ := os.ReadFile(other); string(b) != `{"values":[]}` {
		t.Errorf("the file was changed: %s", b)
	}
	// --force replaces it.
	f, _, _ = quiet()
	if err := registerVia(f, registerArgs(srv, "other-file", "--secret", "--postman-env", other, "--postman-secret", "--force")[1:]...); err != nil {
		t.Fatalf("with --force: %v", err)
	}
	if b, _ := os.ReadFile(other); postmanValue(t, b, "clientSecret") == "" {
		t.Errorf("--force: %s", b)
	}
	// A rerun without a secret may rewrite an environment that holds none.
	plain := filepath.Join(dir, "plain.json")
	for i := range 2 {
		f, _, _ = quiet()
		if err := registerVia(f, append(base, "--postman-env", plain)...); err != nil {
			t.Fatalf("run %d with an environment without secret: %v", i+1, err)
		}
	}
}

func isUsage(err error) bool { return err != nil && ExitCode(err) == ExitUsage }

// postmanValue is the value of key in a Postman environment.
func postmanValue(t *testing.T, env []byte, key string) string {
	t.Helper()
	var e struct {
		Values []struct{ Key, Value string } `json:"values"`
	}
	if err := json.Unmarshal(env, &e); err != nil {
		t.Fatalf("environment %s: %v", env, err)
	}
	for _, v := range e.Values {
		if v.Key == key {
			return v.Value
		}
	}
	return ""
}

// A file register writes that keeps the new secret — --postman-env with --postman-secret, --env-out
// (shell or github lines) — keeps it out of the output, which names the file instead (secretFile),
// in every format, as --secret-out does; stderr neither shows it nor says it is shown once. Without
// a file for it, the secret is still printed, once; when the file cannot be written, the value
// stays in the output so it is not lost.
func TestRegisterSecretKeptInAFileLeavesTheValueOutOfTheOutput(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(53))
	dir := t.TempDir()
	envSecret := func(t *testing.T, data []byte) string {
		vars, err := dotenv.Parse(string(data))
		if err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		return vars[dotenv.ClientSecret]
	}
	ways := []struct {
		name   string
		ext    string
		flags  []string // FILE stands for the file
		secret func(*testing.T, []byte) string
		next   string // what next steps say to do with the file
	}{
		{"postman", ".json", []string{"--postman-env", "FILE", "--postman-secret"}, postmanSecret, "Import FILE"},
		{"env-out", ".env", []string{"--env-out", "FILE"}, envSecret, "source FILE && dicomreg verify"},
		{"env-out-github", ".env", []string{"--env-out", "FILE", "--env-format", "github"}, envSecret, `cat FILE >> "$GITHUB_ENV"`},
	}
	for _, way := range ways {
		for _, format := range []string{"json", "table", "tsv", "yaml"} {
			name := way.name + "-" + format
			file := filepath.Join(dir, name+way.ext)
			args := registerArgs(srv, "viewer-"+name, "-o", format, "--secret")
			for _, fl := range way.flags {
				args = append(args, strings.ReplaceAll(fl, "FILE", file))
			}
			f, out, errOut := registerFactory(srv)
			if code := run(context.Background(), f, args); code != ExitOK {
				t.Fatalf("%s: exit %d: %s", name, code, errOut)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			secret := way.secret(t, data)
			if secret == "" {
				t.Fatalf("%s: the file holds no secret: %s", name, data)
			}
			if strings.Contains(out.String(), secret) || strings.Contains(errOut.String(), secret) {
				t.Errorf("%s: the secret kept in %s also reached the output:\n%s\n%s", name, file, out, errOut)
			}
			if strings.Contains(errOut.String(), "shown once") {
				t.Errorf("%s: stderr says the secret is shown once:\n%s", name, errOut)
			}
			if !strings.Contains(out.String(), file) {
				t.Errorf("%s: the output does not name %s:\n%s", name, file, out)
			}
			if format != "json" {
				continue
			}
			var res converge.Result
			if err := json.Unmarshal(out.Bytes(), &res); err != nil {
				t.Fatal(err)
			}
			if res.ClientSecret != "" || res.SecretFile != file {
				t.Errorf("%s: clientSecret %q, secretFile %q; want none and %s", name, res.ClientSecret, res.SecretFile, file)
			}
			if want := strings.ReplaceAll(way.next, "FILE", file); !strings.Contains(errOut.String(), want) {
				t.Errorf("%s: next steps do not say %q:\n%s", name, want, errOut)
			}
		}
	}
	shownOnce := func(label string, extra ...string) {
		t.Helper()
		f, out, errOut := registerFactory(srv)
		code := run(context.Background(), f, append(registerArgs(srv, "viewer-"+label, "--secret"), extra...))
		var res converge.Result
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			t.Fatalf("%s: exit %d: %v\n%s", label, code, err, errOut)
		}
		if res.ClientSecret == "" || res.SecretFile != "" || !strings.Contains(errOut.String(), "once") {
			t.Errorf("%s: clientSecret %q, secretFile %q, stderr:\n%s", label, res.ClientSecret, res.SecretFile, errOut)
		}
	}
	// The Postman files without the secret: it is shown once, as without them.
	shownOnce("postman-without-secret", "--postman-env", filepath.Join(dir, "shown.json"))
	// An --env-out file dicomreg wrote for another app passes the check before the first write,
	// but may not be replaced for this one: the value stays in the output.
	other := filepath.Join(dir, "other-app.env")
	const otherApp = "export AZURE_TENANT_ID='t'\nexport AZURE_CLIENT_ID='11111111-1111-1111-1111-111111111111'\n"
	if err := os.WriteFile(other, []byte(otherApp), 0o600); err != nil {
		t.Fatal(err)
	}
	shownOnce("env-out-refused", "--env-out", other)
	if b, _ := os.ReadFile(other); string(b) != otherApp {
		t.Errorf("the other app's file was changed: %q", b)
	}
	// A file dicomreg did not write, or a bad --env-format, is refused before the first write.
	mine := filepath.Join(dir, "mine.env")
	if err := os.WriteFile(mine, []byte("MY_OWN=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, extra := range [][]string{{"--env-out", mine}, {"--env-out", filepath.Join(dir, "new.env"), "--env-format", "xml"}} {
		f, _, errOut := registerFactory(srv)
		srv.ResetRequests()
		code := run(context.Background(), f, append(registerArgs(srv, "viewer-refused", "--secret"), extra...))
		if code != ExitUsage || srv.Requests().Writes != 0 || len(srv.Applications("viewer-refused")) != 0 {
			t.Errorf("%v: exit %d, %d writes: %s", extra, code, srv.Requests().Writes, errOut)
		}
	}
	if b, _ := os.ReadFile(mine); string(b) != "MY_OWN=1\n" {
		t.Errorf("the file dicomreg did not write was changed: %q", b)
	}
	// -o none prints nothing, and the --env-out file keeps the secret, so it is made.
	quiet := filepath.Join(dir, "quiet.env")
	f, out, errOut := registerFactory(srv)
	f.Global.Output = output.None
	if err := registerVia(f, append(registerArgs(srv, "viewer-quiet", "--secret")[1:], "--env-out", quiet)...); err != nil || out.Len() != 0 {
		t.Fatalf("-o none with --env-out: %v, printed %q\n%s", err, out, errOut)
	}
	if b, _ := os.ReadFile(quiet); envSecret(t, b) == "" || strings.Contains(errOut.String(), envSecret(t, b)) {
		t.Errorf("-o none: the file %s or stderr:\n%s", b, errOut)
	}
}

func postmanSecret(t *testing.T, env []byte) string { return postmanValue(t, env, "clientSecret") }

// --postman-secret names where the secret goes; without --postman-env it would be ignored, so it
// is a usage error, before any request; as is `app postman export --secret-from` without
// --env-out (the collection holds no secret).
func TestPostmanSecretWithoutEnvironmentIsAUsageError(t *testing.T) {
	srv := mockgraph.Start(t)
	dir := t.TempDir()
	for _, args := range [][]string{
		registerArgs(srv, "no-env", "--secret", "--postman-secret"),
		registerArgs(srv, "no-env", "--secret", "--postman-secret", "--print-manifest"),
		{"app", "postman", "export", "--app", "no-env", "--collection-out", filepath.Join(dir, "c.json"), "--secret-from", filepath.Join(dir, "v.env")},
	} {
		f, out, errOut := registerFactory(srv)
		srv.ResetRequests()
		code := run(context.Background(), f, args)
		stderr := errOut.String()
		flags := []string{"--postman-secret", "--postman-env"}
		if args[0] == "app" {
			flags = []string{"--secret-from", "--env-out"}
		}
		if code != ExitUsage || !strings.Contains(stderr, "usage error: "+flags[0]) || !strings.Contains(stderr, flags[1]) {
			t.Errorf("%v: exit %d, stderr %q; want %d naming %v", args, code, stderr, ExitUsage, flags)
		}
		if n := srv.Requests().Total; n != 0 || out.Len() != 0 {
			t.Errorf("%v: %d requests, stdout %q", args, n, out)
		}
	}
	if len(srv.Applications("no-env")) != 0 {
		t.Error("an app was made")
	}
}
