package hosts

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The azd extension's identity. azd requires dot-separated lowercase segments for an id
// (Azure/azure-dev cli/azd/pkg/extensions/validate_registry.go, extensionIdRegex); the namespace
// is the command group: `azd dicomreg …`.
const (
	AzdExtensionID = "dicomreg.cli"
	AzdNamespace   = Name
	// AzdSourceName is the extension source `plugin install --azd` registers (1–64 lowercase
	// letters, digits, '-' or '_'; extension-framework.md, "azd extension source add").
	AzdSourceName = Name
)

// azd's rules (validate_registry.go; registry.schema.json; extension.schema.json).
var (
	azdIDPattern = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)
	})
	azdPlatforms         = []string{"windows/amd64", "windows/arm64", "darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64"}
	azdCapabilities      = []string{"custom-commands", "lifecycle-events", "mcp-server", "service-target-provider", "framework-service-provider", "metadata"}
	azdChecksumAlgorithm = []string{"sha256", "sha512"}
)

// Platforms are the os/arch pairs `make dist` builds: every one azd accepts.
func Platforms() []string { return slices.Clone(azdPlatforms) }

// AzdRegistry is an azd extension source's registry.json.
type AzdRegistry struct {
	Extensions []AzdExtension `json:"extensions"`
}

// AzdExtension is one extension in a registry.
type AzdExtension struct {
	ID          string       `json:"id"`
	Namespace   string       `json:"namespace"`
	DisplayName string       `json:"displayName"`
	Description string       `json:"description"`
	Tags        []string     `json:"tags,omitempty"`
	Versions    []AzdVersion `json:"versions"`
}

// AzdVersion is one released version, with an artifact per platform.
type AzdVersion struct {
	Version      string                 `json:"version"`
	Capabilities []string               `json:"capabilities"`
	Usage        string                 `json:"usage"`
	Examples     []AzdExample           `json:"examples"`
	EntryPoint   string                 `json:"entryPoint,omitempty"`
	Artifacts    map[string]AzdArtifact `json:"artifacts"`
}

// AzdExample is a usage example azd shows.
type AzdExample struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Usage       string `json:"usage"`
}

// AzdArtifact is an archive azd downloads (or copies, for a local path), checks and extracts
// into ~/.azd/extensions/<id>/.
type AzdArtifact struct {
	URL        string      `json:"url"`
	Checksum   AzdChecksum `json:"checksum"`
	EntryPoint string      `json:"entryPoint,omitempty"`
}

// AzdChecksum is an artifact's digest, hex encoded.
type AzdChecksum struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"value"`
}

// AzdManifest is extension.yaml: what `azd x pack` reads and what describes an installed extension.
type AzdManifest struct {
	ID           string       `yaml:"id"`
	Namespace    string       `yaml:"namespace"`
	DisplayName  string       `yaml:"displayName"`
	Description  string       `yaml:"description"`
	Usage        string       `yaml:"usage"`
	Version      string       `yaml:"version"`
	EntryPoint   string       `yaml:"entryPoint"`
	Capabilities []string     `yaml:"capabilities"`
	Examples     []AzdExample `yaml:"examples"`
}

const description = "Register client applications for the Azure DICOM service, and prove they work"

func azdUsage() string { return "azd " + AzdNamespace + " <command> [flags]" }

func azdExamples() []AzdExample {
	return []AzdExample{
		{Name: "register", Description: "Register a DICOM client app: secret, Postman redirect, Dicom.ReadWrite, consent, data role.",
			Usage: "azd " + AzdNamespace + " register --name my-viewer --postman --secret --grant-admin-consent --role owner --dicom-service ID"},
		{Name: "verify", Description: "Call a DICOM service with a token and explain a 401 or 403.",
			Usage: "azd " + AzdNamespace + " verify --dicom-url URL"},
	}
}

// EntryPoint is the executable's name inside the artifact, for a platform ("windows/amd64").
func EntryPoint(platform string) string {
	if strings.HasPrefix(platform, "windows/") {
		return Name + ".exe"
	}
	return Name
}

// NewAzdManifest is extension.yaml for a version.
func NewAzdManifest(v Semver) AzdManifest {
	return AzdManifest{
		ID: AzdExtensionID, Namespace: AzdNamespace, DisplayName: Name, Description: description,
		Usage: azdUsage(), Version: v.String(), EntryPoint: Name,
		Capabilities: []string{"custom-commands"}, Examples: azdExamples(),
	}
}

// YAML renders the manifest. Every string is double-quoted JSON-style, which YAML reads as is.
func (m AzdManifest) YAML() []byte {
	var b strings.Builder
	b.WriteString("# yaml-language-server: $schema=https://raw.githubusercontent.com/Azure/azure-dev/main/cli/azd/extensions/extension.schema.json\n")
	for _, kv := range [][2]string{{"id", m.ID}, {"namespace", m.Namespace}, {"displayName", m.DisplayName},
		{"description", m.Description}, {"usage", m.Usage}, {"version", m.Version}, {"entryPoint", m.EntryPoint}} {
		fmt.Fprintf(&b, "%s: %s\n", kv[0], strconv.Quote(kv[1]))
	}
	b.WriteString("capabilities:\n")
	for _, c := range m.Capabilities {
		fmt.Fprintf(&b, "  - %s\n", strconv.Quote(c))
	}
	b.WriteString("examples:\n")
	for _, e := range m.Examples {
		fmt.Fprintf(&b, "  - name: %s\n    description: %s\n    usage: %s\n", strconv.Quote(e.Name), strconv.Quote(e.Description), strconv.Quote(e.Usage))
	}
	return []byte(b.String())
}

// NewAzdRegistry is a registry with one version of the extension, given each platform's artifact.
func NewAzdRegistry(v Semver, artifacts map[string]AzdArtifact) AzdRegistry {
	m := NewAzdManifest(v)
	return AzdRegistry{Extensions: []AzdExtension{{
		ID: m.ID, Namespace: m.Namespace, DisplayName: m.DisplayName, Description: m.Description,
		Tags: []string{"dicom", "entra", "healthcare"},
		Versions: []AzdVersion{{
			Version: m.Version, Capabilities: m.Capabilities, Usage: m.Usage, Examples: m.Examples,
			EntryPoint: m.EntryPoint, Artifacts: artifacts,
		}},
	}}}
}

// AzdArtifactName is the archive's file name for a platform: dicomreg-linux-amd64.zip.
func AzdArtifactName(platform string) string {
	return Name + "-" + strings.ReplaceAll(platform, "/", "-") + ".zip"
}

// WriteAzdArtifact writes the zip azd extracts into the extension folder: the binary alone, at the
// archive's root, under its entry point's name, executable.
func WriteAzdArtifact(w io.Writer, platform string, binary io.Reader) (AzdChecksum, error) {
	h := sha256.New()
	zw := zip.NewWriter(io.MultiWriter(w, h))
	hdr := &zip.FileHeader{Name: EntryPoint(platform), Method: zip.Deflate, Modified: wheelTime}
	hdr.SetMode(0o755)
	fw, err := zw.CreateHeader(hdr)
	if err != nil {
		return AzdChecksum{}, err
	}
	if _, err := io.Copy(fw, binary); err != nil {
		return AzdChecksum{}, err
	}
	if err := zw.Close(); err != nil {
		return AzdChecksum{}, err
	}
	return AzdChecksum{Algorithm: "sha256", Value: hex.EncodeToString(h.Sum(nil))}, nil
}

// ValidateAzdRegistry applies azd's rules to a registry and returns every violation.
func ValidateAzdRegistry(r AzdRegistry) []error {
	var errs []error
	ids := map[string]bool{}
	for i, e := range r.Extensions {
		at := func(format string, a ...any) {
			errs = append(errs, fmt.Errorf("extensions[%d] (%s): %s", i, e.ID, fmt.Sprintf(format, a...)))
		}
		if !azdIDPattern().MatchString(e.ID) {
			at("id %q must be dot-separated lowercase segments, e.g. publisher.extension", e.ID)
		}
		if ids[e.ID] {
			at("duplicate id")
		}
		ids[e.ID] = true
		for name, v := range map[string]string{"namespace": e.Namespace, "displayName": e.DisplayName, "description": e.Description} {
			if v == "" {
				at("missing required field %q", name)
			}
		}
		if len(e.Versions) == 0 {
			at("missing required field \"versions\"")
		}
		for j, v := range e.Versions {
			vat := func(format string, a ...any) { at("versions[%d]: %s", j, fmt.Sprintf(format, a...)) }
			if _, err := ParseSemver(v.Version); err != nil {
				vat("%v", err)
			}
			if v.Usage == "" {
				vat("missing required field \"usage\"")
			}
			if len(v.Examples) == 0 {
				vat("missing required field \"examples\"")
			}
			for _, c := range v.Capabilities {
				if !slices.Contains(azdCapabilities, c) {
					vat("unknown capability %q (valid: %s)", c, strings.Join(azdCapabilities, ", "))
				}
			}
			if len(v.Artifacts) == 0 {
				vat("a version must define at least one artifact")
			}
			if v.EntryPoint != "" {
				if err := checkEntryPoint(v.EntryPoint); err != nil {
					vat("%v", err)
				}
			}
			platforms := make([]string, 0, len(v.Artifacts))
			for p := range v.Artifacts {
				platforms = append(platforms, p)
			}
			sort.Strings(platforms)
			for _, p := range platforms {
				a := v.Artifacts[p]
				aat := func(format string, args ...any) { vat("artifacts[%s]: %s", p, fmt.Sprintf(format, args...)) }
				if !slices.Contains(azdPlatforms, p) {
					aat("unknown platform (valid: %s)", strings.Join(azdPlatforms, ", "))
				}
				if a.URL == "" {
					aat("missing required field \"url\"")
				}
				if !slices.Contains(azdChecksumAlgorithm, a.Checksum.Algorithm) {
					aat("checksum algorithm %q (supported: sha256, sha512)", a.Checksum.Algorithm)
				} else if want := map[string]int{"sha256": 64, "sha512": 128}[a.Checksum.Algorithm]; len(a.Checksum.Value) != want || !isLowerHex(a.Checksum.Value) {
					aat("checksum value must be %d hex digits", want)
				}
				if a.EntryPoint != "" {
					if err := checkEntryPoint(a.EntryPoint); err != nil {
						aat("%v", err)
					}
				}
			}
		}
	}
	return errs
}

// ValidateAzdManifest applies extension.schema.json's rules to extension.yaml.
func ValidateAzdManifest(m AzdManifest) []error {
	var errs []error
	for name, v := range map[string]string{"id": m.ID, "version": m.Version, "displayName": m.DisplayName, "description": m.Description} {
		if v == "" {
			errs = append(errs, fmt.Errorf("extension.yaml: missing required field %q", name))
		}
	}
	if m.ID != "" && !azdIDPattern().MatchString(m.ID) {
		errs = append(errs, fmt.Errorf("extension.yaml: id %q must be dot-separated lowercase segments", m.ID))
	}
	if _, err := ParseSemver(m.Version); err != nil {
		errs = append(errs, fmt.Errorf("extension.yaml: %v", err))
	}
	if len(m.Capabilities) == 0 {
		errs = append(errs, fmt.Errorf("extension.yaml: capabilities needs at least one item"))
	}
	seen := map[string]bool{}
	for _, c := range m.Capabilities {
		if !slices.Contains(azdCapabilities, c) || seen[c] {
			errs = append(errs, fmt.Errorf("extension.yaml: capability %q unknown or repeated", c))
		}
		seen[c] = true
	}
	if m.EntryPoint != "" {
		if err := checkEntryPoint(m.EntryPoint); err != nil {
			errs = append(errs, fmt.Errorf("extension.yaml: %v", err))
		}
	}
	for i, e := range m.Examples {
		if e.Name == "" || e.Description == "" || e.Usage == "" {
			errs = append(errs, fmt.Errorf("extension.yaml: examples[%d] needs name, description and usage", i))
		}
	}
	return errs
}

// checkEntryPoint refuses an entry point that would resolve outside the extension's folder: azd
// joins it to ~/.azd/extensions/<id>/ and runs what it finds there.
func checkEntryPoint(entry string) error {
	p := strings.ReplaceAll(entry, `\`, "/")
	if path.IsAbs(p) || (len(p) > 1 && p[1] == ':') || path.Clean(p) != p || p == "." || strings.HasPrefix(p, "../") || p == ".." {
		return fmt.Errorf("entryPoint %q must be a plain relative path inside the extension folder", entry)
	}
	return nil
}

func isLowerHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
