// Command dicomreg-dist prints the release version from git (`version`) and writes what the
// hosts' registries need into a folder of cross-built binaries (`pack`); `make dist` runs both.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/dicomreg/dicomreg/plugin/hosts"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "dicomreg-dist:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: dicomreg-dist version | pack -dir DIR -version V -base-url URL")
	}
	switch args[0] {
	case "version":
		v, err := gitVersion()
		if err != nil {
			return err
		}
		fmt.Println(v)
		return nil
	case "pack":
		fs := flag.NewFlagSet("pack", flag.ContinueOnError)
		dir := fs.String("dir", "dist", "folder of cross-built binaries")
		version := fs.String("version", "", "release version (semver)")
		base := fs.String("base-url", "", "download URL of the release's files (default: GitHub release of the version)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		v, err := hosts.ParseSemver(*version)
		if err != nil {
			return err
		}
		if *base == "" {
			*base = "https://github.com/dicomreg/dicomreg/releases/download/v" + v.String()
		}
		return hosts.WriteDist(hosts.DistOptions{Dir: *dir, Version: v, BaseURL: *base})
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// gitVersion reads the version from the nearest v-tag (hosts.VersionFromGit).
func gitVersion() (hosts.Semver, error) {
	describe, err := git("describe", "--tags", "--long", "--always", "--dirty", "--match", "v[0-9]*")
	if err != nil {
		return hosts.Semver{}, err
	}
	count, err := git("rev-list", "--count", "HEAD")
	if err != nil {
		return hosts.Semver{}, err
	}
	n, err := strconv.Atoi(count)
	if err != nil {
		return hosts.Semver{}, fmt.Errorf("git rev-list --count: %q", count)
	}
	return hosts.VersionFromGit(describe, n)
}

func git(args ...string) (string, error) {
	out, err := exec.Command("git", args...).Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}
