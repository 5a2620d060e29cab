package hosts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

// azd installs extensions from a registry source: `azd extension source add -t file` registers a
// registry.json, `azd extension install <id>` picks the newest semver version, copies the
// platform's artifact (a local path is copied, not downloaded), checks its checksum, extracts it
// into <config>/extensions/<id>/ and records it in <config>/config.json under
// "extension.installed" (Azure/azure-dev cli/azd/pkg/extensions/manager.go). <config> is
// $AZD_CONFIG_DIR, else ~/.azd.
func (in *Installer) azdConfigDir() string {
	if d := in.getenv("AZD_CONFIG_DIR"); d != "" {
		return d
	}
	return filepath.Join(in.Home, ".azd")
}

func (in *Installer) azdSourceDir() string { return filepath.Join(in.dataDir(), "azd") }

// WriteAzdSource writes a local azd registry into dir: this platform's artifact and registry.json
// naming it by absolute path, with its SHA-256.
func WriteAzdSource(dir string, v Semver, platform string, binary string) (registry string, err error) {
	artifact := filepath.Join(dir, AzdArtifactName(platform))
	var sum AzdChecksum
	src, err := os.Open(binary)
	if err != nil {
		return "", err
	}
	defer src.Close()
	if err := writeFileAtomic(artifact, 0o644, func(w io.Writer) error {
		sum, err = WriteAzdArtifact(w, platform, src)
		return err
	}); err != nil {
		return "", err
	}
	reg := NewAzdRegistry(v, map[string]AzdArtifact{platform: {URL: artifact, Checksum: sum}})
	if errs := ValidateAzdRegistry(reg); len(errs) > 0 {
		return "", errors.Join(errs...)
	}
	registry = filepath.Join(dir, "registry.json")
	return registry, writeJSON(registry, reg)
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, 0o644, func(w io.Writer) error { _, err := w.Write(append(data, '\n')); return err })
}

func (in *Installer) installAzd(ctx context.Context) (Status, error) {
	st := Status{Host: Azd, Version: in.Version.String(), Location: filepath.Join(in.azdConfigDir(), "extensions", AzdExtensionID)}
	registry, err := WriteAzdSource(in.azdSourceDir(), in.Version, runtime.GOOS+"/"+runtime.GOARCH, in.Self)
	if err != nil {
		return st, err
	}
	if in.hostOnPath("azd") {
		// Re-installing: azd refuses an installed id and a source name it already has.
		if installed, _ := in.azdInstalled(); installed != nil {
			if err := in.run(ctx, &st, "", "azd", "extension", "uninstall", AzdExtensionID); err != nil {
				return st, err
			}
		}
		_ = in.Runner.Run(ctx, "", "azd", "extension", "source", "remove", AzdSourceName) // absent is fine
	}
	err = in.run(ctx, &st, "", "azd", "extension", "source", "add", "-n", AzdSourceName, "-t", "file", "-l", registry)
	if err == nil {
		err = in.run(ctx, &st, "", "azd", "extension", "install", AzdExtensionID, "--source", AzdSourceName)
	}
	if errors.Is(err, ErrHostMissing) {
		// The two commands still go on record, for when azd is installed.
		st.Commands = []string{
			fmt.Sprintf("azd extension source add -n %s -t file -l %s", AzdSourceName, shellQuote(registry)),
			fmt.Sprintf("azd extension install %s --source %s", AzdExtensionID, AzdSourceName),
		}
	}
	st.Installed = err == nil
	return st, err
}

func (in *Installer) uninstallAzd(ctx context.Context) (Status, error) {
	st := Status{Host: Azd, Location: filepath.Join(in.azdConfigDir(), "extensions", AzdExtensionID)}
	if installed, _ := in.azdInstalled(); installed != nil {
		if err := in.run(ctx, &st, "", "azd", "extension", "uninstall", AzdExtensionID); err != nil {
			return st, err
		}
	}
	if err := in.run(ctx, &st, "", "azd", "extension", "source", "remove", AzdSourceName); err != nil && !errors.Is(err, ErrHostMissing) {
		in.logf("%v", err) // a source already removed is not an error for uninstall
	}
	return st, os.RemoveAll(in.azdSourceDir())
}

// azdInstalledExtension is the part of azd's record of an installed extension that list shows.
type azdInstalledExtension struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Path    string `json:"path"` // relative to the config folder
	Source  string `json:"source"`
}

// azdInstalled reads azd's config.json: {"extension": {"installed": {"<id>": {…}}}}.
func (in *Installer) azdInstalled() (*azdInstalledExtension, error) {
	data, err := os.ReadFile(filepath.Join(in.azdConfigDir(), "config.json"))
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Extension struct {
			Installed map[string]azdInstalledExtension `json:"installed"`
		} `json:"extension"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(in.azdConfigDir(), "config.json"), err)
	}
	ext, ok := cfg.Extension.Installed[AzdExtensionID]
	if !ok {
		return nil, nil
	}
	return &ext, nil
}

func (in *Installer) statusAzd() Status {
	ext, err := in.azdInstalled()
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Status{Host: Azd, Note: err.Error()}
	}
	if ext == nil {
		if exists(filepath.Join(in.azdSourceDir(), "registry.json")) {
			return Status{Host: Azd, Note: "registry written to " + in.azdSourceDir() + "; azd has not installed it"}
		}
		return Status{Host: Azd}
	}
	return Status{Host: Azd, Installed: true, Version: ext.Version, Location: filepath.Join(in.azdConfigDir(), ext.Path), Note: "source " + ext.Source}
}
