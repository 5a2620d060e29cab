package dicomweb

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/part10"
)

func badDate(in part10.Instance) part10.Instance {
	in.StudyDate = "NotADate"
	return in
}

func TestStoreValidationV1AndV2(t *testing.T) {
	owner := func(f *fixture) string { return f.token(t, ownerOID, nil) }
	noPatient := instance
	noPatient.NoPatientID = true
	other := instance
	other.SOPInstanceUID += ".5"
	cases := []struct {
		name, version string
		files         []part10.Instance
		status        int
		contains      []string
		absent        []string
	}{
		{"required attribute missing: 409 43264", "v2", []part10.Instance{noPatient}, 409, []string{`[43264]`, "The required tag 'PatientID' is missing."}, []string{"00081190\":{\"vr\":\"UR\",\"Value\":[\"https"}},
		{"v2 stores an invalid date with a warning", "v2", []part10.Instance{badDate(instance)}, 202, []string{`"00081196":{"Value":[1],"vr":"US"}`, `DICOM100: (0008,0020) - Content \"NotADate\" does not validate VR DA`}, []string{"00081198"}},
		{"v1 refuses an invalid searchable attribute", "v1", []part10.Instance{badDate(instance)}, 409, []string{`[43264]`}, []string{"00081199"}},
		{"one good one bad: 202", "v2", []part10.Instance{noPatient, other}, 202, []string{"00081198", "00081199"}, nil},
		{"no study RetrieveURL without a study in the URL", "v2", []part10.Instance{instance}, 200, []string{"/instances/" + instance.SOPInstanceUID}, []string{`"00081190":{"vr":"UR","Value":["https://127.0.0.1`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			var files [][]byte
			for _, in := range tc.files {
				files = append(files, part10.Build(in))
			}
			ct, body := multipartBody(files...)
			resp, out := f.do(t, http.MethodPost, "/"+tc.version+"/studies", owner(f), ct, body, "")
			if resp.StatusCode != tc.status {
				t.Fatalf("%d %s", resp.StatusCode, out)
			}
			for _, s := range tc.contains {
				if !strings.Contains(string(out), s) {
					t.Errorf("answer lacks %s: %s", s, out)
				}
			}
			for _, s := range tc.absent {
				if strings.HasPrefix(string(out), "{"+s) || strings.Contains(string(out), s) && !strings.Contains(s, "Value\":[\"https") {
					t.Errorf("answer has %s: %s", s, out)
				}
			}
		})
	}
	// A study URL: the study's RetrieveURL when something was stored; 43265 for another study.
	f := newFixture(t)
	stranger := instance
	stranger.StudyInstanceUID, stranger.SOPInstanceUID = "1.2.826.0.1.9", "1.2.826.0.1.9.1.1"
	ct, body := multipartBody(part10.Build(instance), part10.Build(stranger))
	resp, out := f.do(t, http.MethodPost, "/v2/studies/"+instance.StudyInstanceUID, owner(f), ct, body, "")
	var ans map[string]map[string]any
	if resp.StatusCode != 202 || json.Unmarshal(out, &ans) != nil || !strings.HasSuffix(ans["00081190"]["Value"].([]any)[0].(string), "/v2/studies/"+instance.StudyInstanceUID) ||
		!strings.Contains(string(out), "[43265]") {
		t.Fatalf("study URL: %d %s", resp.StatusCode, out)
	}
	// Stored again: 409 with 45070 and no study RetrieveURL.
	ct, body = multipartBody(part10.Build(instance))
	resp, out = f.do(t, http.MethodPost, "/v2/studies/"+instance.StudyInstanceUID, owner(f), ct, body, "")
	if resp.StatusCode != 409 || !strings.Contains(string(out), "[45070]") || strings.Contains(string(out), `"00081190"`) {
		t.Fatalf("again: %d %s", resp.StatusCode, out)
	}
	// Invalid searchable attributes are not indexed on v2 (the instance is found by its UID only).
	bad := badDate(instance)
	bad.StudyInstanceUID, bad.SOPInstanceUID = "1.2.826.0.1.8", "1.2.826.0.1.8.1.1"
	ct, body = multipartBody(part10.Build(bad))
	f.do(t, http.MethodPost, "/v2/studies", owner(f), ct, body, "")
	if resp, out := f.do(t, http.MethodGet, "/v2/studies?StudyInstanceUID=1.2.826.0.1.8&includefield=StudyDate", owner(f), "", nil, ""); resp.StatusCode != 200 || strings.Contains(string(out), "NotADate") {
		t.Fatalf("search: %d %s", resp.StatusCode, out)
	}
	if resp, out := f.do(t, http.MethodPost, "/v2/studies", owner(f), "application/json", []byte("{}"), ""); resp.StatusCode != 415 ||
		string(out) != "The specified content type 'application/json' is not supported." {
		t.Fatalf("415: %d %q", resp.StatusCode, out)
	}
	if resp, _ := f.do(t, http.MethodPost, "/v2/studies", owner(f), "application/dicom", nil, ""); resp.StatusCode != 204 {
		t.Fatalf("empty: %d", resp.StatusCode)
	}
}

func TestSearchRules(t *testing.T) {
	f := newFixture(t)
	owner := f.token(t, ownerOID, nil)
	older := instance
	older.PatientName, older.Modality = "Müller^Hans", "CT"
	older.AccessionNumber = `ACC-1\ACC-2` // only the first value of a single-valued attribute is indexed
	newer := part10.Instance{StudyInstanceUID: "1.2.826.0.2", SeriesInstanceUID: "1.2.826.0.2.1", SOPInstanceUID: "1.2.826.0.2.1.1",
		PatientID: "PAT-8", PatientName: "John^Doe", StudyDate: "20260401", Modality: "MR"}
	f.storeOK(t, part10.Build(older))
	f.clock.Advance(time.Minute)
	f.storeOK(t, part10.Build(newer))
	studies := func(query string) (int, []map[string]map[string]any, string) {
		resp, out := f.do(t, http.MethodGet, "/v2/studies?"+query, owner, "", nil, "")
		var got []map[string]map[string]any
		_ = json.Unmarshal(out, &got)
		return resp.StatusCode, got, string(out)
	}
	count := map[string]int{
		"":                                       2,
		"PatientName=mueller^hans":               0,
		"PatientName=muller^hans":                1, // accent- and case-insensitive
		"PatientName=jo%20do&fuzzymatching=true": 1,
		"PatientName=ohn&fuzzymatching=true":     0,
		"PatientName=John":                       0, // exact without fuzzymatching
		"StudyDate=20260301-20260331":            1,
		"StudyDate=-20260501":                    2,
		"ModalitiesInStudy=ct":                   1,
		"00100020=PAT-8":                         1,
		"AccessionNumber=ACC-1":                  1,
		"AccessionNumber=ACC-2":                  0,
		"limit=1&offset=1":                       1,
		"offset=2":                               0,
	}
	for q, want := range count {
		status, got, body := studies(q)
		if (want == 0 && status != 204) || (want > 0 && (status != 200 || len(got) != want)) {
			t.Errorf("%q: %d %d results, want %d: %s", q, status, len(got), want, body)
		}
	}
	if _, got, _ := studies(""); got[0]["0020000D"]["Value"].([]any)[0] != newer.StudyInstanceUID {
		t.Errorf("not newest first: %v", got[0]["0020000D"])
	}
	_, got, body := studies("StudyInstanceUID=" + newer.StudyInstanceUID + "&includefield=NumberOfStudyRelatedInstances&includefield=00080061")
	if len(got) != 1 || got[0]["00201208"]["Value"].([]any)[0] != 1.0 || got[0]["00080061"]["Value"].([]any)[0] != "MR" {
		t.Errorf("includefield aggregates: %s", body)
	}
	if _, ok := got[0]["00080060"]; ok {
		t.Errorf("a study answer has Modality: %s", body)
	}
	_, got, body = studies("includefield=all&limit=1")
	if _, ok := got[0]["00080005"]; ok || got[0]["00080056"]["Value"].([]any)[0] != "ONLINE" {
		t.Errorf("includefield=all: %s", body)
	}
	bad := map[string]string{
		"PatientName=":                "Invalid QIDO-RS query. AttributeId 'PatientName' has empty string value that is not supported.",
		"Modality=CT":                 "Invalid QIDO-RS query. AttributeId Modality is not queryable.  If the parameter is an attribute keyword, check the casing as they are case-sensitive. The conformance statement has a list of supported query parameters, attributes and the levels.",
		"patientname=x":               "Invalid QIDO-RS query. Unknown query parameter 'patientname'. If the parameter is an attribute keyword, check the casing as they are case-sensitive. The conformance statement has a list of supported query parameters, attributes and the levels.",
		"limit=201":                   "Invalid QIDO-RS query.  Specified limit value 201 is outside the allowed range of 1..200.",
		"limit=x":                     "Invalid QIDO-RS query. Specified limit value 'x' is not a valid integer.",
		"StudyDate=-":                 "Invalid QIDO-RS query. Specified Date value '-' is invalid for parameter 'StudyDate'. Date should be valid and formatted as yyyyMMdd.",
		"StudyDate=20260102-20260101": "Invalid QIDO-RS query. Specified date range '20260102-20260101' is invalid.\nThe first part date 20260102 should be lesser than or equal to the second part date 20260101.",
		"includefield=Nope":           "Invalid QIDO-RS query. IncludeField has unknown attribute 'Nope'.",
		"PatientID=1&PatientID=2":     "Invalid QIDO-RS query. Duplicate AttributeId 'PatientID', Each attribute is allowed to be specified once.",
	}
	for q, want := range bad {
		resp, out := f.do(t, http.MethodGet, "/v2/studies?"+q, owner, "", nil, "")
		if resp.StatusCode != 400 || string(out) != want || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("%q: %d %q", q, resp.StatusCode, out)
		}
	}
	// Series of a study: series attributes only; study attributes are not queryable there.
	if resp, out := f.do(t, http.MethodGet, "/v2/studies/"+newer.StudyInstanceUID+"/series?Modality=MR", owner, "", nil, ""); resp.StatusCode != 200 ||
		!strings.Contains(string(out), newer.SeriesInstanceUID) {
		t.Errorf("study's series: %d %s", resp.StatusCode, out)
	}
	if resp, _ := f.do(t, http.MethodGet, "/v2/studies/"+newer.StudyInstanceUID+"/series?PatientID=PAT-8", owner, "", nil, ""); resp.StatusCode != 400 {
		t.Errorf("study attribute on a study's series: %d", resp.StatusCode)
	}
	// All instances return study, series and instance attributes.
	if resp, out := f.do(t, http.MethodGet, "/v2/instances?SOPInstanceUID="+newer.SOPInstanceUID, owner, "", nil, ""); resp.StatusCode != 200 ||
		!strings.Contains(string(out), `"00100020"`) || !strings.Contains(string(out), `"00080060"`) || !strings.Contains(string(out), `"00080018"`) {
		t.Errorf("all instances: %d %s", resp.StatusCode, out)
	}
	// v1 has no ModalitiesInStudy.
	if resp, _ := f.do(t, http.MethodGet, "/v1/studies?ModalitiesInStudy=CT", owner, "", nil, ""); resp.StatusCode != 400 {
		t.Errorf("v1 ModalitiesInStudy: %d", resp.StatusCode)
	}
}

func TestChangeFeedVersions(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 3; i++ {
		in := instance
		in.SOPInstanceUID += "." + string(rune('1'+i))
		f.storeOK(t, part10.Build(in))
		f.clock.Advance(time.Hour)
	}
	owner := f.token(t, ownerOID, nil)
	feed := func(path string) (int, []map[string]any) {
		resp, out := f.do(t, http.MethodGet, path, owner, "", nil, "")
		var rows []map[string]any
		_ = json.Unmarshal(out, &rows)
		return resp.StatusCode, rows
	}
	start := f.clock.Now().Add(-3 * time.Hour).UTC()
	cases := map[string][]float64{
		"/v1/changefeed?offset=1&limit=1": {2},
		"/v1/changefeed":                  {1, 2, 3},
		"/v2/changefeed?offset=1":         {2, 3},
		"/v2/changefeed?startTime=" + start.Add(time.Hour).Format(time.RFC3339) + "&endTime=" + start.Add(2*time.Hour).Format(time.RFC3339): {2},
		"/v2/changefeed?limit=1&includemetadata=false": {1},
	}
	for path, want := range cases {
		status, rows := feed(path)
		if status != 200 || len(rows) != len(want) {
			t.Errorf("%s: %d %v", path, status, rows)
			continue
		}
		for i, w := range want {
			if rows[i]["Sequence"] != w {
				t.Errorf("%s: row %d sequence %v, want %v", path, i, rows[i]["Sequence"], w)
			}
		}
	}
	if _, rows := feed("/v2/changefeed?limit=1&includeMetadata=false"); len(rows) != 1 || rows[0]["Metadata"] != nil {
		t.Errorf("includeMetadata=false: %v", rows)
	}
	for _, path := range []string{"/v1/changefeed?limit=101", "/v2/changefeed?limit=201", "/v2/changefeed?limit=0", "/v2/changefeed?offset=-1", "/v2/changefeed?startTime=yesterday"} {
		if status, _ := feed(path); status != 400 {
			t.Errorf("%s: %d", path, status)
		}
	}
}

func TestVersionsAndChallenge(t *testing.T) {
	f := newFixture(t)
	for _, v := range []string{"v1.0-prerelease", "v1", "v2"} {
		resp, _ := f.do(t, http.MethodGet, "/"+v+"/studies", f.token(t, ownerOID, nil), "", nil, "")
		if resp.StatusCode != 204 || resp.Header.Get("api-supported-versions") != "1, 2" || resp.Header.Get("api-deprecated-versions") != "1.0-prerelease" {
			t.Errorf("%s: %d %v", v, resp.StatusCode, resp.Header)
		}
	}
	if resp, _ := f.do(t, http.MethodGet, "/v3/studies", f.token(t, ownerOID, nil), "", nil, ""); resp.StatusCode != 400 {
		t.Errorf("v3: %d", resp.StatusCode)
	}
	resp, out := f.do(t, http.MethodGet, "/v2/studies", f.token(t, ownerOID, func(c map[string]any) { c["aud"] = "https://graph.microsoft.com" }), "", nil, "")
	if ch := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != 401 || len(out) != 0 ||
		!strings.Contains(ch, `error="invalid_token", error_description="The audience 'https://graph.microsoft.com' is invalid"`) {
		t.Errorf("401: %d %q %q", resp.StatusCode, ch, out)
	}
	resp, out = f.do(t, http.MethodGet, "/v2/studies", f.token(t, nobodyOID, nil), "", nil, "")
	if resp.StatusCode != 403 || string(out) != "Authorization failed." {
		t.Errorf("403: %d %q", resp.StatusCode, out)
	}
}
