package dicomweb

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/dicomreg/dicomreg/mockgraph/dicomweb/part10"
	"github.com/dicomreg/dicomreg/mockgraph/tenant"
)

// QIDO paging limits of the Azure DICOM service.
const (
	defaultLimit = 100
	maxLimit     = 200
)

// Extra tags of search answers.
var (
	tagModalitiesInStudy = part10.Tag{Group: 0x0008, Element: 0x0061}
	tagStudyInstances    = part10.Tag{Group: 0x0020, Element: 0x1208}
	tagSeriesInstances   = part10.Tag{Group: 0x0020, Element: 0x1209}
	keywordTags          = map[string]part10.Tag{}
	levelKeywords        = map[string][]string{
		levelStudy:    {"StudyInstanceUID", "StudyDate", "AccessionNumber", "PatientName", "PatientID", "StudyDescription"},
		levelSeries:   {"StudyInstanceUID", "SeriesInstanceUID", "Modality"},
		levelInstance: {"StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "SOPClassUID"},
	}
)

func init() {
	for t, k := range part10.Keywords {
		keywordTags[k.Keyword] = t
	}
}

// query is a parsed QIDO-RS query.
type query struct {
	match         map[string]string // keyword → value
	limit, offset int
	fuzzy         bool
}

// parseQuery reads QIDO parameters; attribute names may be keywords or tags (0020000D).
func parseQuery(q url.Values) (query, string) {
	out := query{match: map[string]string{}, limit: defaultLimit}
	for name, values := range q {
		v := ""
		if len(values) > 0 {
			v = values[len(values)-1]
		}
		switch name {
		case "limit", "offset":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || (name == "limit" && (n == 0 || n > maxLimit)) {
				return out, "The value of query parameter '" + name + "' is invalid (limit is 1.." + strconv.Itoa(maxLimit) + ", offset ≥ 0)."
			}
			if name == "limit" {
				out.limit = n
			} else {
				out.offset = n
			}
		case "fuzzymatching":
			out.fuzzy = strings.EqualFold(v, "true")
		case "includefield":
			// Every indexed attribute is always returned; includefield widens nothing further.
		case "ModalitiesInStudy":
			out.match["Modality"] = v
		default:
			keyword := name
			if _, ok := keywordTags[keyword]; !ok {
				keyword = ""
				for t, k := range part10.Keywords {
					if strings.EqualFold(t.Hex(), name) {
						keyword = k.Keyword
					}
				}
			}
			if keyword == "" {
				return out, "The query parameter '" + name + "' is invalid or not supported."
			}
			out.match[keyword] = v
		}
	}
	return out, ""
}

// instancesOf is a service's stored instances, or one study's when the request pins it (UIDs
// match exactly, so the study index gives the same answer as a scan).
func instancesOf(d *tenant.Directory, service, studyUID string) []*tenant.DicomInstance {
	if studyUID != "" {
		return d.DicomInstancesOfStudy(service, studyUID)
	}
	return d.DicomInstances(service)
}

func (q query) matches(in *tenant.DicomInstance) bool {
	for k, want := range q.match {
		have := attr(in, k)
		switch k {
		case "PatientName":
			if !matchName(have, want, q.fuzzy) {
				return false
			}
		case "StudyDate":
			if from, to, isRange := strings.Cut(want, "-"); isRange {
				if (from != "" && have < from) || (to != "" && have > to) {
					return false
				}
			} else if have != want {
				return false
			}
		default:
			if have != want {
				return false
			}
		}
	}
	return true
}

// matchName: DICOM wildcards * and ?, case-insensitive; fuzzy also matches a prefix of any name part.
func matchName(have, want string, fuzzy bool) bool {
	h, w := strings.ToLower(have), strings.ToLower(want)
	if ok, err := path.Match(w, h); err == nil && ok {
		return true
	}
	if fuzzy {
		for _, part := range strings.FieldsFunc(h, func(r rune) bool { return r == '^' || r == ' ' }) {
			if strings.HasPrefix(part, w) {
				return true
			}
		}
	}
	return false
}

// attr reads an instance attribute by keyword (the UIDs live in fields).
func attr(in *tenant.DicomInstance, keyword string) string {
	switch keyword {
	case "StudyInstanceUID":
		return in.StudyInstanceUID
	case "SeriesInstanceUID":
		return in.SeriesInstanceUID
	case "SOPInstanceUID":
		return in.SOPInstanceUID
	case "SOPClassUID":
		return in.SOPClassUID
	}
	return in.Attributes[keyword]
}

// search answers QIDO-RS at a level, within the ids the path names.
func (a *API) search(w http.ResponseWriter, r *http.Request, req *request, ids resourceIDs, level string) {
	q, bad := parseQuery(r.URL.Query())
	if bad != "" {
		writeError(w, http.StatusBadRequest, "%s", bad)
		return
	}
	if ids.study != "" {
		q.match["StudyInstanceUID"] = ids.study
	}
	if ids.series != "" {
		q.match["SeriesInstanceUID"] = ids.series
	}
	type group struct {
		first      *tenant.DicomInstance
		count      int
		modalities []string
	}
	var order []string
	groups := map[string]*group{}
	_ = a.cfg.Store.View(func(d *tenant.Directory) error {
		for _, in := range instancesOf(d, req.service.HostName(), q.match["StudyInstanceUID"]) {
			if !q.matches(in) {
				continue
			}
			k := in.SOPInstanceUID
			switch level {
			case levelStudy:
				k = in.StudyInstanceUID
			case levelSeries:
				k = in.SeriesInstanceUID
			}
			g := groups[k]
			if g == nil {
				g = &group{first: in}
				groups[k] = g
				order = append(order, k)
			}
			g.count++
			if m := in.Attributes["Modality"]; m != "" && !contains(g.modalities, m) {
				g.modalities = append(g.modalities, m)
			}
		}
		return nil
	})
	if q.offset >= len(order) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	order = order[q.offset:min(len(order), q.offset+q.limit)]
	out := make([]map[string]any, 0, len(order))
	for _, k := range order {
		g := groups[k]
		obj := datasetJSON(g.first, levelKeywords[level])
		switch level {
		case levelStudy:
			obj[tagStudyInstances.Hex()] = map[string]any{"vr": "IS", "Value": []any{strconv.Itoa(g.count)}}
			if len(g.modalities) > 0 {
				obj[tagModalitiesInStudy.Hex()] = map[string]any{"vr": "CS", "Value": g.modalities}
			}
		case levelSeries:
			obj[tagSeriesInstances.Hex()] = map[string]any{"vr": "IS", "Value": []any{strconv.Itoa(g.count)}}
		}
		out = append(out, obj)
	}
	writeDICOMJSON(w, http.StatusOK, out)
}

// writeDICOMJSON answers with application/dicom+json.
func writeDICOMJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", mediaDICOMJSON)
	w.WriteHeader(status)
	writeJSONBody(w, v)
}

func writeJSONBody(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		body = []byte(`{"error":"encoding"}`)
	}
	_, _ = w.Write(body)
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// datasetJSON renders attributes in the DICOM JSON model (PS3.18 F.2).
func datasetJSON(in *tenant.DicomInstance, keywords []string) map[string]any {
	obj := map[string]any{}
	for _, k := range keywords {
		t, ok := keywordTags[k]
		if !ok {
			continue
		}
		vr := part10.Keywords[t].VR
		el := map[string]any{"vr": vr}
		if v := attr(in, k); v != "" {
			if vr == "PN" {
				el["Value"] = []any{map[string]string{"Alphabetic": v}}
			} else {
				el["Value"] = []any{v}
			}
		}
		obj[t.Hex()] = el
	}
	return obj
}

// allKeywords are every attribute the mock indexes (the metadata answer).
func allKeywords() []string {
	out := make([]string, 0, len(keywordTags))
	for _, k := range part10.Keywords {
		out = append(out, k.Keyword)
	}
	return out
}
