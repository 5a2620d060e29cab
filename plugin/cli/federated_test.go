package cli

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/dicomreg/dicomreg/mockgraph"
	"github.com/dicomreg/dicomreg/plugin/converge"
	"github.com/dicomreg/dicomreg/plugin/directory"
	"github.com/dicomreg/dicomreg/plugin/dotenv"
	"github.com/dicomreg/dicomreg/plugin/postman"
)

// A GitHub-Actions-shaped job, registered by `dicomreg register --federated`, gets a DICOM token
// with no secret anywhere and reaches the DICOM service; a second register changes nothing.
func TestRegisterFederatedThenTheWorkflowSignsIn(t *testing.T) {
	srv := mockgraph.Start(t)
	c := cliRun{t, srv}
	args := registerArgs(srv, "ci-uploader", "--federated", "github:octo/imaging", "--branch", "main", "--federated-issuer", srv.GitHubIssuer())
	var res converge.Result
	c.must(&res, args...)
	if !strings.Contains(strings.Join(res.Changes, "\n"), "federated identity credential") {
		t.Errorf("changes: %v", res.Changes)
	}
	if n := c.writes(args...); n != 0 {
		t.Errorf("second register made %d writes", n)
	}
	tok, err := srv.MintGitHubToken(mockgraph.GitHubJob{Repository: "octo/imaging", Branch: "main"})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(tok), 0o600); err != nil {
		t.Fatal(err)
	}
	cred, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{ClientOptions: srv.ClientOptions(),
		DisableInstanceDiscovery: true, TenantID: srv.TenantID(), ClientID: res.AppID, TokenFilePath: file})
	if err != nil {
		t.Fatal(err)
	}
	at, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{postman.DICOMScope}})
	if err != nil {
		t.Fatal(err)
	}
	// dicomreg verify, signed in by the same token file (AZURE_FEDERATED_TOKEN_FILE), no secret
	env := srv.Env()
	delete(env, "AZURE_CLIENT_SECRET")
	env["AZURE_CLIENT_ID"], env["AZURE_FEDERATED_TOKEN_FILE"] = res.AppID, file
	vf, _, vout, verr := mockFactory(srv, env)
	if code := run(context.Background(), vf, []string{"verify", "--flow", "workload-identity", "--dicom-url", srv.DICOMURL()}); code != ExitOK {
		t.Errorf("verify with the workload's token: exit %d: %s %s", code, vout, verr)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.DICOMURL()+"/v2/studies", nil)
	req.Header.Set("Authorization", "Bearer "+at.Token)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		t.Errorf("QIDO with the exchanged token: %d", resp.StatusCode)
	}
}

func TestAppFederatedAddListRemove(t *testing.T) {
	srv := mockgraph.Start(t)
	c := cliRun{t, srv}
	c.must(nil, "app", "create", "--name", "pods")
	k8s := []string{"app", "federated", "add", "--app", "pods", "--federated", "k8s:https://oidc.example.com/cluster/", "--service-account", "imaging/uploader"}
	c.must(nil, k8s...)
	if n := c.writes(k8s...); n != 0 {
		t.Errorf("adding it again made %d writes", n)
	}
	var list []directory.FederatedCredential
	c.must(&list, "app", "federated", "list", "--app", "pods")
	if len(list) != 1 || list[0].Subject != "system:serviceaccount:imaging:uploader" || list[0].Issuer != "https://oidc.example.com/cluster/" {
		t.Fatalf("list: %+v", list)
	}
	c.wantExit(ExitUsage, "app", "federated", "add", "--app", "pods", "--federated", "github:octo/imaging")
	c.wantExit(ExitNotFound, "app", "federated", "remove", "--app", "pods", "--name", "nope")
	c.must(nil, "app", "federated", "remove", "--app", "pods", "--name", list[0].Name)
	c.must(&list, "app", "federated", "list", "--app", "pods")
	if len(list) != 0 {
		t.Errorf("after remove: %+v", list)
	}
}

func TestPostmanExportAndRegisterPostmanEnv(t *testing.T) {
	srv := mockgraph.Start(t)
	c := cliRun{t, srv}
	dir := t.TempDir()
	envFile := filepath.Join(dir, "viewer.json")
	var res converge.Result
	c.must(&res, registerArgs(srv, "viewer", "--secret", "--postman-env", envFile, "--postman-secret")...)
	st, err := os.Stat(envFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("environment with the secret: %v %v", st, err)
	}
	b, _ := os.ReadFile(envFile)
	// The environment keeps the secret; the output names it instead of carrying the value.
	secret := postmanValue(t, b, "clientSecret")
	if res.ClientSecret != "" || res.SecretFile != envFile || secret == "" || postmanValue(t, b, "clientId") != res.AppID {
		t.Errorf("result %+v, environment: %s", res, b)
	}
	if _, err := os.Stat(filepath.Join(dir, "viewer.collection.json")); err != nil {
		t.Errorf("collection beside it: %v", err)
	}
	out := filepath.Join(dir, "export.json")
	col := filepath.Join(dir, "export.collection.json")
	c.must(nil, "app", "postman", "export", "--app", "viewer", "--env-out", out, "--collection-out", col)
	b, _ = os.ReadFile(out)
	st, _ = os.Stat(out)
	if strings.Contains(string(b), secret) || st.Mode().Perm() != 0o644 {
		t.Errorf("export without --include-secret: mode %v, %s", st.Mode(), b)
	}
	c.wantExit(ExitUsage, "app", "postman", "export", "--app", "viewer", "--env-out", out)
	secretFile := filepath.Join(dir, "viewer.env")
	if err := os.WriteFile(secretFile, []byte("AZURE_TENANT_ID="+srv.TenantID()+"\nAZURE_CLIENT_ID="+res.AppID+"\nAZURE_CLIENT_SECRET="+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	withSecret := filepath.Join(dir, "with-secret.json")
	c.must(nil, "app", "postman", "export", "--app", "viewer", "--env-out", withSecret, "--secret-from", secretFile)
	if b, _ := os.ReadFile(withSecret); !strings.Contains(string(b), secret) {
		t.Errorf("--secret-from: %s", b)
	}
	if st, _ := os.Stat(withSecret); st.Mode().Perm() != 0o600 {
		t.Errorf("--secret-from file mode %v", st.Mode())
	}
	c.must(nil, "app", "postman", "export", "--app", "viewer", "--env-out", out, "--force")
}

// --env-out: the variables an app needs, as export lines a shell hands to child processes (and
// as $GITHUB_ENV lines); a rerun that makes no secret keeps the one the file holds.
func TestRegisterEnvOut(t *testing.T) {
	srv := mockgraph.Start(t)
	c := cliRun{t, srv}
	dir := t.TempDir()
	envFile := filepath.Join(dir, "app.env")
	var res converge.Result
	c.must(&res, registerArgs(srv, "envout", "--secret", "--env-out", envFile)...)
	// the file keeps the secret: the output names it instead of showing the value
	if res.ClientSecret != "" || res.SecretFile != envFile {
		t.Errorf("clientSecret %q, secretFile %q; want none and %s", res.ClientSecret, res.SecretFile, envFile)
	}
	secret := ""
	check := func(text string) map[string]string {
		t.Helper()
		vars, err := dotenv.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		if secret == "" {
			secret = vars["AZURE_CLIENT_SECRET"]
		}
		want := map[string]string{"AZURE_TENANT_ID": srv.TenantID(), "AZURE_CLIENT_ID": res.AppID, "AZURE_CLIENT_SECRET": secret,
			"AZURE_AUTHORITY_HOST": srv.AuthorityHost(), "DICOMREG_DICOM_URL": srv.DICOMURL(), "DICOMREG_DICOM_SCOPE": "https://dicom.healthcareapis.azure.com/.default"}
		for k, v := range want {
			if vars[k] != v {
				t.Errorf("%s = %q, want %q", k, vars[k], v)
			}
		}
		return vars
	}
	b, _ := os.ReadFile(envFile)
	if st, _ := os.Stat(envFile); st.Mode().Perm() != 0o600 || !strings.HasPrefix(string(b), "export ") {
		t.Errorf("mode %v: %s", st.Mode(), b)
	}
	check(string(b))
	if secret == "" {
		t.Fatalf("the file holds no secret: %s", b)
	}
	// the shell passes them to a child process
	out, err := exec.Command("sh", "-c", ". "+envFile+" && sh -c 'echo $AZURE_CLIENT_ID'").Output()
	if err != nil || strings.TrimSpace(string(out)) != res.AppID {
		t.Errorf("sourced: %q %v", out, err)
	}
	c.must(nil, registerArgs(srv, "envout", "--secret", "--env-out", envFile, "--env-format", "github")...)
	b, _ = os.ReadFile(envFile)
	if strings.Contains(string(b), "export ") || strings.Contains(string(b), "'") {
		t.Errorf("$GITHUB_ENV format: %s", b)
	}
	check(string(b)) // the rerun made no secret and kept the file's
}

func TestRegisterEnvOutRefusesAFileNotItsOwn(t *testing.T) {
	srv := mockgraph.Start(t)
	c := cliRun{t, srv}
	file := filepath.Join(t.TempDir(), "mine.env")
	if err := os.WriteFile(file, []byte("MY_OWN=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _ := c.do(nil, registerArgs(srv, "foreign", "--env-out", file)...); code == ExitOK {
		t.Fatal("a file dicomreg did not write was replaced without --force")
	}
	if b, _ := os.ReadFile(file); string(b) != "MY_OWN=1\n" {
		t.Errorf("file changed: %q", b)
	}
	c.must(nil, registerArgs(srv, "foreign", "--env-out", file, "--force")...)
}
