package hosts

import "strings"

// Host is a CLI that runs dicomreg as one of its commands.
type Host string

// The hosts, by the name of the CLI the user types.
const (
	Standalone Host = ""
	Az         Host = "az"
	Azd        Host = "azd"
	Gh         Host = "gh"
	Kubectl    Host = "kubectl"
)

// All lists the hosts dicomreg installs into, in the order `plugin list` shows them.
var All = []Host{Az, Azd, Gh, Kubectl}

// Name is the plugin's name in every host: `az dicomreg`, `kubectl dicomreg`, …
const Name = "dicomreg"

// EnvHost names the host that ran the binary when its file name cannot: the az extension sets it,
// since az runs the same dicomreg binary a user could run alone.
const EnvHost = "DICOMREG_HOST"

// Executable names the hosts look for (kubectl plugin docs; gh extension docs).
const (
	KubectlPlugin   = "kubectl-" + Name
	KubectlComplete = "kubectl_complete-" + Name // kubectl ≥ 1.26 asks it for completions
	GhExtension     = "gh-" + Name
)

// Invocation is how this process was started.
type Invocation struct {
	Host Host
	// Complete is true when kubectl runs kubectl_complete-dicomreg: the arguments are a command
	// line to complete, in cobra's __complete protocol.
	Complete bool
}

// DisplayName is the command the user typed to reach dicomreg: "kubectl dicomreg", "dicomreg".
func (i Invocation) DisplayName() string {
	if i.Host == Standalone {
		return Name
	}
	return string(i.Host) + " " + Name
}

// Detect tells the host from the executable's path (argv[0] or os.Executable) and environment.
// kubectl and gh run a file named for them; azd runs the entry point it copied into
// <config>/extensions/<id>/; az's extension says so in DICOMREG_HOST.
func Detect(exe string, getenv func(string) string) Invocation {
	// Either separator: a Windows path names the same hosts.
	parts := strings.FieldsFunc(exe, func(r rune) bool { return r == '/' || r == '\\' })
	if len(parts) == 0 {
		return Invocation{}
	}
	base := strings.TrimSuffix(parts[len(parts)-1], ".exe")
	switch base {
	case KubectlPlugin:
		return Invocation{Host: Kubectl}
	case KubectlComplete:
		return Invocation{Host: Kubectl, Complete: true}
	case GhExtension:
		return Invocation{Host: Gh}
	}
	if n := len(parts); n >= 3 && parts[n-2] == AzdExtensionID && parts[n-3] == "extensions" {
		return Invocation{Host: Azd}
	}
	switch Host(getenv(EnvHost)) {
	case Az:
		return Invocation{Host: Az}
	case Azd:
		return Invocation{Host: Azd}
	}
	return Invocation{}
}

// ParseHost reads a host name as flags and `plugin list` spell it.
func ParseHost(s string) (Host, bool) {
	for _, h := range All {
		if string(h) == s {
			return h, true
		}
	}
	return Standalone, false
}
