package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dicomreg/dicomreg/mockgraph"
	"github.com/dicomreg/dicomreg/plugin/converge"
)

// readme is the repository's README, which these tests hold to what it promises a new user.
func readme(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// githubEnvLine is what the Actions runner accepts in $GITHUB_ENV outside heredocs: NAME=value.
var githubEnvLine = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=[^\n]*$`)

// Item 11 of issue 14: the README's Actions step turns the mock's env file into $GITHUB_ENV lines
// the runner accepts (the env file's comment line was passed through and rejected).
func TestReadmeActionsSnippetWritesValidGithubEnv(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("bash is needed to run the README's shell line")
	}
	var line string
	for _, l := range strings.Split(readme(t), "\n") {
		if strings.Contains(l, `>> "$GITHUB_ENV"`) {
			line = strings.TrimSpace(l)
		}
	}
	if line == "" {
		t.Fatal("the README has no line writing $GITHUB_ENV")
	}
	srv := mockgraph.Start(t, mockgraph.WithSeed(28))
	dir := t.TempDir()
	if err := srv.WriteEnvFile(filepath.Join(dir, "mock.env")); err != nil {
		t.Fatal(err)
	}
	githubEnv := filepath.Join(dir, "github.env")
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", line)
	cmd.Env = append(os.Environ(), "RUNNER_TEMP="+dir, "GITHUB_ENV="+githubEnv)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	data, err := os.ReadFile(githubEnv)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for _, l := range lines {
		if !githubEnvLine.MatchString(l) {
			t.Errorf("the runner would reject %q", l)
		}
	}
	if want := srv.Env()["AZURE_TENANT_ID"]; !strings.Contains(string(data), "AZURE_TENANT_ID="+want+"\n") || len(lines) != len(srv.Env()) {
		t.Errorf("%d lines, want %d with AZURE_TENANT_ID=%s:\n%s", len(lines), len(srv.Env()), want, data)
	}
}

// The README's manifest example is one register reads, every key known.
func TestReadmeManifestExampleLoads(t *testing.T) {
	m := regexp.MustCompile("(?s)```yaml\n(name: .*?)```").FindStringSubmatch(readme(t))
	if m == nil {
		t.Fatal("the README has no manifest example")
	}
	var reg converge.Registration
	if err := converge.LoadManifest([]byte(m[1]), &reg); err != nil {
		t.Fatalf("the README's manifest: %v", err)
	}
	if reg.Name != "my-viewer" || !reg.Postman || reg.Role != "owner" || len(reg.RedirectURIs) != 1 {
		t.Errorf("read %+v", reg)
	}
}
