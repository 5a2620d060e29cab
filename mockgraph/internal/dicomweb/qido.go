package dicomweb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/part10"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// QIDO paging limits of the Azure DICOM service.
const (
	defaultLimit = 100
	minLimit     = 1
	maxLimit     = 200
)

// Extra tags of search answers.
var (
	tagModalitiesInStudy = part10.Tag{Group: 0x0008, Element: 0x0061}
	tagInstanceAvail     = part10.Tag{Group: 0x0008, Element: 0x0056}
	tagStudyInstances    = part10.Tag{Group: 0x0020, Element: 0x1208}
	tagSeriesInstances   = part10.Tag{Group: 0x0020, Element: 0x1209}
)

// condition is one attribute match of a query.
type condition struct {
	keyword  string
	value    string // exact value
	from, to string // a date range (either may be empty)
	isRange  bool
}

// query is a parsed QIDO-RS query.
type query struct {
	conds         []condition
	include       []part10.Tag
	includeAll    bool
	limit, offset int
	fuzzy         bool
}

// fuzzyKeywords are matched by name-part prefix when fuzzymatching=true.
var fuzzyKeywords = map[string]bool{"PatientName": true, "ReferringPhysicianName": true}

// parseQuery reads QIDO parameters for a search path; the error is the service's 400 text.
func parseQuery(q url.Values, p searchPath, v2 bool) (query, string) {
	out := query{limit: defaultLimit}
	allowed := queryable(p, v2)
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		values := q[name]
		if name != "includefield" && len(values) > 1 {
			return out, sprintf(msgDuplicateParam, name)
		}
		v := values[0]
		switch name {
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil {
				return out, sprintf(msgInvalidLimit, v)
			}
			if n < minLimit || n > maxLimit {
				return out, sprintf(msgLimitRange, n, minLimit, maxLimit)
			}
			out.limit = n
		case "offset":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return out, sprintf(msgInvalidOffset, v)
			}
			out.offset = n
		case "fuzzymatching":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return out, sprintf(msgInvalidFuzzy, v)
			}
			out.fuzzy = b
		case "includefield":
			for _, list := range values {
				for _, f := range strings.Split(list, ",") {
					if f = strings.TrimSpace(f); f == "all" {
						out.includeAll = true
						continue
					}
					t, ok := attributeTag(f)
					if !ok {
						return out, sprintf(msgIncludeFieldUnknown, f)
					}
					out.include = append(out.include, t)
				}
			}
		default:
			t, ok := attributeTag(name)
			if !ok {
				return out, sprintf(msgUnknownQueryParameter, name)
			}
			keyword := part10.Keyword(t)
			if !slices.Contains(allowed, keyword) {
				return out, sprintf(msgNotQueryable, name)
			}
			if v == "" {
				return out, sprintf(msgEmptyValue, name)
			}
			c, bad := parseCondition(keyword, name, v)
			if bad != "" {
				return out, bad
			}
			out.conds = append(out.conds, c)
		}
	}
	return out, ""
}

var sprintf = fmt.Sprintf

// attributeTag reads an attribute id: a keyword (case-sensitive) or eight hex digits.
func attributeTag(id string) (part10.Tag, bool) {
	if t, ok := part10.TagOf(id); ok {
		return t, true
	}
	t, ok := part10.ParseTag(id)
	return t, ok && part10.Keyword(t) != ""
}

// parseCondition reads one match: dates exact or as an inclusive range, everything else exact.
func parseCondition(keyword, name, v string) (condition, string) {
	c := condition{keyword: keyword, value: v}
	t, _ := part10.TagOf(keyword)
	if part10.VROf(t) != "DA" {
		return c, ""
	}
	from, to, isRange := strings.Cut(v, "-")
	check := func(d string) bool { _, err := time.Parse("20060102", d); return err == nil && len(d) == 8 }
	if !isRange {
		if !check(v) {
			return c, sprintf(msgInvalidDate, v, name)
		}
		return c, ""
	}
	for _, d := range []string{from, to} {
		if d != "" && !check(d) {
			return c, sprintf(msgInvalidDate, d, name)
		}
	}
	if from == "" && to == "" {
		return c, sprintf(msgInvalidDate, v, name)
	}
	if from != "" && to != "" && from > to {
		return c, sprintf(msgInvalidDateRange, v, from, to)
	}
	c.from, c.to, c.isRange = from, to, true
	return c, ""
}

// foldPN lowers case and strips accents: PN matching is case- and accent-insensitive.
var foldPN = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

func fold(s string) string {
	out, _, err := transform.String(foldPN, strings.ToLower(s))
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}

// matches evaluates the conditions against one instance; modalities is its study's set.
func (q query) matches(in *tenant.DicomInstance, modalities []string) bool {
	for _, c := range q.conds {
		if c.keyword == "ModalitiesInStudy" {
			if !slices.ContainsFunc(modalities, func(m string) bool { return strings.EqualFold(m, c.value) }) {
				return false
			}
			continue
		}
		have := attr(in, c.keyword)
		switch {
		case c.isRange:
			if have == "" || (c.from != "" && have < c.from) || (c.to != "" && have > c.to) {
				return false
			}
		case fuzzyKeywords[c.keyword] && q.fuzzy:
			if !fuzzyName(have, c.value) {
				return false
			}
		case fuzzyKeywords[c.keyword]:
			if fold(have) != fold(c.value) {
				return false
			}
		default:
			// Other string VRs: case-insensitive, accent-sensitive; no wildcards.
			if !strings.EqualFold(have, c.value) {
				return false
			}
		}
	}
	return true
}

// fuzzyName: every word of the query is a prefix of some part of the name ("jo do" matches
// John^Doe; "ohn" does not).
func fuzzyName(have, want string) bool {
	split := func(s string) []string {
		return strings.FieldsFunc(fold(s), func(r rune) bool { return r == '^' || r == ' ' || r == '=' })
	}
	parts := split(have)
	words := split(want)
	if len(words) == 0 {
		return false
	}
	for _, w := range words {
		if !slices.ContainsFunc(parts, func(p string) bool { return strings.HasPrefix(p, w) }) {
			return false
		}
	}
	return true
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

// group is one search result: a study, a series or an instance, represented by its newest
// instance (the latest data wins).
type group struct {
	newest     *tenant.DicomInstance
	count      int
	modalities []string
}

// search answers QIDO-RS at a level, within the ids the path names: newest first, paged.
func (a *API) search(w http.ResponseWriter, r *http.Request, req *request, ids resourceIDs, level string) {
	if !acceptsJSON(r.Header.Get("Accept")) {
		writeError(w, http.StatusNotAcceptable, msgNotAcceptable)
		return
	}
	p := pathOf(level, ids)
	q, bad := parseQuery(r.URL.Query(), p, req.v2())
	if bad != "" {
		writeError(w, http.StatusBadRequest, "%s", bad)
		return
	}
	all := a.instancesIn(req.service.HostName(), resourceIDs{study: ids.study, series: ids.series})
	// Modalities per study, for ModalitiesInStudy (matched and returned).
	studyModalities := map[string][]string{}
	for _, in := range all {
		if m := in.Attributes["Modality"]; m != "" && !slices.Contains(studyModalities[in.StudyInstanceUID], m) {
			studyModalities[in.StudyInstanceUID] = append(studyModalities[in.StudyInstanceUID], m)
		}
	}
	var order []string
	groups := map[string]*group{}
	for i := len(all) - 1; i >= 0; i-- {
		in := all[i]
		if !q.matches(in, studyModalities[in.StudyInstanceUID]) {
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
			g = &group{newest: in, modalities: studyModalities[in.StudyInstanceUID]}
			groups[k] = g
			order = append(order, k)
		}
		g.count++
	}
	if q.offset >= len(order) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	order = order[q.offset:min(len(order), q.offset+q.limit)]
	var b bytes.Buffer
	b.WriteByte('[')
	for i, k := range order {
		if i > 0 {
			b.WriteByte(',')
		}
		a.writeResult(&b, req, p, level, ids, q, groups[k])
	}
	b.WriteByte(']')
	w.Header().Set("Content-Type", mediaDICOMJSON)
	_, _ = w.Write(b.Bytes())
}

// writeResult writes one search result: each returned level's defaults (and the rest with
// includefield=all), the included fields of those levels, the matched attributes and the path's
// UIDs, and the aggregates asked for.
func (a *API) writeResult(b *bytes.Buffer, req *request, p searchPath, level string, ids resourceIDs, q query, g *group) {
	tables := returnedV1
	if req.v2() {
		tables = returnedV2
	}
	want := map[part10.Tag]bool{}
	wantKeyword := func(k string) {
		if t, ok := part10.TagOf(k); ok {
			want[t] = true
		}
	}
	levelOf := map[part10.Tag]string{}
	for _, lv := range []string{levelStudy, levelSeries, levelInstance} {
		for _, k := range append(append([]string{}, tables[lv].defaults...), tables[lv].others...) {
			if t, ok := part10.TagOf(k); ok {
				levelOf[t] = lv
			}
		}
	}
	for _, lv := range levelsReturned(p) {
		for _, k := range tables[lv].defaults {
			wantKeyword(k)
		}
		if q.includeAll {
			for _, k := range tables[lv].others {
				wantKeyword(k)
			}
		}
	}
	for _, t := range q.include {
		if lv, ok := levelOf[t]; ok && slices.Contains(levelsReturned(p), lv) {
			want[t] = true
		} else if level == levelInstance {
			want[t] = true // other attributes of an instance come from its stored dataset
		}
		if (t == tagStudyInstances && level == levelStudy) || (t == tagSeriesInstances && level == levelSeries) ||
			(t == tagModalitiesInStudy && level == levelStudy) {
			want[t] = true
		}
	}
	for _, c := range q.conds {
		wantKeyword(c.keyword)
	}
	if ids.study != "" {
		want[part10.TagStudyUID] = true
	}
	if ids.series != "" {
		want[part10.TagSeriesUID] = true
	}
	tags := make([]part10.Tag, 0, len(want))
	for t := range want {
		tags = append(tags, t)
	}
	slices.SortFunc(tags, func(x, y part10.Tag) int {
		return int(uint32(x.Group)<<16|uint32(x.Element)) - int(uint32(y.Group)<<16|uint32(y.Element))
	})
	in := g.newest
	b.WriteByte('{')
	first := true
	sep := func() {
		if !first {
			b.WriteByte(',')
		}
		first = false
	}
	for _, t := range tags {
		keyword := part10.Keyword(t)
		switch {
		case t == tagModalitiesInStudy:
			if len(g.modalities) > 0 {
				sep()
				writeStrings(b, t, "CS", g.modalities)
			}
		case t == tagInstanceAvail:
			sep()
			writeStrings(b, t, "CS", []string{"ONLINE"})
		case t == tagStudyInstances || t == tagSeriesInstances:
			sep()
			b.WriteString(`"` + t.Hex() + `":{"vr":"IS","Value":[` + strconv.Itoa(g.count) + `]}`)
		default:
			if v, ok := in.Attributes[keyword]; ok || keyword == "StudyInstanceUID" || keyword == "SeriesInstanceUID" || keyword == "SOPInstanceUID" || keyword == "SOPClassUID" {
				if !ok {
					v = attr(in, keyword)
				}
				sep()
				writeIndexed(b, t, v)
				continue
			}
			if isIndexed(t) {
				continue // absent, or not indexed because it failed validation
			}
			// Sequences and other attributes are read from the stored file.
			if pi := a.parsed.get(in); pi.err == nil {
				if el := pi.file.Get(t); el != nil && !part10.BulkVRs[el.VR] {
					sep()
					part10.WriteElementJSON(b, el, pi.file.BigEndian)
				}
			}
		}
	}
	b.WriteByte('}')
}

// writeIndexed writes an indexed (string) attribute with its dictionary VR.
func writeIndexed(b *bytes.Buffer, t part10.Tag, v string) {
	vr := part10.VROf(t)
	switch vr {
	case "US", "UL", "SS", "SL":
		if v == "" {
			b.WriteString(`"` + t.Hex() + `":{"vr":"` + vr + `"}`)
			return
		}
		b.WriteString(`"` + t.Hex() + `":{"vr":"` + vr + `","Value":[` + v + `]}`)
		return
	}
	el := part10.Element{Tag: t, VR: vr, Value: []byte(v)}
	part10.WriteElementJSON(b, &el, false)
}

func writeStrings(b *bytes.Buffer, t part10.Tag, vr string, vs []string) {
	enc, _ := json.Marshal(vs)
	b.WriteString(`"` + t.Hex() + `":{"vr":"` + vr + `","Value":`)
	b.Write(enc)
	b.WriteByte('}')
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
		body = []byte(`{}`)
	}
	_, _ = w.Write(body)
}

func itoa(n int) string { return strconv.Itoa(n) }
