package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph"
	"github.com/dicomreg/dicomreg/plugin/converge"
	"github.com/dicomreg/dicomreg/plugin/secretfile"
)

// Item 7 of issue 14: retries are told — a line per wait with its length and reason, Graph's
// Retry-After followed (the mock sends whole seconds, as Graph does) — quiet with
// --only-show-errors, and --verbose adds a line per request.
func TestRetriesAreTold(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(21), mockgraph.WithFaults(mockgraph.Faults{Rate503: 1, RetryAfter: time.Second}))
	f, _, errOut := registerFactory(srv)
	var slept []time.Duration
	f.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	f.Retry.MaxRetries = 2
	if code := run(context.Background(), f, []string{"app", "list"}); code != ExitError {
		t.Fatalf("exit %d under 100%% 503: %s", code, errOut)
	}
	got := errOut.String()
	for _, want := range []string{
		"Waiting 1s: Microsoft Graph answered 503 Service Unavailable with Retry-After 1; then try 2 of 3",
		"Waiting 1s: Microsoft Graph answered 503 Service Unavailable with Retry-After 1; then try 3 of 3",
		"ERROR: ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("stderr lacks %q:\n%s", want, got)
		}
	}
	if len(slept) != 2 || slept[0] != time.Second {
		t.Errorf("slept %v, want 2 × 1s", slept)
	}

	f, _, errOut = registerFactory(srv)
	f.Retry.MaxRetries = 1
	run(context.Background(), f, []string{"app", "list", "--only-show-errors"})
	if got := errOut.String(); strings.Contains(got, "Waiting") || !strings.HasPrefix(got, "ERROR: ") {
		t.Errorf("--only-show-errors: %q", got)
	}

	srv.SetFaults(mockgraph.Faults{})
	f, _, errOut = registerFactory(srv)
	if code := run(context.Background(), f, []string{"app", "list", "--verbose"}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if got := errOut.String(); !strings.Contains(got, "GET "+srv.GraphURL()+"/applications") || !strings.Contains(got, "→ 200 (") {
		t.Errorf("--verbose shows no request line:\n%s", got)
	}
}

// secretFileVar is a variable of a dotenv file dicomreg wrote.
func secretFileVar(t *testing.T, path, name string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, vars, err := secretfile.ParseDotenv(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return secretfile.Get(vars, name)
}

// Items 1 and 2 of issue 14: a --secret-out that cannot be written fails before Graph makes the
// secret; an existing file with other content is not overwritten without --force; the file dicomreg
// wrote for the same app is (rotation); the file has export lines.
func TestSecretFilesLoseNothing(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(22))
	c := cliRun{t, srv}
	appID, _ := addMockApp(t, srv, mockApp{name: "careful"})
	secrets := func() int { return len(srv.Applications("careful")[0].Secrets) }
	dir := t.TempDir()

	for _, bad := range []string{filepath.Join(dir, "nodir", "sub", "x.env"), dir} {
		c.wantExit(ExitError, "app", "secret", "add", "--app", "careful", "--secret-out", bad)
		if n := secrets(); n != 0 {
			t.Fatalf("--secret-out %s: %d secrets made whose value nobody holds", bad, n)
		}
	}

	mine := filepath.Join(dir, "app.env")
	os.WriteFile(mine, []byte("DATABASE_URL=postgres://db\n"), 0o600)
	printed := c.wantExit(ExitError, "app", "secret", "add", "--app", "careful", "--secret-out", mine)
	if data, _ := os.ReadFile(mine); string(data) != "DATABASE_URL=postgres://db\n" || secrets() != 0 || !strings.Contains(printed, "--force") {
		t.Fatalf("an unrelated file was touched or a secret made: %q, %d secrets: %s", data, secrets(), printed)
	}
	c.wantExit(ExitError, "register", "--name", "careful", "--secret", "--secret-out", mine, "--no-dicom-permission")
	if secrets() != 0 {
		t.Fatal("register made a secret for a file it may not write")
	}
	c.must(nil, "app", "secret", "add", "--app", "careful", "--secret-out", mine, "--force")
	if got := secretFileVar(t, mine, "AZURE_CLIENT_ID"); got != appID || secretFileVar(t, mine, "DATABASE_URL") != "" {
		t.Fatalf("--force: client %q", got)
	}
	// Rotating into the file dicomreg wrote for this app needs no --force.
	c.must(nil, "app", "secret", "rotate", "--app", "careful", "--secret-out", mine)
	if n := secrets(); n != 2 {
		t.Fatalf("%d secrets after rotate, want 2", n)
	}
	// `source file && program` hands the variables to the program.
	out, err := exec.Command("bash", "-c", "source "+mine+" && printenv AZURE_CLIENT_ID").Output()
	if err != nil || strings.TrimSpace(string(out)) != appID {
		t.Fatalf("sourced file does not export AZURE_CLIENT_ID: %q %v", out, err)
	}

	pem := filepath.Join(dir, "existing.pem")
	os.WriteFile(pem, []byte("-----BEGIN PRIVATE KEY-----\nnot mine to lose\n"), 0o600)
	c.wantExit(ExitError, "app", "cert", "create", "--app", "careful", "--cert-out", pem)
	if data, _ := os.ReadFile(pem); !strings.Contains(string(data), "not mine to lose") {
		t.Fatal("cert create overwrote an existing key file")
	}
	var row struct {
		KeyID string `json:"keyId"`
	}
	c.must(&row, "app", "cert", "create", "--app", "careful", "--cert-out", pem, "--force")
	if row.KeyID == "" {
		t.Error(`cert create shows "keyId": ""`)
	}
}

// Item 10 of issue 14: what can be validated is validated before the first write; a secret the
// output would drop is not made; a confidential app without a credential is called out; the
// output ends with next steps.
func TestRegisterValidatesFirstAndSaysWhatNext(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(23))
	c := cliRun{t, srv}
	wrong := strings.Replace(srv.Seeded().DicomServiceID, "mockdicom", "nosuchdicom", 1)
	srv.ResetRequests()
	c.wantExit(ExitNotFound, "register", "--name", "early", "--secret", "--role", "owner", "--dicom-service", wrong)
	if w := srv.Requests().Writes; w != 0 || len(srv.Applications("early")) != 0 {
		t.Fatalf("a wrong --dicom-service was found out after %d writes", w)
	}
	c.wantExit(ExitUsage, "register", "--name", "early", "--role", "owner", "--dicom-service", "garbage")
	c.wantExit(ExitUsage, "register", "--name", "early", "--secret", "-o", "none")
	if len(srv.Applications("early")) != 0 {
		t.Fatal("-o none: an app was made for a secret that would be dropped")
	}
	printed := c.must(nil, "register", "--name", "early", "--no-dicom-permission")
	if !strings.Contains(printed, "has no client secret, certificate or federated credential") {
		t.Errorf("no warning for an app without a credential:\n%s", printed)
	}
	printed = c.must(nil, "register", "--name", "workload", "--no-dicom-permission", "--federated", "github:octo/imaging", "--branch", "main", "--federated-issuer", srv.GitHubIssuer())
	if strings.Contains(printed, "cannot get a token") || !strings.Contains(printed, "added federated identity credential") {
		t.Errorf("a workload app with a federated credential:\n%s", printed)
	}
	file := filepath.Join(t.TempDir(), "early.env")
	printed = c.must(nil, "register", "--name", "early", "--secret", "--secret-out", file, "--postman", "--no-dicom-permission")
	for _, want := range []string{"Next steps:", "source " + file + " && dicomreg verify", "Token URL", "Callback URL " + converge.PostmanRedirectURI} {
		if !strings.Contains(printed, want) {
			t.Errorf("next steps lack %q:\n%s", want, printed)
		}
	}
	c.wantExit(ExitUsage, "app", "secret", "add", "--app", "early", "-o", "none")
	c.wantExit(ExitUsage, "app", "secret", "add", "--app", "early", "--query", "keyId")
	if n := len(srv.Applications("early")[0].Secrets); n != 1 {
		t.Errorf("%d secrets: secret add made one the output would drop", n)
	}
}

// Item 11 of issue 14: --print-manifest prints the manifest the flags amount to, which -f reads back.
func TestPrintManifestRoundTrips(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(24))
	c := cliRun{t, srv}
	srv.ResetRequests()
	manifest := c.must(nil, "register", "--name", "from-flags", "--postman", "--secret", "--public-client", "--print-manifest")
	if srv.Requests().Reads+srv.Requests().Writes != 0 {
		t.Fatal("--print-manifest called Graph")
	}
	var reg converge.Registration
	if err := converge.LoadManifest([]byte(manifest), &reg); err != nil || reg.Name != "from-flags" || !reg.Postman || !reg.Secret || !reg.PublicClient {
		t.Fatalf("manifest %q does not read back: %+v %v", manifest, reg, err)
	}
}

// Item 5 of issue 14: verify's fix for a signed-in user's 403 is a command that works — run it,
// and the same verify passes. Item 9: a --dicom-service that is no resource id is a usage error.
func TestVerifyUserForbiddenHintWorks(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(25))
	seeded := srv.Seeded()
	appID, _ := addMockApp(t, srv, mockApp{name: "user-viewer", public: true, permission: true, consent: true})
	verify := func() (int, string) {
		f, out, errOut := registerFactory(srv)
		code := run(context.Background(), f, []string{"verify", "--flow", "password", "--client-id", appID,
			"--username", seeded.TestUsername, "--password", seeded.TestPassword,
			"--dicom-url", srv.DICOMURL(), "--dicom-service", seeded.DicomServiceID, "-o", "json"})
		return code, out.String() + errOut.String()
	}
	code, printed := verify()
	m := regexp.MustCompile(`dicomreg (role assign [^"\n]*)`).FindStringSubmatch(printed)
	if code == ExitOK || m == nil || !strings.Contains(m[1], "--assignee-principal-type User") {
		t.Fatalf("want a 403 with a role assign fix for the user: exit %d\n%s", code, printed)
	}
	cliRun{t, srv}.must(nil, strings.Fields(m[1])...)
	if code, printed := verify(); code != ExitOK {
		t.Fatalf("after running the hint: exit %d\n%s", code, printed)
	}
	cliRun{t, srv}.wantExit(ExitUsage, "role", "assign", "--assignee", appID, "--role", "owner", "--dicom-service", "garbage")
}

// Items 3 and 9 of issue 14: a rename onto another app's name is refused as app create refuses
// it; removing a permission the app does not request is "not found" (3), as the other removes;
// app delete and permission remove say what they leave behind.
func TestRenameRemoveAndDeleteSayWhatTheyDo(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(26))
	c := cliRun{t, srv}
	addMockApp(t, srv, mockApp{name: "taken"})
	addMockApp(t, srv, mockApp{name: "mover", permission: true, consent: true})
	c.wantExit(ExitError, "app", "update", "--app", "mover", "--name", "taken")
	if len(srv.Applications("taken")) != 1 || len(srv.Applications("mover")) != 1 {
		t.Fatal("the rename onto a taken name went through")
	}
	printed := c.must(nil, "app", "permission", "remove", "--app", "mover")
	if !strings.Contains(printed, "admin consent") {
		t.Errorf("permission remove does not say the consent stays:\n%s", printed)
	}
	c.wantExit(ExitNotFound, "app", "permission", "remove", "--app", "mover")
	if printed := c.must(nil, "app", "delete", "--app", "mover"); !strings.Contains(printed, "role assignments") {
		t.Errorf("app delete does not say its role assignments stay:\n%s", printed)
	}
}

// Item 8 of issue 14: tables people can read — role list names the role and shortens the scope
// (no 250-character id), doctor -o table shows its findings.
func TestTablesShowWhatMatters(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(27))
	c := cliRun{t, srv}
	service := srv.Seeded().DicomServiceID
	addMockApp(t, srv, mockApp{name: "tabled", role: mockgraph.RoleDICOMDataOwner})
	printed := c.must(nil, "role", "list", "--dicom-service", service, "--assignee", "tabled", "-o", "table")
	if !strings.Contains(printed, "DICOM Data Owner") || !strings.Contains(printed, "this DICOM service") || strings.Contains(printed, "/providers/Microsoft.Authorization") {
		t.Errorf("role list -o table:\n%s", printed)
	}
	// The seeded admin's Owner on the subscription is inherited by the service: named, not a GUID.
	printed = c.must(nil, "role", "list", "--dicom-service", service, "-o", "tsv", "--query", "[?principalId=='"+srv.Seeded().AdminSPID+"'].role")
	if strings.TrimSpace(printed) != "Owner" {
		t.Errorf("the admin's inherited role: %q, want Owner", printed)
	}
	code, printed := c.do(nil, "doctor", "--app", "tabled", "--dicom-service", service, "-o", "table")
	if code == ExitUsage || !strings.Contains(printed, "Severity") || !strings.Contains(printed, "Message") {
		t.Errorf("doctor -o table (exit %d) hides the findings:\n%s", code, printed)
	}
	// verify and token decode: -o table shows the findings and checks, not just a status.
	_, printed = c.do(nil, "verify", "--dicom-url", srv.DICOMURL(), "-o", "table")
	if !strings.Contains(printed, "Check") || !strings.Contains(printed, "Severity") || !strings.Contains(printed, "role-assignment") {
		t.Errorf("verify -o table hides the findings:\n%s", printed)
	}
	token := strings.TrimSpace(c.must(nil, "token", "get", "--query", "accessToken", "-o", "tsv"))
	if printed = c.must(nil, "token", "decode", token, "-o", "table"); !strings.Contains(printed, "Check") || !strings.Contains(printed, "aud") {
		t.Errorf("token decode -o table hides the checks:\n%s", printed)
	}
	// With --query, the query's shape wins, as az's table transformer gives way to a query.
	printed = c.must(nil, "role", "list", "--dicom-service", service, "--assignee", "tabled", "-o", "tsv", "--query", "[].role")
	if strings.TrimSpace(printed) != "DICOM Data Owner" {
		t.Errorf("--query [].role -o tsv: %q", printed)
	}
}

// Item 11 of issue 14: `app redirect remove --help` shows no --platform default it does not use.
func TestRedirectRemoveHelpHasNoPlatformDefault(t *testing.T) {
	f, out, _ := testFactory(nil)
	if code := run(context.Background(), f, []string{"app", "redirect", "remove", "--help"}); code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	if help := out.String(); strings.Contains(help, `(default "mobile")`) || !strings.Contains(help, "default: every platform") {
		t.Errorf("help:\n%s", help)
	}
}
