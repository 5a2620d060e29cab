package hosts

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// az installs an extension wheel with `az extension add --source FILE` into
// $AZURE_EXTENSION_DIR, else $AZURE_CONFIG_DIR/cliextensions, else ~/.azure/cliextensions, one
// folder per extension (azure-cli core/extension/__init__.py, EXTENSIONS_DIR).
func (in *Installer) azExtensionDir() string {
	if d := in.getenv("AZURE_EXTENSION_DIR"); d != "" {
		return filepath.Join(d, AzExtensionName)
	}
	config := in.getenv("AZURE_CONFIG_DIR")
	if config == "" {
		config = filepath.Join(in.Home, ".azure")
	}
	return filepath.Join(config, "cliextensions", AzExtensionName)
}

func (in *Installer) installAz(ctx context.Context) (Status, error) {
	st := Status{Host: Az, Version: in.Version.String(), Location: in.azExtensionDir()}
	wheel := filepath.Join(in.dataDir(), "az", WheelFileName(in.Version))
	if err := writeFileAtomic(wheel, 0o644, func(w io.Writer) error {
		return WriteWheel(w, WheelOptions{Version: in.Version, BinaryPath: in.Self})
	}); err != nil {
		return st, err
	}
	if exists(st.Location) && in.hostOnPath("az") {
		// az refuses to add an extension that exists ("The extension dicomreg already exists").
		if err := in.run(ctx, &st, "", "az", "extension", "remove", "--name", AzExtensionName); err != nil {
			return st, err
		}
	}
	// --yes: the wheel is not from az's index, so az would ask to confirm an unverified source.
	err := in.run(ctx, &st, "", "az", "extension", "add", "--source", wheel, "--yes")
	st.Installed = err == nil
	return st, err
}

func (in *Installer) uninstallAz(ctx context.Context) (Status, error) {
	st := Status{Host: Az, Location: in.azExtensionDir()}
	if exists(st.Location) {
		err := in.run(ctx, &st, "", "az", "extension", "remove", "--name", AzExtensionName)
		if errors.Is(err, ErrHostMissing) {
			err = os.RemoveAll(st.Location)
		}
		if err != nil {
			return st, err
		}
	}
	return st, os.RemoveAll(filepath.Join(in.dataDir(), "az"))
}

func (in *Installer) statusAz() Status {
	st := Status{Host: Az, Location: in.azExtensionDir()}
	infos, _ := filepath.Glob(filepath.Join(st.Location, AzExtensionName+"-*.dist-info"))
	if len(infos) == 0 {
		return Status{Host: Az}
	}
	st.Installed = true
	st.Version = strings.TrimSuffix(strings.TrimPrefix(filepath.Base(infos[0]), AzExtensionName+"-"), ".dist-info")
	return st
}
