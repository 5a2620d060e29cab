package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dicomreg/dicomreg/mockgraph"
	"github.com/dicomreg/dicomreg/plugin/converge"
)

// cliRun runs one dicomreg command line against srv as its admin and decodes its JSON output
// into out (when not nil); it returns the exit code and stderr.
type cliRun struct {
	t   *testing.T
	srv *mockgraph.Server
}

func (c cliRun) do(out any, args ...string) (int, string) {
	c.t.Helper()
	f, stdout, stderr := registerFactory(c.srv)
	code := run(context.Background(), f, args)
	if out != nil && code == ExitOK {
		if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
			c.t.Fatalf("%v: output is not JSON: %v\n%s", args, err, stdout)
		}
	}
	return code, stdout.String() + stderr.String()
}

func (c cliRun) must(out any, args ...string) string {
	c.t.Helper()
	code, printed := c.do(out, args...)
	if code != ExitOK {
		c.t.Fatalf("%v: exit %d: %s", args, code, printed)
	}
	return printed
}

// writes runs args and returns how many writes it made at the mock.
func (c cliRun) writes(args ...string) int {
	c.t.Helper()
	c.srv.ResetRequests()
	c.must(nil, args...)
	return c.srv.Requests().Writes
}

func (c cliRun) wantExit(want int, args ...string) string {
	c.t.Helper()
	code, printed := c.do(nil, args...)
	if code != want {
		c.t.Fatalf("%v: exit %d, want %d: %s", args, code, want, printed)
	}
	return printed
}

func TestAppCreateShowUpdateListDelete(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(41))
	c := cliRun{t, srv}
	var created appView
	c.must(&created, "app", "create", "--name", "viewer-one")
	if created.AppID == "" || created.ObjectID == "" || created.SignInAudience != converge.SignInAudienceMyOrg || created.PublicClient {
		t.Fatalf("created: %+v", created)
	}
	for _, ref := range []string{"viewer-one", created.AppID, created.ObjectID} {
		var shown appView
		c.must(&shown, "app", "show", "--app", ref)
		if shown.AppID != created.AppID {
			t.Errorf("show --app %s: %+v", ref, shown)
		}
	}
	if msg := c.wantExit(ExitError, "app", "create", "--name", "viewer-one"); !strings.Contains(msg, created.AppID) {
		t.Errorf("a taken name: %s", msg)
	}
	c.wantExit(ExitUsage, "app", "create")
	c.wantExit(ExitUsage, "app", "update", "--app", "viewer-one")

	if n := c.writes("app", "update", "--app", "viewer-one", "--public-client"); n != 1 {
		t.Errorf("update --public-client: %d writes", n)
	}
	if n := c.writes("app", "update", "--app", "viewer-one", "--public-client"); n != 0 {
		t.Errorf("update --public-client again: %d writes, want 0", n)
	}
	var updated appView
	c.must(&updated, "app", "update", "--app", created.AppID, "--public-client=false", "--name", "viewer-1")
	if updated.PublicClient || updated.DisplayName != "viewer-1" {
		t.Fatalf("updated: %+v", updated)
	}
	c.must(nil, "app", "create", "--name", "viewer-two")
	c.must(nil, "app", "create", "--name", "other")
	var listed []appView
	c.must(&listed, "app", "list", "--name", "viewer-")
	if len(listed) != 2 {
		t.Fatalf("list --name viewer-: %+v", listed)
	}

	c.must(nil, "app", "delete", "--app", "viewer-1")
	c.wantExit(ExitNotFound, "app", "show", "--app", created.AppID)
	c.wantExit(ExitNotFound, "app", "delete", "--app", "viewer-1")
}

func TestAppRefusesToGuessBetweenTwins(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(42))
	a, _ := addMockApp(t, srv, mockApp{name: "twin"})
	b, _ := addMockApp(t, srv, mockApp{name: "twin"})
	msg := cliRun{t, srv}.wantExit(ExitError, "app", "secret", "add", "--app", "twin")
	if !strings.Contains(msg, a) || !strings.Contains(msg, b) {
		t.Fatalf("twins not listed: %s", msg)
	}
	if apps := appsNamed(t, srv, "twin"); len(apps[0].Secrets)+len(apps[1].Secrets) != 0 {
		t.Fatal("a secret was added to one of the twins")
	}
}

func TestAppSecretAddListRotateRemove(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(43))
	c := cliRun{t, srv}
	appID, _ := addMockApp(t, srv, mockApp{name: "secretive"})
	file := filepath.Join(t.TempDir(), "client.env")

	var first secretResult
	printed := c.must(&first, "app", "secret", "add", "--app", "secretive", "--secret-out", file)
	data, err := os.ReadFile(file)
	fi, _ := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 || !strings.Contains(string(data), "export AZURE_CLIENT_ID="+appID) {
		t.Fatalf("secret file: %v %v", fi.Mode(), err)
	}
	value := secretFileVar(t, file, "AZURE_CLIENT_SECRET")
	if first.ClientSecret != "" || strings.Contains(printed, value) || !strings.HasPrefix(value, first.Hint) {
		t.Fatalf("the secret written to a file was printed too: %+v", first)
	}
	var shown secretResult
	c.must(&shown, "app", "secret", "add", "--app", appID, "--display-name", "ci", "--end-date", "2099-12-31")
	if len(shown.ClientSecret) < 16 || !strings.HasPrefix(shown.EndDateTime, "2099-12-31") {
		t.Fatalf("secret add without a file: %+v", shown)
	}
	c.wantExit(ExitUsage, "app", "secret", "add", "--app", appID, "--end-date", "2001-01-01")

	var rotated secretResult
	c.must(&rotated, "app", "secret", "rotate", "--app", appID, "--secret-out", file)
	var rows []secretRow
	c.must(&rows, "app", "secret", "list", "--app", appID)
	if len(rows) != 3 {
		t.Fatalf("rotate without --remove-old removed something: %+v", rows)
	}
	listing, _ := json.Marshal(rows)
	if strings.Contains(string(listing), value) || strings.Contains(string(listing), shown.ClientSecret) {
		t.Fatal("secret list shows a secret value")
	}
	c.must(&rotated, "app", "secret", "rotate", "--app", appID, "--secret-out", file, "--remove-old")
	if len(rotated.Removed) != 2 {
		t.Fatalf("--remove-old removed %v, want the two older dicomreg secrets", rotated.Removed)
	}
	c.must(&rows, "app", "secret", "list", "--app", appID)
	if len(rows) != 2 || !(rows[0].DisplayName == "ci" || rows[1].DisplayName == "ci") {
		t.Fatalf("after --remove-old: %+v (the ci secret must stay)", rows)
	}
	c.wantExit(ExitNotFound, "app", "secret", "remove", "--app", appID, "--key-id", first.KeyID)
	c.must(nil, "app", "secret", "remove", "--app", appID, "--key-id", rotated.KeyID)
	c.wantExit(ExitUsage, "app", "secret", "remove", "--app", appID)
}

func TestAppRedirectAddListRemove(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(44))
	c := cliRun{t, srv}
	addMockApp(t, srv, mockApp{name: "redirected"})
	if n := c.writes("app", "redirect", "add", "--app", "redirected", "--postman", "--redirect-uri", "http://localhost:8400"); n != 1 {
		t.Fatalf("add: %d writes", n)
	}
	if n := c.writes("app", "redirect", "add", "--app", "redirected", "--postman"); n != 0 {
		t.Fatalf("adding a URI the app has: %d writes, want 0", n)
	}
	c.must(nil, "app", "redirect", "add", "--app", "redirected", "--redirect-uri", "https://viewer.example.com/auth", "--platform", "web")
	var got []redirectView
	c.must(&got, "app", "redirect", "list", "--app", "redirected")
	want := []redirectView{{converge.PlatformMobile, "http://localhost:8400"}, {converge.PlatformMobile, converge.PostmanRedirectURI}, {converge.PlatformWeb, "https://viewer.example.com/auth"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("redirects %+v, want %+v", got, want)
	}
	c.wantExit(ExitUsage, "app", "redirect", "add", "--app", "redirected", "--redirect-uri", "x", "--platform", "desktop")
	c.wantExit(ExitUsage, "app", "redirect", "add", "--app", "redirected")
	c.must(&got, "app", "redirect", "remove", "--app", "redirected", "--postman")
	if len(got) != 2 {
		t.Fatalf("after remove: %+v", got)
	}
	c.wantExit(ExitNotFound, "app", "redirect", "remove", "--app", "redirected", "--postman")
	app := appsNamed(t, srv, "redirected")[0]
	if len(app.PublicClientRedirectURIs) != 1 || len(app.WebRedirectURIs) != 1 {
		t.Fatalf("directory: %+v", app)
	}
}

func TestAppPermissionAddGrantListRemove(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(45))
	c := cliRun{t, srv}
	addMockApp(t, srv, mockApp{name: "permitted", noSP: true})
	var rows []permissionRow
	c.must(&rows, "app", "permission", "add", "--app", "permitted")
	if len(rows) != 1 || rows[0].Permission != converge.DICOMScope || rows[0].Type != "Delegated" || rows[0].API != converge.DICOMDisplayName || rows[0].AdminConsent {
		t.Fatalf("after add: %+v", rows)
	}
	if n := c.writes("app", "permission", "add", "--app", "permitted"); n != 0 {
		t.Fatalf("add again: %d writes", n)
	}
	c.must(&rows, "app", "permission", "grant", "--app", "permitted")
	if len(rows) != 1 || !rows[0].AdminConsent {
		t.Fatalf("after grant: %+v", rows)
	}
	if n := c.writes("app", "permission", "grant", "--app", "permitted"); n != 0 {
		t.Fatalf("grant again: %d writes", n)
	}
	c.must(&rows, "app", "permission", "remove", "--app", "permitted")
	if len(rows) != 0 {
		t.Fatalf("after remove: %+v", rows)
	}
	c.wantExit(ExitNotFound, "app", "permission", "add", "--app", "permitted", "--scope", "Dicom.Everything")
}

func TestRoleAssignListRemove(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(46))
	c := cliRun{t, srv}
	svc := srv.Seeded().DicomServiceID
	appID, _ := addMockApp(t, srv, mockApp{name: "roled", noSP: true})
	var rows []roleRow
	c.must(&rows, "role", "assign", "--assignee", "roled", "--role", "owner", "--dicom-service", svc)
	if len(rows) != 1 || rows[0].Role != "DICOM Data Owner" || rows[0].PrincipalType != "ServicePrincipal" {
		t.Fatalf("after assign: %+v", rows)
	}
	if n := c.writes("role", "assign", "--app", appID, "--role", "DICOM Data Owner", "--dicom-service", svc); n != 0 {
		t.Fatalf("assign again: %d writes", n)
	}
	c.must(nil, "role", "assign", "--assignee", rows[0].PrincipalID, "--role", "reader", "--dicom-service", svc)
	c.must(&rows, "role", "list", "--assignee", "roled", "--dicom-service", svc)
	if len(rows) != 2 {
		t.Fatalf("list: %+v", rows)
	}
	c.must(&rows, "role", "remove", "--assignee", "roled", "--role", "owner", "--dicom-service", svc)
	if len(rows) != 1 || rows[0].Role != "DICOM Data Owner" {
		t.Fatalf("removed: %+v", rows)
	}
	c.wantExit(ExitNotFound, "role", "remove", "--assignee", "roled", "--role", "owner", "--dicom-service", svc)
	c.wantExit(ExitUsage, "role", "assign", "--assignee", "roled", "--dicom-service", svc)
	c.wantExit(ExitUsage, "role", "assign", "--assignee", "roled", "--role", "owner", "--dicom-service", "")
	c.wantExit(ExitNotFound, "role", "assign", "--assignee", "nobody", "--role", "owner", "--dicom-service", svc)
}
