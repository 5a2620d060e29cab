package conformance_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// dicomreg is the binary TestMain built, or why it could not: the plugin behaviours fail with
// that reason while the rest of the suite runs.
var (
	dicomregPath string
	dicomregErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dicomreg-conformance-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dicomregPath, dicomregErr = buildDicomreg(dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildDicomreg builds ./plugin/cmd/dicomreg once for the whole package.
func buildDicomreg(dir string) (string, error) {
	out := filepath.Join(dir, "dicomreg")
	cmd := exec.Command("go", "build", "-o", out, "github.com/dicomreg/dicomreg/plugin/cmd/dicomreg")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./plugin/cmd/dicomreg: %v\n%s", err, msg)
	}
	return out, nil
}
