package dicomweb

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// Change feed paging (change-feed-overview.md): v1 reads sequence numbers after offset, up to
// offset+limit (default 10, at most 100); v2 skips offset rows of the [startTime, endTime)
// window (default 100, at most 200).
const (
	changeFeedDefaultV1 = 10
	changeFeedMaxV1     = 100
	changeFeedDefaultV2 = 100
	changeFeedMaxV2     = 200
)

// feedQuery is a parsed change feed request.
type feedQuery struct {
	offset          int64
	limit           int
	start, end      time.Time
	window          bool
	includeMetadata bool
}

// parseFeedQuery reads the parameters; ASP.NET binds query names case-insensitively and ignores
// unknown ones.
func parseFeedQuery(r *http.Request, v2 bool) (feedQuery, string) {
	q := feedQuery{limit: changeFeedDefaultV1, includeMetadata: true}
	max := changeFeedMaxV1
	if v2 {
		q.limit, max = changeFeedDefaultV2, changeFeedMaxV2
	}
	for name, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		bad := false
		switch strings.ToLower(name) {
		case "offset":
			n, err := strconv.ParseInt(v, 10, 64)
			bad, q.offset = err != nil || n < 0, n
		case "limit":
			n, err := strconv.Atoi(v)
			bad, q.limit = err != nil || n < 1 || n > max, n
		case "includemetadata":
			b, err := strconv.ParseBool(v)
			bad, q.includeMetadata = err != nil, b
		case "starttime", "endtime":
			if !v2 {
				continue
			}
			t, err := time.Parse(time.RFC3339Nano, v)
			bad = err != nil
			if strings.EqualFold(name, "starttime") {
				q.start = t
			} else {
				q.end = t
			}
			q.window = true
		default:
			continue
		}
		if bad {
			return q, sprintf(msgInvalidQueryValue, name)
		}
	}
	if q.window && !q.end.IsZero() && !q.start.Before(q.end) {
		return q, sprintf(msgInvalidQueryValue, "endTime")
	}
	return q, ""
}

func (a *API) changeFeed(w http.ResponseWriter, r *http.Request, req *request) {
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "The method %s is not allowed here.", r.Method)
		return
	}
	q, bad := parseFeedQuery(r, req.v2())
	if bad != "" {
		writeError(w, http.StatusBadRequest, "%s", bad)
		return
	}
	service := req.service.HostName()
	if len(req.segments) == 2 && req.segments[1] == "latest" {
		_, latest, ok := a.changesOf(service, 0, 0)
		if !ok {
			writeFeed(w, nil)
			return
		}
		writeFeed(w, a.changeJSON(service, latest, q.includeMetadata))
		return
	}
	if len(req.segments) != 1 {
		writeError(w, http.StatusNotFound, "The requested resource '%s' was not found.", strings.Join(req.segments, "/"))
		return
	}
	var rows []tenant.ChangeFeedEntry
	if req.v2() {
		all, _, _ := a.changesOf(service, 0, -1)
		skipped := int64(0)
		for _, e := range all {
			if (!q.start.IsZero() && e.Timestamp.Before(q.start)) || (!q.end.IsZero() && !e.Timestamp.Before(q.end)) {
				continue
			}
			if skipped < q.offset {
				skipped++
				continue
			}
			if rows = append(rows, e); len(rows) == q.limit {
				break
			}
		}
	} else {
		all, _, _ := a.changesOf(service, q.offset, -1)
		for _, e := range all {
			if e.Sequence > q.offset+int64(q.limit) {
				break
			}
			rows = append(rows, e)
		}
	}
	out := make([]json.RawMessage, 0, len(rows))
	for _, e := range rows {
		out = append(out, a.changeJSON(service, e, q.includeMetadata))
	}
	writeFeed(w, out)
}

// changeJSON is one change feed row as the service writes it (enum values in lower case, as the
// overview's examples show; Metadata null unless the instance is current).
func (a *API) changeJSON(service string, e tenant.ChangeFeedEntry, includeMetadata bool) json.RawMessage {
	var meta json.RawMessage = []byte("null")
	if includeMetadata && e.State == "Current" {
		if in := a.currentInstance(service, e.SOPInstanceUID); in != nil {
			if p := a.parsed.get(in); p.err == nil {
				meta = p.meta
			}
		}
	}
	row := struct {
		Sequence          int64           `json:"Sequence"`
		StudyInstanceUID  string          `json:"StudyInstanceUid"`
		SeriesInstanceUID string          `json:"SeriesInstanceUid"`
		SOPInstanceUID    string          `json:"SopInstanceUid"`
		Action            string          `json:"Action"`
		Timestamp         string          `json:"Timestamp"`
		State             string          `json:"State"`
		Metadata          json.RawMessage `json:"Metadata"`
	}{e.Sequence, e.StudyInstanceUID, e.SeriesInstanceUID, e.SOPInstanceUID, strings.ToLower(e.Action),
		e.Timestamp.UTC().Format(time.RFC3339Nano), strings.ToLower(e.State), meta}
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(row)
	return bytes.TrimSpace(b.Bytes())
}

// writeFeed answers 200 with application/json (the change feed is not DICOM JSON).
func writeFeed(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", mediaJSON)
	if v == nil {
		_, _ = w.Write([]byte("{}"))
		return
	}
	writeJSONBody(w, v)
}
