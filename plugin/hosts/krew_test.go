package hosts

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestKrewManifest(t *testing.T) {
	arts := map[string]KrewArtifact{}
	for _, p := range Platforms() {
		arts[p] = KrewArtifact{URI: "https://example.test/" + AzdArtifactName(p), SHA256: strings.Repeat("0f", 32)}
	}
	var m struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Metadata   struct{ Name string }
		Spec       struct {
			Version          string
			ShortDescription string `yaml:"shortDescription"`
			Platforms        []struct {
				Selector struct {
					MatchLabels map[string]string `yaml:"matchLabels"`
				}
				URI, SHA256, Bin string
			}
		}
	}
	if err := yaml.Unmarshal(KrewManifest(testVersion(t, "1.4.0"), arts), &m); err != nil {
		t.Fatal(err)
	}
	if m.APIVersion != "krew.googlecontainertools.github.com/v1alpha2" || m.Kind != "Plugin" || m.Metadata.Name != "dicomreg" || m.Spec.Version != "v1.4.0" {
		t.Errorf("manifest header %+v", m)
	}
	if len(m.Spec.Platforms) != 6 {
		t.Fatalf("%d platforms", len(m.Spec.Platforms))
	}
	for _, p := range m.Spec.Platforms {
		key := p.Selector.MatchLabels["os"] + "/" + p.Selector.MatchLabels["arch"]
		if p.URI != arts[key].URI || p.SHA256 != arts[key].SHA256 || p.Bin != EntryPoint(key) {
			t.Errorf("%s: %+v", key, p)
		}
	}
}
