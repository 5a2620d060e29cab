package servecmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{nil, exitUsage, "Usage:"},
		{[]string{"--help"}, exitOK, "TEST SERVER"},
		{[]string{"version"}, exitOK, "mockgraph"},
		{[]string{"bogus"}, exitUsage, `unknown command "bogus"`},
		{[]string{"serve", "--nope"}, exitUsage, "unknown flag"},
		{[]string{"serve", "--seed", "x"}, exitUsage, "--seed"},
		{[]string{"serve", "--fault-429", "0.8", "--fault-503", "0.8"}, exitUsage, "sum"},
		{[]string{"serve", "--addr", "0.0.0.0:0"}, exitUsage, "not a loopback address"},
	}
	for _, tc := range cases {
		var out, errOut bytes.Buffer
		code := Main(context.Background(), tc.args, &out, &errOut)
		if code != tc.code || !strings.Contains(out.String()+errOut.String(), tc.want) {
			t.Errorf("%v: code %d, output %q %q; want %d containing %q", tc.args, code, out.String(), errOut.String(), tc.code, tc.want)
		}
	}
}

func TestServeWritesEnvFileThenStopsCleanly(t *testing.T) {
	dir := t.TempDir()
	env := filepath.Join(dir, "mock.env")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var errOut bytes.Buffer
	go func() {
		done <- Main(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--env-file", env, "--key-file", "-", "--seed", "5"}, &bytes.Buffer{}, &errOut)
	}()
	deadline := time.After(30 * time.Second)
	for {
		if fi, err := os.Stat(env); err == nil && fi.Size() > 0 {
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited early with %d: %s", code, errOut.String())
		case <-deadline:
			t.Fatal("env file never appeared")
		case <-time.After(10 * time.Millisecond):
		}
	}
	data, _ := os.ReadFile(env)
	if !strings.Contains(string(data), "export SSL_CERT_FILE='"+env+".ca.pem'") {
		t.Fatalf("env file: %s", data)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit code %d after shutdown: %s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "TEST SERVER") {
		t.Fatalf("no test-server warning: %s", errOut.String())
	}
}
