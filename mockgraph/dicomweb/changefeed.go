package dicomweb

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/tenant"
)

// Change feed paging limits (v1 default 10, v2 default 100; both at most 200).
const (
	changeFeedDefaultV1 = 10
	changeFeedDefaultV2 = 100
	changeFeedMax       = 200
)

func (a *API) changeFeed(w http.ResponseWriter, r *http.Request, req *request) {
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "The change feed is read with GET.")
		return
	}
	includeMetadata := !strings.EqualFold(r.URL.Query().Get("includeMetadata"), "false")
	if len(req.segments) == 2 && req.segments[1] == "latest" {
		var (
			e  tenant.ChangeFeedEntry
			ok bool
		)
		_ = a.cfg.Store.View(func(d *tenant.Directory) error { e, ok = d.LatestChange(req.service.HostName()); return nil })
		if !ok {
			writeDICOMJSONAs(w, map[string]any{})
			return
		}
		writeDICOMJSONAs(w, a.changeJSON(req, e, includeMetadata))
		return
	}
	if len(req.segments) != 1 {
		writeError(w, http.StatusNotFound, "Unknown change feed resource.")
		return
	}
	limit := changeFeedDefaultV2
	if req.version == "v1" {
		limit = changeFeedDefaultV1
	}
	var offset int64
	for name, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		switch name {
		case "offset":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				writeError(w, http.StatusBadRequest, "The value of query parameter 'offset' is invalid.")
				return
			}
			offset = n
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > changeFeedMax {
				writeError(w, http.StatusBadRequest, "The value of query parameter 'limit' is invalid (1..%d).", changeFeedMax)
				return
			}
			limit = n
		case "includeMetadata", "startTime", "endTime":
		default:
			writeError(w, http.StatusBadRequest, "The query parameter '%s' is invalid.", name)
			return
		}
	}
	var rows []tenant.ChangeFeedEntry
	_ = a.cfg.Store.View(func(d *tenant.Directory) error {
		rows = d.ChangeFeed(req.service.HostName(), offset, limit)
		return nil
	})
	out := make([]map[string]any, 0, len(rows))
	for _, e := range rows {
		out = append(out, a.changeJSON(req, e, includeMetadata))
	}
	writeDICOMJSONAs(w, out)
}

// changeJSON is one change feed row as the service writes it.
func (a *API) changeJSON(req *request, e tenant.ChangeFeedEntry, includeMetadata bool) map[string]any {
	row := map[string]any{
		"Sequence": e.Sequence, "StudyInstanceUid": e.StudyInstanceUID, "SeriesInstanceUid": e.SeriesInstanceUID,
		"SopInstanceUid": e.SOPInstanceUID, "Action": e.Action, "Timestamp": e.Timestamp.UTC().Format(time.RFC3339Nano),
		"State": e.State, "Metadata": nil,
	}
	if includeMetadata && e.State == "Current" {
		_ = a.cfg.Store.View(func(d *tenant.Directory) error {
			if in := d.DicomInstance(req.service.HostName(), e.SOPInstanceUID); in != nil {
				row["Metadata"] = datasetJSON(in, allKeywords())
			}
			return nil
		})
	}
	return row
}

// writeDICOMJSONAs answers 200 with JSON (the change feed is application/json).
func writeDICOMJSONAs(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", mediaJSON)
	writeJSONBody(w, v)
}
