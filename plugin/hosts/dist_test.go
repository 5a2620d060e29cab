package hosts

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteDist(t *testing.T) {
	dir := t.TempDir()
	for _, p := range Platforms() {
		for _, prog := range []string{"dicomreg", "mockgraph"} {
			if err := os.WriteFile(filepath.Join(dir, BinaryName(prog, p)), []byte(prog+" "+p), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	v := testVersion(t, "1.0.0")
	if err := WriteDist(DistOptions{Dir: dir, Version: v, BaseURL: "https://example.test/v1.0.0/"}); err != nil {
		t.Fatal(err)
	}
	var reg AzdRegistry
	if err := json.Unmarshal(mustRead(t, filepath.Join(dir, "registry.json")), &reg); err != nil {
		t.Fatal(err)
	}
	if errs := ValidateAzdRegistry(reg); len(errs) > 0 {
		t.Fatal(errs)
	}
	if a := reg.Extensions[0].Versions[0].Artifacts["darwin/arm64"]; a.URL != "https://example.test/v1.0.0/dicomreg-darwin-arm64.zip" {
		t.Errorf("artifact URL %q", a.URL)
	}
	sums := strings.Split(strings.TrimSpace(string(mustRead(t, filepath.Join(dir, "SHA256SUMS")))), "\n")
	seen := map[string]bool{}
	for _, line := range sums {
		sum, name, ok := strings.Cut(line, "  ")
		digest := sha256.Sum256(mustRead(t, filepath.Join(dir, name)))
		if !ok || hex.EncodeToString(digest[:]) != sum {
			t.Errorf("SHA256SUMS line %q does not match the file", line)
		}
		seen[name] = true
	}
	for _, want := range []string{"dicomreg-windows-arm64.exe", "mockgraph-linux-amd64", "dicomreg-linux-arm64.zip", "registry.json",
		"extension.yaml", "krew-dicomreg.yaml", "dicomreg-1.0.0-py3-none-any.whl"} {
		if !seen[want] {
			t.Errorf("SHA256SUMS lacks %s", want)
		}
	}
	os.Remove(filepath.Join(dir, BinaryName("dicomreg", "linux/arm64")))
	if err := WriteDist(DistOptions{Dir: dir, Version: v}); err == nil {
		t.Error("a missing platform binary went unnoticed")
	}
}
