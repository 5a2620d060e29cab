package dicomweb

import (
	"bytes"
	"mime"
	"net/http"
	"strings"

	"github.com/dicomreg/dicomreg/mockgraph/tenant"
)

// selected returns the stored instances a path names (a study, a series or one instance).
func (a *API) selected(req *request, ids resourceIDs) []*tenant.DicomInstance {
	var out []*tenant.DicomInstance
	_ = a.cfg.Store.View(func(d *tenant.Directory) error {
		if ids.sop != "" {
			if in := d.DicomInstance(req.service.HostName(), ids.sop); in != nil &&
				(ids.study == "" || in.StudyInstanceUID == ids.study) && (ids.series == "" || in.SeriesInstanceUID == ids.series) {
				out = append(out, in)
			}
			return nil
		}
		for _, in := range instancesOf(d, req.service.HostName(), ids.study) {
			if (ids.study == "" || in.StudyInstanceUID == ids.study) && (ids.series == "" || in.SeriesInstanceUID == ids.series) {
				out = append(out, in)
			}
		}
		return nil
	})
	return out
}

// acceptsDICOM reports whether the Accept header allows application/dicom (any transfer syntax:
// the mock returns files as stored), alone or inside multipart/related.
func acceptsDICOM(accept string, multi bool) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		ts := strings.Trim(params["transfer-syntax"], `"`)
		okTS := ts == "" || ts == "*" || ts == "1.2.840.10008.1.2.1"
		switch {
		case mt == "*/*":
			return true
		case mt == mediaDICOM && okTS:
			return true
		case multi && mt == mediaMultipart && (params["type"] == "" || strings.Trim(params["type"], `"`) == mediaDICOM) && okTS:
			return true
		}
	}
	return false
}

// retrieve answers WADO-RS: one instance as application/dicom, a study or series as
// multipart/related of application/dicom parts.
func (a *API) retrieve(w http.ResponseWriter, r *http.Request, req *request, ids resourceIDs) {
	found := a.selected(req, ids)
	if len(found) == 0 {
		writeError(w, http.StatusNotFound, "The requested DICOM resource was not found.")
		return
	}
	single := ids.sop != ""
	accept := r.Header.Get("Accept")
	if !acceptsDICOM(accept, !single) {
		writeError(w, http.StatusNotAcceptable, "The requested media type '%s' is not supported; ask for application/dicom (transfer-syntax=*).", accept)
		return
	}
	if single && !strings.Contains(accept, mediaMultipart) {
		w.Header().Set("Content-Type", mediaDICOM)
		_, _ = w.Write(found[0].Data)
		return
	}
	boundary := "dicomreg-" + a.cfg.Rand.Token(12)
	var body bytes.Buffer
	for _, in := range found {
		body.WriteString("--" + boundary + "\r\nContent-Type: " + mediaDICOM + "\r\n\r\n")
		body.Write(in.Data)
		body.WriteString("\r\n")
	}
	body.WriteString("--" + boundary + "--\r\n")
	w.Header().Set("Content-Type", `multipart/related; type="application/dicom"; boundary=`+boundary)
	_, _ = w.Write(body.Bytes())
}

// metadata answers WADO-RS …/metadata: the instances' attributes in DICOM JSON.
func (a *API) metadata(w http.ResponseWriter, req *request, ids resourceIDs) {
	found := a.selected(req, ids)
	if len(found) == 0 {
		writeError(w, http.StatusNotFound, "The requested DICOM resource was not found.")
		return
	}
	out := make([]map[string]any, 0, len(found))
	for _, in := range found {
		out = append(out, datasetJSON(in, allKeywords()))
	}
	writeDICOMJSON(w, http.StatusOK, out)
}

// delete removes a study, series or instance: 204, or 404 when nothing matched.
func (a *API) delete(w http.ResponseWriter, req *request, ids resourceIDs) {
	if ids.study == "" {
		writeError(w, http.StatusBadRequest, "Delete names a study: DELETE /studies/{study}[/series/{series}[/instances/{instance}]].")
		return
	}
	found := a.selected(req, ids)
	if len(found) == 0 {
		writeError(w, http.StatusNotFound, "The requested DICOM resource was not found.")
		return
	}
	now := a.cfg.Clock.Now()
	if err := a.cfg.Store.Update(func(d *tenant.Directory) error {
		for _, in := range found {
			d.DeleteDicomInstance(in.Service, in.SOPInstanceUID, tenant.ChangeFeedEntry{Timestamp: now})
		}
		return nil
	}); err != nil {
		writeInternalError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
