package hosts

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// gh runs an extension named gh-<name> from its extensions folder; `gh extension install .`
// links the current folder there when the folder is named gh-<name> and holds an executable of
// that name (cli/cli pkg/cmd/extension, "gh help extension install").
func (in *Installer) ghSourceDir() string { return filepath.Join(in.dataDir(), "gh", GhExtension) }

// ghExtensionsDir is gh's own: $GH_DATA_DIR, $XDG_DATA_HOME/gh or ~/.local/share/gh, then
// /extensions (cli/cli internal/config DataDir).
func (in *Installer) ghExtensionsDir() string {
	switch {
	case in.getenv("GH_DATA_DIR") != "":
		return filepath.Join(in.getenv("GH_DATA_DIR"), "extensions")
	case in.getenv("XDG_DATA_HOME") != "":
		return filepath.Join(in.getenv("XDG_DATA_HOME"), "gh", "extensions")
	}
	return filepath.Join(in.Home, ".local", "share", "gh", "extensions")
}

func (in *Installer) installGh(ctx context.Context) (Status, error) {
	st := Status{Host: Gh, Version: in.Version.String(), Location: filepath.Join(in.ghExtensionsDir(), GhExtension)}
	if err := in.place(filepath.Join(in.ghSourceDir(), GhExtension)); err != nil {
		return st, err
	}
	if exists(st.Location) && in.hostOnPath("gh") {
		// gh refuses to install over an extension of the same name.
		if err := in.run(ctx, &st, "", "gh", "extension", "remove", Name); err != nil {
			return st, explainGhAuth(err)
		}
	}
	err := in.run(ctx, &st, in.ghSourceDir(), "gh", "extension", "install", ".")
	st.Installed = err == nil
	return st, explainGhAuth(err)
}

// ghAuthExit is gh's exit code when it wants a login (cli/cli cmd/gh, authError). gh asks for one
// before `gh extension remove`, and before `gh extension install` until cli/cli#13176 (2026-04),
// although neither makes an API call for a local extension (cli/cli#8475).
const ghAuthExit = 4

func explainGhAuth(err error) error {
	var exit interface{ ExitCode() int }
	if errors.As(err, &exit) && exit.ExitCode() == ghAuthExit {
		return fmt.Errorf("%w\ngh asks for a login before this extension command although it makes no API call for a local extension: run `gh auth login` first, or run dicomreg again with GH_TOKEN=unused", err)
	}
	return err
}

func (in *Installer) uninstallGh(ctx context.Context) (Status, error) {
	st := Status{Host: Gh, Location: filepath.Join(in.ghExtensionsDir(), GhExtension)}
	if exists(st.Location) {
		if err := in.run(ctx, &st, "", "gh", "extension", "remove", Name); err != nil && !errors.Is(err, ErrHostMissing) {
			return st, explainGhAuth(err)
		} else if err != nil {
			// No gh: remove the link gh made, as `gh extension remove` would.
			if err := os.Remove(st.Location); err != nil {
				return st, err
			}
		}
	}
	return st, os.RemoveAll(filepath.Dir(in.ghSourceDir()))
}

func (in *Installer) statusGh() Status {
	st := Status{Host: Gh, Location: filepath.Join(in.ghExtensionsDir(), GhExtension)}
	st.Installed = exists(filepath.Join(st.Location, GhExtension))
	if !st.Installed {
		st.Location = ""
	} else if target, err := os.Readlink(st.Location); err == nil {
		st.Note = "local extension from " + target
	}
	return st
}
