package hosts

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// kubectl finds plugins as executables named kubectl-<name> on PATH, and (1.26+) asks
// kubectl_complete-<name> for completions (kubernetes.io/docs/tasks/extend-kubectl/kubectl-plugins).
func (in *Installer) installKubectl() (Status, error) {
	st := Status{Host: Kubectl, Version: in.Version.String(), Location: filepath.Join(in.binDir(), KubectlPlugin)}
	for _, name := range []string{KubectlPlugin, KubectlComplete} {
		if err := in.place(filepath.Join(in.binDir(), name)); err != nil {
			return st, err
		}
	}
	st.Installed = true
	st.Note = in.pathNote()
	return st, nil
}

func (in *Installer) uninstallKubectl() (Status, error) {
	st := Status{Host: Kubectl, Location: filepath.Join(in.binDir(), KubectlPlugin)}
	for _, name := range []string{KubectlPlugin, KubectlComplete} {
		if err := os.Remove(filepath.Join(in.binDir(), name)); err != nil && !os.IsNotExist(err) {
			return st, err
		}
	}
	return st, nil
}

func (in *Installer) statusKubectl() Status {
	st := Status{Host: Kubectl, Location: filepath.Join(in.binDir(), KubectlPlugin)}
	st.Installed = exists(st.Location)
	if st.Installed {
		st.Note = in.pathNote()
		if target, err := os.Readlink(st.Location); err == nil {
			st.Note = strings.TrimSpace("links to " + target + " " + st.Note)
		}
	} else {
		st.Location = ""
	}
	return st
}

// pathNote warns when kubectl cannot see the plugin folder.
func (in *Installer) pathNote() string {
	if slices.Contains(filepath.SplitList(in.getenv("PATH")), in.binDir()) {
		return ""
	}
	return "(add " + in.binDir() + " to PATH)"
}
