package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"
)

// dicomRuleBehaviours check the DICOM service's conformance statement (v1 and v2): the WADO-RS
// Accept table, frames, rendered, metadata caching, STOW-RS validation, QIDO-RS rules, the change
// feed, API versions and the 401 challenge. Each is written from the statement, so it runs on a
// real DICOM service too.
var dicomRuleBehaviours = []behaviour{
	{"dicom/wado-accept-table", NeedDICOMService, dicomWADOAccept},
	{"dicom/frames-and-rendered", NeedDICOMService, dicomFramesRendered},
	{"dicom/metadata-etag", NeedDICOMService, dicomMetadataETag},
	{"dicom/stow-validation-v1-v2", NeedDICOMService, dicomStoreValidation},
	{"dicom/qido-rules", NeedDICOMService, dicomQIDORules},
	{"dicom/changefeed-v1-v2", NeedDICOMService, dicomChangeFeed},
	{"dicom/api-versions", NeedDICOMService, dicomAPIVersions},
	{"dicom-auth/challenge-error-description", NeedDICOMService, dicomChallengeError},
}

// storedStudy stores a generated file on v2 (200 expected) and deletes its study afterwards.
func (c *Case) storedStudy(tok string, spec fileSpec) study {
	c.t.Helper()
	st, file := part10Of(spec)
	if a := c.store(tok, file); a.Status != http.StatusOK {
		c.Fatalf("STOW-RS: got %d, want 200: %s", a.Status, a.Body)
	}
	c.deleteAfter(tok, st.StudyUID)
	return st
}

func (c *Case) deleteAfter(tok, studyUID string) {
	c.Cleanup("study "+studyUID, func(ctx context.Context) error {
		a, err := c.tgt().doDICOM(ctx, http.MethodDelete, pathStudies+"/"+studyUID, "", nil, tok)
		if err == nil && a.Status/100 != 2 && a.Status != http.StatusNotFound {
			err = fmt.Errorf("delete study: %d %s", a.Status, a.Body)
		}
		return err
	})
}

// get sends a GET with an Accept header (and more headers as name, value pairs).
func (c *Case) get(tok, path, accept string, more ...string) dicomAnswer {
	c.t.Helper()
	h := http.Header{}
	if accept != "" {
		h.Set("Accept", accept)
	}
	for i := 0; i+1 < len(more); i += 2 {
		h.Set(more[i], more[i+1])
	}
	a, err := c.tgt().doDICOMWith(c.ctx, http.MethodGet, path, h, nil, tok)
	c.must(err, "DICOM request")
	return a
}

func instancePath(st study) string {
	return pathStudies + "/" + st.StudyUID + "/series/" + st.SeriesUID + "/instances/" + st.InstanceUID
}

// partsOf splits a multipart/related answer into its part bodies and reports the type parameter.
func partsOf(a dicomAnswer) (string, [][]byte, error) {
	mt, params, err := mime.ParseMediaType(a.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/related" {
		return "", nil, fmt.Errorf("content type %q is not multipart/related", a.Header.Get("Content-Type"))
	}
	var out [][]byte
	delim := []byte("--" + params["boundary"])
	for _, chunk := range bytes.Split(a.Body, delim)[1:] {
		if bytes.HasPrefix(chunk, []byte("--")) {
			break
		}
		_, body, ok := bytes.Cut(chunk, []byte("\r\n\r\n"))
		if !ok {
			return "", nil, fmt.Errorf("a part without headers")
		}
		out = append(out, bytes.TrimSuffix(body, []byte("\r\n")))
	}
	return strings.Trim(params["type"], `"`), out, nil
}

func isPart10(b []byte) bool { return len(b) > 132 && string(b[128:132]) == "DICM" }

func dicomWADOAccept(c *Case) {
	_, tok := roleToken(c, roleDICOMDataOwner)
	st := c.storedStudy(tok, fileSpec{patientID: truncate(c.prefix, 64), studyDate: "20240101"})
	if a := c.get(tok, instancePath(st), "application/dicom"); a.Status != http.StatusOK || !isPart10(a.Body) {
		c.Errorf("instance as application/dicom: got %d (%d bytes), want 200 and a Part 10 file", a.Status, len(a.Body))
	}
	// OHIF's dicomweb-client asks for a single instance in multipart/related.
	a := c.get(tok, instancePath(st), `multipart/related; type="application/dicom"; transfer-syntax=*`)
	if typ, parts, err := partsOf(a); a.Status != http.StatusOK || err != nil || typ != "application/dicom" || len(parts) != 1 || !isPart10(parts[0]) {
		c.Errorf("instance as multipart/related: got %d, %v, type %q", a.Status, err, typ)
	}
	a = c.get(tok, pathStudies+"/"+st.StudyUID, `multipart/related; type="application/dicom"`)
	if _, parts, err := partsOf(a); a.Status != http.StatusOK || err != nil || len(parts) != 1 {
		c.Errorf("study as multipart/related: got %d, %v", a.Status, err)
	}
	for what, accept := range map[string]string{
		"a study as one application/dicom":      "application/dicom",
		"a transfer syntax the table lacks":     "application/dicom; transfer-syntax=1.2.840.10008.1.2.4.50",
		"dicom+json for a retrieve":             mediaDICOMJSON,
		"multipart/related with no type at all": "multipart/related",
	} {
		path := instancePath(st)
		if strings.HasPrefix(what, "a study") {
			path = pathStudies + "/" + st.StudyUID
		}
		if a := c.get(tok, path, accept); a.Status != http.StatusNotAcceptable {
			c.Errorf("%s (%s): got %d, want 406: %s", what, accept, a.Status, a.Body)
		}
	}
}

func dicomFramesRendered(c *Case) {
	_, tok := roleToken(c, roleDICOMDataOwner)
	st := c.storedStudy(tok, fileSpec{patientID: truncate(c.prefix, 64), studyDate: "20240101"})
	a := c.get(tok, instancePath(st)+"/frames/1", `multipart/related; type="application/octet-stream"`)
	if typ, parts, err := partsOf(a); a.Status != http.StatusOK || err != nil || typ != "application/octet-stream" || len(parts) != 1 || !bytes.Equal(parts[0], pixels2x2) {
		c.Errorf("frames/1: got %d, %v, type %q, parts %v", a.Status, err, typ, parts)
	}
	if a := c.get(tok, instancePath(st)+"/frames/2", `multipart/related; type="application/octet-stream"`); a.Status != http.StatusNotFound {
		c.Errorf("frames/2 of a one-frame instance: got %d, want 404", a.Status)
	}
	if a := c.get(tok, instancePath(st)+"/frames/0", `multipart/related; type="application/octet-stream"`); a.Status != http.StatusBadRequest {
		c.Errorf("frames/0: got %d, want 400", a.Status)
	}
	for accept, magic := range map[string][]byte{"": {0xff, 0xd8}, "image/jpeg": {0xff, 0xd8}, "image/png": []byte("\x89PNG")} {
		a := c.get(tok, instancePath(st)+"/rendered", accept)
		if a.Status != http.StatusOK || !bytes.HasPrefix(a.Body, magic) {
			c.Errorf("rendered with Accept %q: got %d %q", accept, a.Status, a.Header.Get("Content-Type"))
		}
	}
	if a := c.get(tok, instancePath(st)+"/frames/1/rendered?quality=50", "image/jpeg"); a.Status != http.StatusOK {
		c.Errorf("frame 1 rendered at quality 50: got %d", a.Status)
	}
	if a := c.get(tok, instancePath(st)+"/rendered", "image/gif"); a.Status != http.StatusNotAcceptable {
		c.Errorf("rendered as image/gif: got %d, want 406", a.Status)
	}
}

func dicomMetadataETag(c *Case) {
	_, tok := roleToken(c, roleDICOMDataOwner)
	st := c.storedStudy(tok, fileSpec{patientID: truncate(c.prefix, 64), studyDate: "20240101"})
	a := c.get(tok, pathStudies+"/"+st.StudyUID+"/metadata", mediaDICOMJSON)
	etag := a.Header.Get("ETag")
	var meta []map[string]any
	if a.Status != http.StatusOK || etag == "" || json.Unmarshal(a.Body, &meta) != nil || len(meta) != 1 {
		c.Fatalf("study metadata: got %d, ETag %q: %s", a.Status, etag, a.Body)
	}
	if _, ok := meta[0]["7FE00010"]; ok {
		c.Errorf("metadata holds PixelData (an OB/OW attribute the statement leaves out)")
	}
	if a := c.get(tok, pathStudies+"/"+st.StudyUID+"/metadata", mediaDICOMJSON, "If-None-Match", etag); a.Status != http.StatusNotModified || len(a.Body) != 0 {
		c.Errorf("metadata with If-None-Match of its ETag: got %d (%d bytes), want 304 and no body", a.Status, len(a.Body))
	}
}

// failureReasons reads the FailureReason of every FailedSOPSequence item.
func failureReasons(body []byte) []float64 {
	var ans map[string]struct {
		Value []map[string]struct {
			Value []any `json:"Value"`
		} `json:"Value"`
	}
	_ = json.Unmarshal(body, &ans)
	var out []float64
	for _, item := range ans["00081198"].Value {
		for _, v := range item["00081197"].Value {
			if f, ok := v.(float64); ok {
				out = append(out, f)
			}
		}
	}
	return out
}

func dicomStoreValidation(c *Case) {
	_, tok := roleToken(c, roleDICOMDataOwner)
	pid := truncate(c.prefix, 64)
	st, file := part10Of(fileSpec{noPatientID: true, studyDate: "20240101"})
	if a := c.store(tok, file); a.Status != http.StatusConflict || fmt.Sprint(failureReasons(a.Body)) != "[43264]" {
		c.Errorf("store without PatientID: got %d %v, want 409 with 43264: %s", a.Status, failureReasons(a.Body), a.Body)
	}
	c.deleteAfter(tok, st.StudyUID)
	st, file = part10Of(fileSpec{patientID: pid, studyDate: "NotADate"})
	c.deleteAfter(tok, st.StudyUID)
	if a := c.storeAt(tok, "/v1/studies", file); a.Status != http.StatusConflict || fmt.Sprint(failureReasons(a.Body)) != "[43264]" {
		c.Errorf("v1 store of an invalid StudyDate: got %d, want 409 with 43264: %s", a.Status, a.Body)
	}
	a := c.store(tok, file)
	if a.Status != http.StatusAccepted || !strings.Contains(string(a.Body), `"00081196"`) || !strings.Contains(string(a.Body), `"00741048"`) {
		c.Errorf("v2 store of an invalid StudyDate: got %d, want 202 with WarningReason and FailedAttributesSequence: %s", a.Status, a.Body)
	}
	if strings.Contains(string(a.Body), `"00081190":{"vr":"UR","Value":["`+strings.TrimSuffix(c.tgt().DICOMURL, "/")+pathStudies+"/"+st.StudyUID+`"]`) {
		c.Errorf("a store to /studies answered the study's RetrieveURL, which the statement gives only when the URL names the study")
	}
	if a := c.store(tok, file); a.Status != http.StatusConflict || fmt.Sprint(failureReasons(a.Body)) != "[45070]" {
		c.Errorf("storing the same instance again: got %d, want 409 with 45070: %s", a.Status, a.Body)
	}
	other, file := part10Of(fileSpec{patientID: pid, studyDate: "20240101"})
	c.deleteAfter(tok, other.StudyUID)
	if a := c.storeAt(tok, pathStudies+"/"+st.StudyUID, file); a.Status != http.StatusConflict || fmt.Sprint(failureReasons(a.Body)) != "[43265]" {
		c.Errorf("storing into another study's URL: got %d, want 409 with 43265: %s", a.Status, a.Body)
	}
	if a := c.storeAt(tok, pathStudies+"/"+other.StudyUID, file); a.Status != http.StatusOK || !strings.Contains(string(a.Body), pathStudies+"/"+other.StudyUID+`"`) {
		c.Errorf("storing into its own study's URL: got %d, want 200 with the study's RetrieveURL: %s", a.Status, a.Body)
	}
	if a := c.dicom(http.MethodPost, pathStudies, "application/json", []byte("{}"), tok); a.Status != http.StatusUnsupportedMediaType {
		c.Errorf("store of application/json: got %d, want 415", a.Status)
	}
}

func dicomQIDORules(c *Case) {
	_, tok := roleToken(c, roleDICOMDataOwner)
	pid := truncate(c.prefix, 64)
	st := c.storedStudy(tok, fileSpec{patientID: pid, studyDate: "20240101"})
	count := func(query string) (int, int) {
		a := c.get(tok, pathStudies+"?PatientID="+pid+query, mediaDICOMJSON)
		var rows []map[string]any
		_ = json.Unmarshal(a.Body, &rows)
		return a.Status, len(rows)
	}
	c.eventually("QIDO finds the stored study", func() error {
		if status, n := count(""); status != http.StatusOK || n != 1 {
			return fmt.Errorf("got %d with %d studies", status, n)
		}
		return nil
	})
	for query, want := range map[string]int{
		"&PatientName=conformance^test":              1, // case-insensitive
		"&PatientName=conf&fuzzymatching=true":       1, // prefix of a name part
		"&PatientName=onformance&fuzzymatching=true": 0, // not a prefix
		"&PatientName=Conformance*":                  0, // no wildcards
		"&StudyDate=20231201-20240131":               1,
		"&StudyDate=20240102-":                       0,
		"&StudyInstanceUID=" + st.StudyUID:           1,
	} {
		status, n := count(query)
		if (want == 0 && status != http.StatusNoContent) || (want > 0 && (status != http.StatusOK || n != want)) {
			c.Errorf("studies?PatientID=…%s: got %d with %d, want %d", query, status, n, want)
		}
	}
	for query, text := range map[string]string{
		"PatientName=": "Invalid QIDO-RS query. AttributeId 'PatientName' has empty string value that is not supported.",
		"Modality=OT":  "Invalid QIDO-RS query. AttributeId Modality is not queryable.",
		"limit=201":    "Invalid QIDO-RS query.  Specified limit value 201 is outside the allowed range of 1..200.",
		"StudyDate=-":  "Invalid QIDO-RS query. Specified Date value '-' is invalid for parameter 'StudyDate'.",
		"patientid=x":  "Invalid QIDO-RS query. Unknown query parameter 'patientid'.",
	} {
		a := c.get(tok, pathStudies+"?"+query, mediaDICOMJSON)
		if a.Status != http.StatusBadRequest || !strings.HasPrefix(string(a.Body), text) {
			c.Errorf("studies?%s: got %d %q, want 400 %q", query, a.Status, a.Body, text)
		}
	}
	a := c.get(tok, pathStudies+"/"+st.StudyUID+"/series?Modality=OT", mediaDICOMJSON)
	if a.Status != http.StatusOK || !strings.Contains(string(a.Body), st.SeriesUID) {
		c.Errorf("study's series by Modality: got %d %s", a.Status, a.Body)
	}
	a = c.get(tok, "/v2/instances?SOPInstanceUID="+st.InstanceUID+"&includefield=all", mediaDICOMJSON)
	if a.Status != http.StatusOK || !strings.Contains(string(a.Body), `"00280010"`) || !strings.Contains(string(a.Body), `"00100020"`) {
		c.Errorf("all instances with includefield=all (Rows and the study's PatientID): got %d %s", a.Status, a.Body)
	}
}

func dicomChangeFeed(c *Case) {
	_, tok := roleToken(c, roleDICOMDataOwner)
	before := time.Now().Add(-time.Hour).UTC()
	if c.tgt().AdvanceClock != nil {
		before = time.Time{} // the mock's clock is not the wall clock: read the whole window
	}
	st := c.storedStudy(tok, fileSpec{patientID: truncate(c.prefix, 64), studyDate: "20240101"})
	a := c.get(tok, "/v2/changefeed/latest", "application/json")
	var latest struct {
		Sequence       int64
		SopInstanceUid string
	}
	if a.Status != http.StatusOK || json.Unmarshal(a.Body, &latest) != nil || latest.Sequence < 1 {
		c.Fatalf("changefeed/latest: got %d %s", a.Status, a.Body)
	}
	window := "/v2/changefeed?limit=200&includeMetadata=false"
	if !before.IsZero() {
		window += "&startTime=" + before.Format(time.RFC3339)
	}
	c.eventually("the v2 change feed window lists the store", func() error {
		a := c.get(tok, window, "application/json")
		if a.Status != http.StatusOK || !strings.Contains(string(a.Body), st.InstanceUID) {
			return fmt.Errorf("got %d without %s", a.Status, st.InstanceUID)
		}
		return nil
	})
	v1 := c.get(tok, fmt.Sprintf("/v1/changefeed?offset=%d&limit=1", latest.Sequence-1), "application/json")
	if v1.Status != http.StatusOK || !strings.Contains(string(v1.Body), fmt.Sprintf(`"Sequence":%d`, latest.Sequence)) {
		c.Errorf("v1 change feed from the latest sequence: got %d %s", v1.Status, v1.Body)
	}
	for path, want := range map[string]int{"/v1/changefeed?limit=101": 400, "/v2/changefeed?limit=201": 400, "/v2/changefeed?limit=200": 200} {
		if a := c.get(tok, path, "application/json"); a.Status != want {
			c.Errorf("%s: got %d, want %d", path, a.Status, want)
		}
	}
}

func dicomAPIVersions(c *Case) {
	_, tok := roleToken(c, roleDICOMDataOwner)
	for _, v := range []string{"v1.0-prerelease", "v1", "v2"} {
		a := c.get(tok, "/"+v+"/studies?limit=1", mediaDICOMJSON)
		if a.Status != http.StatusOK && a.Status != http.StatusNoContent {
			c.Errorf("%s search: got %d, want 200 or 204", v, a.Status)
		}
		if got := a.Header.Get("api-supported-versions"); !strings.Contains(got, "1") || !strings.Contains(got, "2") {
			c.Errorf("%s: api-supported-versions %q does not list 1 and 2", v, got)
		}
	}
}

func dicomChallengeError(c *Case) {
	a := c.search("")
	if a.Status != http.StatusUnauthorized || len(a.Body) != 0 {
		c.Errorf("no token: got %d with %d bytes, want 401 with an empty body", a.Status, len(a.Body))
	}
	_, tok := roleToken(c, roleDICOMDataOwner)
	parts := strings.Split(tok, ".")
	forged := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	a = c.search(forged)
	_, params, err := parseChallenge(a.Challenge)
	if a.Status != http.StatusUnauthorized || err != nil || params["error"] != "invalid_token" || params["error_description"] == "" || len(a.Body) != 0 {
		c.Errorf("forged signature: got %d, challenge %q, %d body bytes; want 401, error=invalid_token with an error_description, no body", a.Status, a.Challenge, len(a.Body))
	}
}
