package hosts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRunner stands for the hosts' CLIs: it records their commands and does what each host does
// to its own folders, so that List reads what a real host would leave.
type fakeRunner struct {
	t      *testing.T
	onPath map[string]bool
	ran    []string
	do     func(dir, name string, args []string) error
}

func (f *fakeRunner) LookPath(name string) (string, error) {
	if f.onPath[name] {
		return "/usr/bin/" + name, nil
	}
	return "", exec.ErrNotFound
}

func (f *fakeRunner) Run(_ context.Context, dir, name string, args ...string) error {
	f.ran = append(f.ran, strings.TrimSpace(name+" "+strings.Join(args, " ")))
	if f.do != nil {
		return f.do(dir, name, args)
	}
	return nil
}

func newTestInstaller(t *testing.T, onPath ...string) (*Installer, *fakeRunner) {
	t.Helper()
	home := t.TempDir()
	self := filepath.Join(home, "build", "dicomreg")
	if err := os.MkdirAll(filepath.Dir(self), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(self, []byte("#!/bin/sh\necho dicomreg\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := &fakeRunner{t: t, onPath: map[string]bool{}}
	for _, h := range onPath {
		r.onPath[h] = true
	}
	env := map[string]string{"PATH": filepath.Join(home, ".local", "bin")}
	in := &Installer{Self: self, Version: testVersion(t, "1.2.3"), Home: home, Runner: r, Log: &bytes.Buffer{},
		Getenv: func(n string) string { return env[n] }}
	return in, r
}

func TestKubectlInstallListUninstall(t *testing.T) {
	in, _ := newTestInstaller(t)
	st, err := in.Install(context.Background(), Kubectl)
	if err != nil || !st.Installed {
		t.Fatalf("install: %+v %v", st, err)
	}
	for _, name := range []string{KubectlPlugin, KubectlComplete} {
		target, err := os.Readlink(filepath.Join(in.Home, ".local", "bin", name))
		if err != nil || target != in.Self {
			t.Errorf("%s → %q (%v), want a link to %s", name, target, err, in.Self)
		}
	}
	if got := in.List()[3]; got.Host != Kubectl || !got.Installed {
		t.Errorf("list: %+v", got)
	}
	if _, err := in.Uninstall(context.Background(), Kubectl); err != nil {
		t.Fatal(err)
	}
	if got := in.List()[3]; got.Installed || exists(filepath.Join(in.Home, ".local", "bin", KubectlComplete)) {
		t.Errorf("after uninstall: %+v", got)
	}

	in.Copy = true
	if _, err := in.Install(context.Background(), Kubectl); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(filepath.Join(in.Home, ".local", "bin", KubectlPlugin))
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o755 {
		t.Errorf("--copy: %v %v", fi, err)
	}
}

func TestAzInstallRunsAzExtensionAdd(t *testing.T) {
	in, r := newTestInstaller(t, "az")
	extDir := filepath.Join(in.Home, ".azure", "cliextensions", "dicomreg")
	r.do = func(_, name string, args []string) error { // what pip leaves in az's extension folder
		switch strings.Join(args[:2], " ") {
		case "extension add":
			return os.MkdirAll(filepath.Join(extDir, "dicomreg-1.2.3.dist-info"), 0o755)
		case "extension remove":
			return os.RemoveAll(extDir)
		}
		return nil
	}
	st, err := in.Install(context.Background(), Az)
	if err != nil || !st.Installed {
		t.Fatalf("%+v %v", st, err)
	}
	wheel := filepath.Join(in.Home, ".local", "share", "dicomreg", "az", "dicomreg-1.2.3-py3-none-any.whl")
	if want := "az extension add --source " + wheel + " --yes"; len(r.ran) != 1 || r.ran[0] != want {
		t.Errorf("ran %q, want %q", r.ran, want)
	}
	files := readZip(t, mustRead(t, wheel))
	if !strings.Contains(string(files["azext_dicomreg/binary.json"]), in.Self) {
		t.Error("the installed wheel does not run the binary it was installed from")
	}
	if got := in.List()[0]; !got.Installed || got.Version != "1.2.3" {
		t.Errorf("list: %+v", got)
	}
	// Again: az refuses to add over an existing extension, so it is removed first.
	r.ran = nil
	if _, err := in.Install(context.Background(), Az); err != nil {
		t.Fatal(err)
	}
	if len(r.ran) != 2 || r.ran[0] != "az extension remove --name dicomreg" {
		t.Errorf("reinstall ran %q", r.ran)
	}
	r.ran = nil
	if _, err := in.Uninstall(context.Background(), Az); err != nil {
		t.Fatal(err)
	}
	if len(r.ran) != 1 || r.ran[0] != "az extension remove --name dicomreg" || in.List()[0].Installed {
		t.Errorf("uninstall ran %q; list %+v", r.ran, in.List()[0])
	}
}

func TestAzdInstallPrintsTheTwoCommandsWithoutAzd(t *testing.T) {
	in, r := newTestInstaller(t)
	st, err := in.Install(context.Background(), Azd)
	if !errors.Is(err, ErrHostMissing) || st.Installed {
		t.Fatalf("without azd: %+v %v", st, err)
	}
	registry := filepath.Join(in.Home, ".local", "share", "dicomreg", "azd", "registry.json")
	want := []string{
		"azd extension source add -n dicomreg -t file -l " + registry,
		"azd extension install dicomreg.cli --source dicomreg",
	}
	if strings.Join(st.Commands, "\n") != strings.Join(want, "\n") || len(r.ran) != 0 {
		t.Errorf("commands %q (ran %q), want %q", st.Commands, r.ran, want)
	}
	if !exists(registry) || !strings.Contains(in.List()[1].Note, "azd has not installed it") {
		t.Errorf("registry %s; list %+v", registry, in.List()[1])
	}
}

func TestAzdInstallRunsAzdAndListReadsItsConfig(t *testing.T) {
	in, r := newTestInstaller(t, "azd")
	config := filepath.Join(in.Home, ".azd", "config.json")
	r.do = func(_, name string, args []string) error {
		if strings.Join(args[:2], " ") == "extension install" { // what azd records (manager.go Install)
			return os.WriteFile(config, []byte(`{"extension":{"installed":{"dicomreg.cli":{"id":"dicomreg.cli","version":"1.2.3","path":"extensions/dicomreg.cli/dicomreg","source":"dicomreg"}}}}`), 0o644)
		}
		if strings.Join(args[:2], " ") == "extension uninstall" {
			return os.WriteFile(config, []byte(`{"extension":{"installed":{}}}`), 0o644)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(config), 0o755); err != nil {
		t.Fatal(err)
	}
	st, err := in.Install(context.Background(), Azd)
	if err != nil || !st.Installed || len(st.Commands) != 2 {
		t.Fatalf("%+v %v", st, err)
	}
	if got := in.List()[1]; !got.Installed || got.Version != "1.2.3" || got.Location != filepath.Join(in.Home, ".azd", "extensions", "dicomreg.cli", "dicomreg") {
		t.Errorf("list: %+v", got)
	}
	r.ran = nil
	if _, err := in.Uninstall(context.Background(), Azd); err != nil {
		t.Fatal(err)
	}
	if r.ran[0] != "azd extension uninstall dicomreg.cli" || in.List()[1].Installed {
		t.Errorf("uninstall ran %q", r.ran)
	}
}

func TestGhInstallsFromALocalFolderNamedForIt(t *testing.T) {
	in, r := newTestInstaller(t, "gh")
	var installDir string
	r.do = func(dir, name string, args []string) error {
		if strings.Join(args, " ") == "extension install ." { // gh links the folder (InstallLocal)
			installDir = dir
			link := filepath.Join(in.Home, ".local", "share", "gh", "extensions", filepath.Base(dir))
			if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
				return err
			}
			return os.Symlink(dir, link)
		}
		return nil
	}
	st, err := in.Install(context.Background(), Gh)
	if err != nil || !st.Installed {
		t.Fatalf("%+v %v", st, err)
	}
	if filepath.Base(installDir) != GhExtension || !exists(filepath.Join(installDir, GhExtension)) {
		t.Errorf("gh extension install ran in %q", installDir)
	}
	if got := in.List()[2]; !got.Installed {
		t.Errorf("list: %+v", got)
	}
	// Without gh, uninstall removes gh's link itself.
	delete(r.onPath, "gh")
	if _, err := in.Uninstall(context.Background(), Gh); err != nil {
		t.Fatal(err)
	}
	if in.List()[2].Installed || exists(installDir) {
		t.Errorf("after uninstall: %+v", in.List()[2])
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// exitCode is an error with an exit status, as *exec.ExitError is.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }
func (e exitCode) ExitCode() int { return int(e) }

func TestGhInstallWithoutLoginSaysHowToGetPast(t *testing.T) {
	in, r := newTestInstaller(t, "gh")
	r.do = func(dir, name string, args []string) error {
		if strings.Join(args, " ") == "extension install ." {
			return exitCode(ghAuthExit) // gh before cli/cli#13176 with no login
		}
		return nil
	}
	st, err := in.Install(context.Background(), Gh)
	if err == nil || st.Installed {
		t.Fatalf("want an error, got %+v", st)
	}
	for _, want := range []string{"exit status 4", "gh auth login", "GH_TOKEN=unused"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	// gh extension remove (before a reinstall, or uninstall) asks for the login too.
	if err := os.MkdirAll(filepath.Join(in.Home, ".local", "share", "gh", "extensions", GhExtension), 0o755); err != nil {
		t.Fatal(err)
	}
	r.do = func(dir, name string, args []string) error {
		if args[1] == "remove" {
			return exitCode(ghAuthExit)
		}
		return nil
	}
	for _, do := range []func(context.Context, Host) (Status, error){in.Install, in.Uninstall} {
		if _, err := do(context.Background(), Gh); err == nil || !strings.Contains(err.Error(), "gh auth login") {
			t.Errorf("remove without a login: %v", err)
		}
	}
	r.do = func(dir, name string, args []string) error { return exitCode(1) }
	if _, err := in.Install(context.Background(), Gh); err == nil || strings.Contains(err.Error(), "gh auth login") {
		t.Errorf("another failure is not a login's: %v", err)
	}
}
