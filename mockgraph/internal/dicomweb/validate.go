package dicomweb

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/part10"
)

// requiredAttributes must be present in every stored file (conformance statement v1 and v2,
// "Store required attributes"); PatientID may be empty.
var requiredAttributes = []string{"StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "SOPClassUID", "PatientID"}

// attributeProblem is one attribute that failed validation, as its ErrorComment.
type attributeProblem struct {
	tag     part10.Tag
	comment string
}

// validateRequired checks the required attributes: the UIDs present, 1 to 64 letters, digits,
// '.' or '-', distinct; PatientID present and a valid LO. Any problem fails the instance (43264).
func validateRequired(f *part10.File) []attributeProblem {
	var out []attributeProblem
	for _, k := range requiredAttributes {
		t, _ := part10.TagOf(k)
		el := f.Get(t)
		if el == nil {
			out = append(out, attributeProblem{t, fmt.Sprintf("The required tag '%s' is missing.", k)})
			continue
		}
		v := strings.TrimRight(string(el.Value), " \x00")
		if k == "PatientID" {
			if c := checkVR("LO", v); c != "" {
				out = append(out, attributeProblem{t, dicom100(t, "LO", v, c)})
			}
			continue
		}
		if !validUID(v) {
			out = append(out, attributeProblem{t, fmt.Sprintf(msgInvalidIdentifier, k, v)})
		}
	}
	if len(out) == 0 {
		study, series, sop := f.UID("StudyInstanceUID"), f.UID("SeriesInstanceUID"), f.UID("SOPInstanceUID")
		if study == series || study == sop || series == sop {
			out = append(out, attributeProblem{part10.TagSOPInstanceUID, "The values for StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID must be unique."})
		}
	}
	return out
}

// validateAttributes checks every other top-level attribute against its VR; only keeps those in
// keep (nil: all). v2 stores the instance with these as warnings, v1 fails it when one is
// searchable.
func validateAttributes(f *part10.File, keep func(part10.Tag) bool) []attributeProblem {
	var out []attributeProblem
	for i := range f.Elements {
		el := &f.Elements[i]
		if el.Items != nil || el.Fragments != nil || part10.BulkVRs[el.VR] || (keep != nil && !keep(el.Tag)) {
			continue
		}
		if isRequired(el.Tag) {
			continue
		}
		// Values padded with NULs are indexed and stored as they are, without a warning.
		v := strings.TrimRight(string(el.Value), " \x00")
		if c := checkVR(el.VR, v); c != "" {
			out = append(out, attributeProblem{el.Tag, dicom100(el.Tag, el.VR, v, c)})
		}
	}
	return out
}

func isRequired(t part10.Tag) bool {
	k := part10.Keyword(t)
	for _, r := range requiredAttributes {
		if r == k {
			return true
		}
	}
	return false
}

// dicom100 is the ErrorComment text of the statement's example.
func dicom100(t part10.Tag, vr, value, why string) string {
	return fmt.Sprintf("DICOM100: (%04x,%04x) - Content %q does not validate VR %s: %s", t.Group, t.Element, value, vr, why)
}

var (
	reTM = regexp.MustCompile(`^([01][0-9]|2[0-3])([0-5][0-9]([0-5][0-9](\.[0-9]{1,6})?)?)?$`)
	reDT = regexp.MustCompile(`^[0-9]{4}([0-9]{2}([0-9]{2}([0-9]{2}([0-9]{2}([0-9]{2}(\.[0-9]{1,6})?)?)?)?)?)?([+-][0-9]{4})?$`)
	reAS = regexp.MustCompile(`^[0-9]{3}[DWMY]$`)
	reCS = regexp.MustCompile(`^[A-Z0-9 _]*$`)
	reUI = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)
)

// maxLength of the text VRs (PS3.5 table 6.2-1), per value.
var maxLength = map[string]int{"AE": 16, "CS": 16, "DS": 16, "IS": 12, "LO": 64, "SH": 16, "UI": 64, "LT": 10240, "ST": 1024}

// checkVR returns why v does not validate as vr, or "".
func checkVR(vr, v string) string {
	values := []string{v}
	switch vr {
	case "LT", "ST", "UT", "UR", "UC":
	default:
		values = strings.Split(v, `\`)
	}
	for _, x := range values {
		if n, ok := maxLength[vr]; ok && len(x) > n {
			return fmt.Sprintf("value exceeds maximum length of %d characters", n)
		}
		if x == "" {
			continue
		}
		switch vr {
		case "DA":
			if _, err := time.Parse("20060102", x); err != nil || len(x) != 8 {
				return "one of the date values does not match the pattern YYYYMMDD"
			}
		case "DT":
			if !reDT.MatchString(x) {
				return "value does not mach pattern YYYY[MM[DD[HH[MM[SS[.F{1-6}]]]]]]"
			}
		case "TM":
			if !reTM.MatchString(x) {
				return "value does not match the pattern HH[MM[SS[.F{1-6}]]]"
			}
		case "AS":
			if !reAS.MatchString(x) {
				return "value does not match the pattern nnn[DWMY]"
			}
		case "CS":
			if !reCS.MatchString(x) {
				return "value contains invalid character"
			}
		case "UI":
			if !reUI.MatchString(x) {
				return "value contains invalid character"
			}
		case "IS":
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err != nil || n < -(1<<31) || n > 1<<31-1 {
				return "value is not a valid integer string"
			}
		case "DS":
			if _, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
				return "value is not a valid decimal string"
			}
		case "PN":
			groups := strings.Split(x, "=")
			if len(groups) > 3 {
				return "value contains more than 3 groups"
			}
			for _, g := range groups {
				if len(g) > 64 {
					return "value exceeds maximum length of 64 characters"
				}
				if strings.Count(g, "^") > 4 {
					return "value contains more than 5 components"
				}
			}
		case "LO", "SH":
			if strings.ContainsAny(x, "\r\n\f") {
				return "value contains invalid character"
			}
		}
	}
	return ""
}
