package hosts

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func testVersion(t *testing.T, s string) Semver {
	t.Helper()
	v, err := ParseSemver(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func validArtifacts() map[string]AzdArtifact {
	a := map[string]AzdArtifact{}
	for _, p := range Platforms() {
		a[p] = AzdArtifact{URL: "https://example.test/" + AzdArtifactName(p), Checksum: AzdChecksum{Algorithm: "sha256", Value: strings.Repeat("ab", 32)}}
	}
	return a
}

func TestAzdRegistryFollowsAzdRules(t *testing.T) {
	reg := NewAzdRegistry(testVersion(t, "0.0.0-dev.46+gf0282dc"), validArtifacts())
	if errs := ValidateAzdRegistry(reg); len(errs) > 0 {
		t.Fatalf("generated registry breaks azd's rules: %v", errs)
	}
	// Through JSON, with the field names registry.schema.json uses.
	data, err := json.Marshal(reg)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Extensions []map[string]any `json:"extensions"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	ext := doc.Extensions[0]
	for _, field := range []string{"id", "namespace", "displayName", "description", "versions"} {
		if ext[field] == nil || ext[field] == "" {
			t.Errorf("registry extension lacks required %q", field)
		}
	}
	ver := ext["versions"].([]any)[0].(map[string]any)
	for _, field := range []string{"version", "usage", "examples", "artifacts", "capabilities"} {
		if ver[field] == nil {
			t.Errorf("registry version lacks %q", field)
		}
	}
	art := ver["artifacts"].(map[string]any)["linux/amd64"].(map[string]any)
	if art["url"] == nil || art["checksum"].(map[string]any)["algorithm"] != "sha256" {
		t.Errorf("artifact %v", art)
	}
}

func TestValidateAzdRegistryRefusesWhatAzdRefuses(t *testing.T) {
	for name, tt := range map[string]struct {
		edit func(*AzdRegistry)
		want string
	}{
		"single-segment id":  {func(r *AzdRegistry) { r.Extensions[0].ID = "dicomreg" }, "dot-separated"},
		"upper-case id":      {func(r *AzdRegistry) { r.Extensions[0].ID = "Dicomreg.cli" }, "dot-separated"},
		"non-semver version": {func(r *AzdRegistry) { r.Extensions[0].Versions[0].Version = "dev" }, "not semver"},
		"v-prefixed version": {func(r *AzdRegistry) { r.Extensions[0].Versions[0].Version = "v1.0.0" }, "not semver"},
		"unknown capability": {func(r *AzdRegistry) { r.Extensions[0].Versions[0].Capabilities = []string{"commands"} }, "unknown capability"},
		"no namespace":       {func(r *AzdRegistry) { r.Extensions[0].Namespace = "" }, "namespace"},
		"no usage":           {func(r *AzdRegistry) { r.Extensions[0].Versions[0].Usage = "" }, "usage"},
		"no examples":        {func(r *AzdRegistry) { r.Extensions[0].Versions[0].Examples = nil }, "examples"},
		"no artifacts":       {func(r *AzdRegistry) { r.Extensions[0].Versions[0].Artifacts = nil }, "at least one artifact"},
		"unknown platform": {func(r *AzdRegistry) {
			r.Extensions[0].Versions[0].Artifacts["linux/386"] = validArtifacts()["linux/amd64"]
		}, "unknown platform"},
		"no url": {func(r *AzdRegistry) {
			a := r.Extensions[0].Versions[0].Artifacts
			x := a["linux/amd64"]
			x.URL = ""
			a["linux/amd64"] = x
		}, "url"},
		"md5 checksum": {func(r *AzdRegistry) {
			a := r.Extensions[0].Versions[0].Artifacts
			x := a["linux/amd64"]
			x.Checksum.Algorithm = "md5"
			a["linux/amd64"] = x
		}, "checksum algorithm"},
		"short checksum": {func(r *AzdRegistry) {
			a := r.Extensions[0].Versions[0].Artifacts
			x := a["linux/amd64"]
			x.Checksum.Value = "abc"
			a["linux/amd64"] = x
		}, "64 hex digits"},
		"entry point outside":  {func(r *AzdRegistry) { r.Extensions[0].Versions[0].EntryPoint = "../bin/dicomreg" }, "inside the extension folder"},
		"absolute entry point": {func(r *AzdRegistry) { r.Extensions[0].Versions[0].EntryPoint = "/usr/bin/dicomreg" }, "inside the extension folder"},
		"windows drive entry":  {func(r *AzdRegistry) { r.Extensions[0].Versions[0].EntryPoint = `C:\dicomreg.exe` }, "inside the extension folder"},
		"duplicate id":         {func(r *AzdRegistry) { r.Extensions = append(r.Extensions, r.Extensions[0]) }, "duplicate id"},
	} {
		t.Run(name, func(t *testing.T) {
			reg := NewAzdRegistry(testVersion(t, "1.0.0"), validArtifacts())
			tt.edit(&reg)
			errs := ValidateAzdRegistry(reg)
			found := false
			for _, err := range errs {
				found = found || strings.Contains(err.Error(), tt.want)
			}
			if !found {
				t.Errorf("errors %v, want one saying %q", errs, tt.want)
			}
		})
	}
}

func TestExtensionYAMLFollowsItsSchema(t *testing.T) {
	m := NewAzdManifest(testVersion(t, "1.2.3-rc.1"))
	var parsed AzdManifest
	if err := yaml.Unmarshal(m.YAML(), &parsed); err != nil {
		t.Fatalf("extension.yaml does not parse: %v\n%s", err, m.YAML())
	}
	if errs := ValidateAzdManifest(parsed); len(errs) > 0 {
		t.Fatalf("extension.yaml breaks extension.schema.json: %v", errs)
	}
	if parsed.ID != AzdExtensionID || parsed.Namespace != "dicomreg" || parsed.Version != "1.2.3-rc.1" || parsed.EntryPoint != "dicomreg" ||
		len(parsed.Capabilities) != 1 || parsed.Capabilities[0] != "custom-commands" || !strings.HasPrefix(parsed.Usage, "azd dicomreg ") {
		t.Errorf("extension.yaml read back as %+v", parsed)
	}
	for _, e := range parsed.Examples {
		if !strings.HasPrefix(e.Usage, "azd dicomreg ") {
			t.Errorf("example %q does not show the command azd users type", e.Usage)
		}
	}
	bad := parsed
	bad.Version, bad.Capabilities = "dev", []string{"custom-commands", "custom-commands"}
	if errs := ValidateAzdManifest(bad); len(errs) != 2 {
		t.Errorf("a version of \"dev\" and a repeated capability: %v", errs)
	}
}

func TestAzdArtifactHoldsTheEntryPoint(t *testing.T) {
	for _, platform := range []string{"linux/arm64", "windows/amd64"} {
		var b bytes.Buffer
		sum, err := WriteAzdArtifact(&b, platform, strings.NewReader("binary"))
		if err != nil {
			t.Fatal(err)
		}
		digest := sha256.Sum256(b.Bytes())
		if sum.Algorithm != "sha256" || sum.Value != hex.EncodeToString(digest[:]) {
			t.Errorf("checksum %+v does not match the archive", sum)
		}
		zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
		if err != nil {
			t.Fatal(err)
		}
		if len(zr.File) != 1 || zr.File[0].Name != EntryPoint(platform) || zr.File[0].Mode().Perm() != 0o755 {
			t.Errorf("%s artifact holds %v", platform, zr.File)
		}
	}
	if EntryPoint("windows/arm64") != "dicomreg.exe" || EntryPoint("darwin/arm64") != "dicomreg" {
		t.Error("entry point names")
	}
}

func TestWriteAzdSourceIsALocalRegistryAzdCanInstallFrom(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "dicomreg-bin")
	if err := os.WriteFile(bin, []byte("binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	path, err := WriteAzdSource(filepath.Join(dir, "src"), testVersion(t, "0.3.0"), "linux/amd64", bin)
	if err != nil {
		t.Fatal(err)
	}
	var reg AzdRegistry
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &reg); err != nil {
		t.Fatal(err)
	}
	if errs := ValidateAzdRegistry(reg); len(errs) > 0 {
		t.Fatal(errs)
	}
	a := reg.Extensions[0].Versions[0].Artifacts["linux/amd64"]
	if !filepath.IsAbs(a.URL) {
		t.Errorf("a local artifact is named by absolute path (azd resolves relative ones against ~/.azd): %q", a.URL)
	}
	zipped, err := os.ReadFile(a.URL)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(zipped)
	if hex.EncodeToString(sum[:]) != a.Checksum.Value {
		t.Error("registry checksum does not match the artifact azd will copy")
	}
}
