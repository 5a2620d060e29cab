package cli

import (
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dicomreg/dicomreg/mockgraph"
)

// TestFullRunWithDebugLeaksNoCredential runs register (secret and certificate to files), verify
// and token get, all with --debug, and searches everything they printed for the new secret, the
// admin's secret, the private key and any token; the files holding them must be 0600.
func TestFullRunWithDebugLeaksNoCredential(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(31))
	dir := t.TempDir()
	secretFile, certFile := filepath.Join(dir, "client.env"), filepath.Join(dir, "client.pem")
	var printed strings.Builder
	runAndKeep := func(f *Factory, out, errOut interface{ String() string }, args ...string) {
		t.Helper()
		code := run(context.Background(), f, args)
		printed.WriteString(out.String() + errOut.String())
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
	}

	f, out, errOut := registerFactory(srv)
	runAndKeep(f, out, errOut, registerArgs(srv, "leak-check", "--secret", "--secret-out", secretFile, "--cert", "--cert-out", certFile, "--debug")...)
	env := srv.Env() // authority, tenant, URLs and CA; the client below replaces the admin
	for _, k := range []string{"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"} {
		env[k] = secretFileVar(t, secretFile, k)
	}

	f, _, out, errOut = mockFactory(srv, env)
	runAndKeep(f, out, errOut, "verify", "--debug")
	f, _, out, errOut = mockFactory(srv, env)
	runAndKeep(f, out, errOut, "token", "get", "--flow", "certificate", "--cert-file", certFile, "-o", "none", "--debug")

	all := printed.String()
	if !strings.Contains(all, "DEBUG: POST") {
		t.Fatal("--debug traced nothing")
	}
	for name, value := range map[string]string{"the new client secret": env["AZURE_CLIENT_SECRET"], "the admin's secret": srv.Seeded().AdminSecret} {
		if len(value) < 16 || strings.Contains(all, value) {
			t.Errorf("%s (%d chars) is in the output", name, len(value))
		}
	}
	pemData, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	for rest := pemData; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		if strings.Contains(block.Type, "PRIVATE KEY") {
			for _, line := range strings.Split(string(pem.EncodeToMemory(block)), "\n")[1:4] {
				if strings.Contains(all, line) {
					t.Errorf("a line of the private key is in the output: %.20s…", line)
				}
			}
		}
	}
	if jwt := regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}`).FindString(all); jwt != "" {
		t.Errorf("a token is in the output: %.24s…", jwt)
	}
	for _, path := range []string{secretFile, certFile} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want 0600", path, fi.Mode().Perm(), err)
		}
	}
}
