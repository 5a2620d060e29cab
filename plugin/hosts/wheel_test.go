package hosts

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
)

// wheelName is azure-cli's WHEEL_INFO_RE (core/extension/__init__.py), which az extension add
// uses to take the extension's name and version from the file name.
var wheelName = regexp.MustCompile(`^(?P<namever>(?P<name>.+?)(-(?P<ver>\d.+?))?)((-(?P<build>\d.*?))?-(?P<pyver>.+?)-(?P<abi>.+?)-(?P<plat>.+?)\.whl|\.dist-info|\.egg-info)$`)

func readZip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = b
	}
	return files
}

func TestWheelIsWhatPipAndAzRead(t *testing.T) {
	v, _ := ParseSemver("1.2.4-dev.3+gabc")
	data, err := Wheel(WheelOptions{Version: v, BinaryPath: "/opt/dicomreg/bin/dicomreg"})
	if err != nil {
		t.Fatal(err)
	}
	name := WheelFileName(v)
	m := wheelName.FindStringSubmatch(name)
	if m == nil || m[2] != AzExtensionName || m[4] != "1.2.4.dev3+gabc" || m[8] != "py3" || m[9] != "none" || m[10] != "any" {
		t.Fatalf("az reads %q as %q", name, m)
	}
	files := readZip(t, data)
	info := "dicomreg-1.2.4.dev3+gabc.dist-info/"
	for _, want := range []string{"azext_dicomreg/__init__.py", "azext_dicomreg/azext_metadata.json", "azext_dicomreg/binary.json",
		info + "METADATA", info + "WHEEL", info + "RECORD", info + "top_level.txt"} {
		if _, ok := files[want]; !ok {
			t.Errorf("wheel lacks %s", want)
		}
	}
	if !strings.Contains(string(files[info+"METADATA"]), "Name: dicomreg\nVersion: 1.2.4.dev3+gabc\n") {
		t.Errorf("METADATA:\n%s", files[info+"METADATA"])
	}
	for _, line := range []string{"Wheel-Version: 1.0", "Root-Is-Purelib: true", "Tag: py3-none-any"} {
		if !strings.Contains(string(files[info+"WHEEL"]), line+"\n") {
			t.Errorf("WHEEL lacks %q", line)
		}
	}
	var meta map[string]any
	if err := json.Unmarshal(files["azext_dicomreg/azext_metadata.json"], &meta); err != nil {
		t.Fatal(err)
	}
	if meta["azext.minCliCoreVersion"] != "2.45.0" || meta["azext.isPreview"] != true {
		t.Errorf("azext_metadata.json = %v", meta)
	}
	var bin map[string]string
	if err := json.Unmarshal(files["azext_dicomreg/binary.json"], &bin); err != nil || bin["path"] != "/opt/dicomreg/bin/dicomreg" {
		t.Errorf("binary.json = %s (%v)", files["azext_dicomreg/binary.json"], err)
	}

	// RECORD: every other file, with its urlsafe-base64 SHA-256 and size; itself without (PEP 376).
	recorded := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(files[info+"RECORD"])), "\n") {
		parts := strings.Split(line, ",")
		if len(parts) != 3 {
			t.Fatalf("RECORD line %q", line)
		}
		recorded[parts[0]] = true
		if parts[0] == info+"RECORD" {
			if parts[1] != "" || parts[2] != "" {
				t.Errorf("RECORD's own line %q", line)
			}
			continue
		}
		sum := sha256.Sum256(files[parts[0]])
		if want := "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:]); parts[1] != want || parts[2] != fmt.Sprint(len(files[parts[0]])) {
			t.Errorf("RECORD %q, want hash %s size %d", line, want, len(files[parts[0]]))
		}
	}
	for f := range files {
		if !recorded[f] {
			t.Errorf("RECORD lacks %s", f)
		}
	}
}

func TestWheelForReleaseIsReproducibleAndLooksOnPath(t *testing.T) {
	v, _ := ParseSemver("1.0.0")
	a, err := Wheel(WheelOptions{Version: v})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Wheel(WheelOptions{Version: v})
	if !bytes.Equal(a, b) {
		t.Error("two builds of one version differ")
	}
	files := readZip(t, a)
	if _, ok := files["azext_dicomreg/binary.json"]; ok {
		t.Error("a release wheel names a binary path")
	}
	if !strings.Contains(string(files["azext_dicomreg/azext_metadata.json"]), `"azext.isPreview": false`) {
		t.Errorf("a release is not a preview: %s", files["azext_dicomreg/azext_metadata.json"])
	}
	if WheelFileName(v) != "dicomreg-1.0.0-py3-none-any.whl" {
		t.Error(WheelFileName(v))
	}
}
