package hosts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/dicomreg/dicomreg/plugin/atomicfile"
)

// Runner runs the hosts' own commands (az extension add, gh extension install, …).
type Runner interface {
	LookPath(name string) (string, error)
	// Run runs name with args in dir (the current folder when empty), its output to the
	// installer's log.
	Run(ctx context.Context, dir, name string, args ...string) error
}

// Installer installs dicomreg into each host, lists and removes it.
type Installer struct {
	Self    string // the dicomreg binary to install
	Version Semver
	Home    string // the user's home folder
	Getenv  func(string) string
	Runner  Runner
	Log     io.Writer // progress and the host commands, as they run
	// BinDir is the folder on PATH for kubectl's plugin executables (default ~/.local/bin).
	BinDir string
	// Copy puts copies of the binary where hosts look, instead of symbolic links to it.
	Copy bool
}

// Status is what one host has of dicomreg.
type Status struct {
	Host      Host     `json:"host"`
	Installed bool     `json:"installed"`
	Version   string   `json:"version,omitempty"`
	Location  string   `json:"location,omitempty"`
	Commands  []string `json:"commands,omitempty"` // the host's commands run (or to run by hand)
	Note      string   `json:"note,omitempty"`
}

// ErrHostMissing reports a host CLI that is not on PATH: its commands were printed, not run.
var ErrHostMissing = errors.New("not on PATH")

func (in *Installer) getenv(name string) string {
	if in.Getenv == nil {
		return ""
	}
	return in.Getenv(name)
}

func (in *Installer) logf(format string, a ...any) {
	if in.Log != nil {
		fmt.Fprintf(in.Log, format+"\n", a...)
	}
}

// dataDir is where the installer keeps what hosts install from (the wheel, the azd registry, the
// gh extension folder): $XDG_DATA_HOME/dicomreg, else ~/.local/share/dicomreg.
func (in *Installer) dataDir() string {
	if d := in.getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, Name)
	}
	return filepath.Join(in.Home, ".local", "share", Name)
}

func (in *Installer) binDir() string {
	if in.BinDir != "" {
		return in.BinDir
	}
	return filepath.Join(in.Home, ".local", "bin")
}

// Install installs dicomreg into the host.
func (in *Installer) Install(ctx context.Context, h Host) (Status, error) {
	switch h {
	case Az:
		return in.installAz(ctx)
	case Azd:
		return in.installAzd(ctx)
	case Gh:
		return in.installGh(ctx)
	case Kubectl:
		return in.installKubectl()
	}
	return Status{}, fmt.Errorf("unknown host %q", h)
}

// Uninstall removes dicomreg from the host, through the host's own command when it is on PATH.
func (in *Installer) Uninstall(ctx context.Context, h Host) (Status, error) {
	switch h {
	case Az:
		return in.uninstallAz(ctx)
	case Azd:
		return in.uninstallAzd(ctx)
	case Gh:
		return in.uninstallGh(ctx)
	case Kubectl:
		return in.uninstallKubectl()
	}
	return Status{}, fmt.Errorf("unknown host %q", h)
}

// List tells, for every host, whether dicomreg is installed, which version and where, read from
// the places each host itself reads.
func (in *Installer) List() []Status {
	return []Status{in.statusAz(), in.statusAzd(), in.statusGh(), in.statusKubectl()}
}

// run runs a host command when the host is on PATH; otherwise it only records the command, for
// the user to run once the host is installed.
func (in *Installer) run(ctx context.Context, st *Status, dir, name string, args ...string) error {
	line := name + " " + strings.Join(quoteAll(args), " ")
	if dir != "" {
		line = "(cd " + shellQuote(dir) + " && " + line + ")"
	}
	st.Commands = append(st.Commands, line)
	if _, err := in.Runner.LookPath(name); err != nil {
		return fmt.Errorf("%s %w", name, ErrHostMissing)
	}
	in.logf("$ %s", line)
	if err := in.Runner.Run(ctx, dir, name, args...); err != nil {
		return fmt.Errorf("%s: %w", line, err)
	}
	return nil
}

// hostOnPath is whether the host's CLI can be run.
func (in *Installer) hostOnPath(name string) bool {
	_, err := in.Runner.LookPath(name)
	return err == nil
}

// place puts the binary at target: a symbolic link to Self, or a copy with Copy set.
func (in *Installer) place(target string) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	if err := os.Remove(target); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if !in.Copy {
		return os.Symlink(in.Self, target)
	}
	src, err := os.Open(in.Self)
	if err != nil {
		return err
	}
	defer src.Close()
	return writeFileAtomic(target, 0o755, func(w io.Writer) error { _, err := io.Copy(w, src); return err })
}

// writeFileAtomic writes through a temporary file renamed into place, so a host never runs or
// reads a half-written file.
func writeFileAtomic(path string, mode os.FileMode, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, mode, true, write)
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r == '=' || r == ':' || r == '+' ||
			'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func quoteAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = shellQuote(a)
	}
	return out
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
