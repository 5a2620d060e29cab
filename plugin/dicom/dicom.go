// Package dicom knows what the Azure DICOM service expects of a client: the token it accepts
// (CheckToken), the answer it gives a probe (Probe), and the shape of findings that explain a
// refusal, which `token decode`, `verify` and `doctor` print.
package dicom

// The DICOM service as a token resource (FACTS.md: authentication-authorization.md).
const (
	// Resource is the one audience every DICOM service accepts, exactly, without a trailing slash.
	Resource = "https://dicom.healthcareapis.azure.com"
	// ReadWriteScope is the delegated permission the service exposes.
	ReadWriteScope = "Dicom.ReadWrite"
	// AppOnlyScope is what a client-credentials request asks for.
	AppOnlyScope = Resource + "/.default"
	// DelegatedScope is what a user sign-in asks for.
	DelegatedScope = Resource + "/" + ReadWriteScope
)

// Severity grades a finding.
type Severity string

// Severities, from fine to fatal.
const (
	OK    Severity = "ok"
	Warn  Severity = "warn"
	Error Severity = "error"
)

// Finding is one check's verdict: what was checked, what was found and, when something is wrong,
// the command or step that fixes it.
type Finding struct {
	Severity Severity `json:"severity"`
	Check    string   `json:"check"`
	Message  string   `json:"message"`
	Fix      string   `json:"fix,omitempty"`
}

// Worst is the highest severity among the findings (OK for none).
func Worst(fs []Finding) Severity {
	worst := OK
	for _, f := range fs {
		switch {
		case f.Severity == Error:
			return Error
		case f.Severity == Warn:
			worst = Warn
		}
	}
	return worst
}
