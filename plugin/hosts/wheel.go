package hosts

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

//go:embed azext/__init__.py
var azextInit []byte

// The az extension's names: az derives the extension's name from the wheel file name
// (azure-cli core/extension/operations.py, WHEEL_INFO_RE) and loads the module azext_<name>.
const (
	AzExtensionName = Name
	azextModule     = "azext_" + Name
	// minAzVersion is the oldest az the loader is written for: Debian 12's 2.45.
	minAzVersion = "2.45.0"
)

// wheelTime is every entry's modification time, so that one version always builds the same bytes.
var wheelTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// WheelOptions describe the az extension wheel.
type WheelOptions struct {
	Version Semver
	// BinaryPath, when set, is the dicomreg the extension runs before looking on PATH (the one
	// `plugin install --az` installed it from). Release wheels leave it empty.
	BinaryPath string
}

// WheelFileName is the wheel's name as pip and az read it (PEP 427: name-version-py3-none-any).
func WheelFileName(v Semver) string {
	return fmt.Sprintf("%s-%s-py3-none-any.whl", AzExtensionName, v.PEP440())
}

// WriteWheel writes the az extension: azext_dicomreg (its command loader and azext_metadata.json)
// and the .dist-info pip needs to install it (METADATA, WHEEL, RECORD with every file's SHA-256).
func WriteWheel(w io.Writer, opts WheelOptions) error {
	version := opts.Version.PEP440()
	meta, err := json.MarshalIndent(map[string]any{
		"azext.minCliCoreVersion": minAzVersion,
		"azext.isPreview":         len(opts.Version.Pre) > 0,
	}, "", "  ")
	if err != nil {
		return err
	}
	files := []wheelFile{
		{azextModule + "/__init__.py", azextInit},
		{azextModule + "/azext_metadata.json", append(meta, '\n')},
	}
	if opts.BinaryPath != "" {
		bin, err := json.Marshal(map[string]string{"path": opts.BinaryPath})
		if err != nil {
			return err
		}
		files = append(files, wheelFile{azextModule + "/binary.json", append(bin, '\n')})
	}
	info := fmt.Sprintf("%s-%s.dist-info/", AzExtensionName, version)
	files = append(files,
		wheelFile{info + "METADATA", []byte(strings.Join([]string{
			"Metadata-Version: 2.1",
			"Name: " + AzExtensionName,
			"Version: " + version,
			"Summary: az dicomreg: register client applications for the Azure DICOM service (runs the dicomreg binary)",
			"Home-page: https://github.com/dicomreg/dicomreg",
			"Requires-Python: >=3.7",
			"", ""}, "\n"))},
		wheelFile{info + "WHEEL", []byte(strings.Join([]string{
			"Wheel-Version: 1.0",
			"Generator: dicomreg " + opts.Version.String(),
			"Root-Is-Purelib: true",
			"Tag: py3-none-any",
			"", ""}, "\n"))},
		wheelFile{info + "top_level.txt", []byte(azextModule + "\n")},
	)
	// RECORD lists every file with its hash and size, and itself with neither (PEP 376/427).
	var record strings.Builder
	for _, f := range files {
		sum := sha256.Sum256(f.data)
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", f.name, base64.RawURLEncoding.EncodeToString(sum[:]), len(f.data))
	}
	fmt.Fprintf(&record, "%sRECORD,,\n", info)
	files = append(files, wheelFile{info + "RECORD", []byte(record.String())})

	zw := zip.NewWriter(w)
	for _, f := range files {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: wheelTime})
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

type wheelFile struct {
	name string
	data []byte
}

// Wheel returns the wheel's bytes.
func Wheel(opts WheelOptions) ([]byte, error) {
	var b bytes.Buffer
	err := WriteWheel(&b, opts)
	return b.Bytes(), err
}
