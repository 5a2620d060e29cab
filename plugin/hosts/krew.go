package hosts

import (
	"fmt"
	"sort"
	"strings"
)

// KrewArtifact is one platform's archive in the krew manifest.
type KrewArtifact struct {
	URI    string
	SHA256 string
}

// KrewManifest is the plugin manifest krew installs from (krew.sigs.k8s.io/docs/developer-guide/
// plugin-manifest): apiVersion krew.googlecontainertools.github.com/v1alpha2, kind Plugin,
// spec.version a "v"-prefixed semver, one platform per os/arch with uri, sha256 and bin. The
// archives are azd's (the binary alone at the root); krew links bin into its PATH folder as
// kubectl-dicomreg, the name kubectl looks for.
func KrewManifest(v Semver, artifacts map[string]KrewArtifact) []byte {
	var b strings.Builder
	b.WriteString("apiVersion: krew.googlecontainertools.github.com/v1alpha2\nkind: Plugin\nmetadata:\n  name: " + Name + "\n")
	fmt.Fprintf(&b, "spec:\n  version: %q\n  homepage: \"https://github.com/dicomreg/dicomreg\"\n", "v"+v.String())
	fmt.Fprintf(&b, "  shortDescription: %q\n", "Register Azure DICOM service client apps")
	b.WriteString("  description: |\n    Turns the Azure portal's \"Register a client application for the DICOM service\" into one\n" +
		"    idempotent command (kubectl dicomreg register), and explains what a DICOM service will\n    think of your tokens (kubectl dicomreg verify).\n")
	b.WriteString("  platforms:\n")
	platforms := make([]string, 0, len(artifacts))
	for p := range artifacts {
		platforms = append(platforms, p)
	}
	sort.Strings(platforms)
	for _, p := range platforms {
		a := artifacts[p]
		goos, goarch, _ := strings.Cut(p, "/")
		fmt.Fprintf(&b, "    - selector:\n        matchLabels:\n          os: %s\n          arch: %s\n", goos, goarch)
		fmt.Fprintf(&b, "      uri: %q\n      sha256: %q\n      bin: %q\n", a.URI, a.SHA256, EntryPoint(p))
	}
	return []byte(b.String())
}
