package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dicomreg/dicomreg/plugin/hosts"
	"github.com/dicomreg/dicomreg/plugin/iostreams"
)

// The invocation decides the name help shows (command_test.go checks the help itself) and, for az,
// the sign-in.
func TestFactoryFollowsTheHost(t *testing.T) {
	io, _, _, _ := iostreams.Test()
	for _, inv := range []hosts.Invocation{{}, {Host: hosts.Kubectl}, {Host: hosts.Az}, {Host: hosts.Gh}, {Host: hosts.Azd}} {
		f := newFactory(io, inv)
		if f.DisplayName != inv.DisplayName() || f.Host != inv.Host {
			t.Errorf("%+v: factory %q %q", inv, f.DisplayName, f.Host)
		}
	}
}

func TestKubectlCompletionIsCobrasProtocol(t *testing.T) {
	f, out, _ := testFactory(nil)
	f.DisplayName = hosts.Invocation{Host: hosts.Kubectl}.DisplayName()
	// What kubectl_complete-dicomreg receives from `kubectl __complete dicomreg ap`, after Main
	// puts cobra's request command in front.
	if code := run(context.Background(), f, []string{"__complete", "ap"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "app") || !strings.HasPrefix(lines[len(lines)-1], ":") {
		t.Errorf("completion answer %q", lines)
	}
}

func TestPluginInstallListUninstallKubectl(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	dir := filepath.Join(home, "bin")
	f, out, errOut := testFactory(map[string]string{"PATH": dir})
	ctx := context.Background()
	if code := run(ctx, f, []string{"plugin", "install", "--kubectl", "--dir", dir, "-o", "tsv"}); code != 0 {
		t.Fatalf("install: exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out.String(), "kubectl\tTrue\t") { // tsv writes booleans as az does
		t.Errorf("install printed %q", out)
	}
	for _, name := range []string{hosts.KubectlPlugin, hosts.KubectlComplete} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	out.Reset()
	if code := run(ctx, f, []string{"plugin", "list", "--dir", dir, "-o", "tsv", "--query", "[?installed].host"}); code != 0 || strings.TrimSpace(out.String()) != "kubectl" {
		t.Errorf("list: exit %d, %q", code, out)
	}
	out.Reset()
	if code := run(ctx, f, []string{"plugin", "uninstall", "--kubectl", "--dir", dir}); code != 0 {
		t.Fatalf("uninstall: exit %d: %s", code, errOut)
	}
	if _, err := os.Lstat(filepath.Join(dir, hosts.KubectlPlugin)); !os.IsNotExist(err) {
		t.Errorf("kubectl-dicomreg after uninstall: %v", err)
	}
	if code := run(ctx, f, []string{"plugin", "install"}); code != 2 {
		t.Errorf("install with no host: exit %d, want 2", code)
	}
}

// `plugin install --gh --kubectl` with a gh that refuses still installs kubectl's plugin, shows
// both results and exits 1 naming gh.
func TestPluginInstallGoesOnPastAFailingHost(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	dir := filepath.Join(home, "bin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// a gh that wants a login, as one older than cli/cli#13176 does with none
	if err := os.WriteFile(filepath.Join(dir, "gh"), []byte("#!/bin/sh\nexit 4\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	f, out, errOut := testFactory(map[string]string{"PATH": dir})
	code := run(context.Background(), f, []string{"plugin", "install", "--gh", "--kubectl", "--dir", dir, "-o", "tsv", "--query", "[].[host, installed]"})
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if got := out.String(); got != "gh\tFalse\nkubectl\tTrue\n" {
		t.Errorf("printed %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, hosts.KubectlPlugin)); err != nil {
		t.Error(err)
	}
	if !strings.Contains(errOut.String(), "gh auth login") {
		t.Errorf("stderr does not say how to get past gh: %s", errOut)
	}
}
