package hosts

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// DistOptions describe a release folder.
type DistOptions struct {
	Dir     string // holds dicomreg-<os>-<arch>[.exe] and mockgraph-… from the cross builds
	Version Semver
	// BaseURL is where the release's files will be downloaded from, e.g.
	// https://github.com/dicomreg/dicomreg/releases/download/v1.2.3
	BaseURL string
}

// BinaryName is a cross-built binary's file name in the release folder.
func BinaryName(program, platform string) string {
	name := program + "-" + strings.ReplaceAll(platform, "/", "-")
	if strings.HasPrefix(platform, "windows/") {
		name += ".exe"
	}
	return name
}

// WriteDist adds what the hosts' registries need to a folder of cross-built binaries: an azd
// artifact per platform and registry.json, the krew manifest, the az wheel, and SHA256SUMS over
// every file (sha256sum -c reads it).
func WriteDist(o DistOptions) error {
	azd := map[string]AzdArtifact{}
	krew := map[string]KrewArtifact{}
	for _, p := range Platforms() {
		bin, err := os.Open(filepath.Join(o.Dir, BinaryName(Name, p)))
		if err != nil {
			return fmt.Errorf("dist: %w (build every platform first)", err)
		}
		name := AzdArtifactName(p)
		var sum AzdChecksum
		err = writeFileAtomic(filepath.Join(o.Dir, name), 0o644, func(w io.Writer) error {
			sum, err = WriteAzdArtifact(w, p, bin)
			return err
		})
		bin.Close()
		if err != nil {
			return err
		}
		url := strings.TrimSuffix(o.BaseURL, "/") + "/" + name
		azd[p] = AzdArtifact{URL: url, Checksum: sum}
		krew[p] = KrewArtifact{URI: url, SHA256: sum.Value}
	}
	reg := NewAzdRegistry(o.Version, azd)
	if errs := ValidateAzdRegistry(reg); len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := writeJSON(filepath.Join(o.Dir, "registry.json"), reg); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.Dir, "extension.yaml"), NewAzdManifest(o.Version).YAML(), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.Dir, "krew-"+Name+".yaml"), KrewManifest(o.Version, krew), 0o644); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(o.Dir, WheelFileName(o.Version)), 0o644, func(w io.Writer) error {
		return WriteWheel(w, WheelOptions{Version: o.Version})
	}); err != nil {
		return err
	}
	return writeChecksums(o.Dir)
}

// writeChecksums writes SHA256SUMS: "<hex>  <name>" for every other file in dir, sorted by name.
func writeChecksums(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name() != "SHA256SUMS" {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		f, err := os.Open(filepath.Join(dir, n))
		if err != nil {
			return err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(h.Sum(nil)), n)
	}
	return os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(b.String()), 0o644)
}
