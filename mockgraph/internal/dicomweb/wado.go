package dicomweb

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/part10"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// attrTransferSyntax is where the stored file's transfer syntax is kept beside the indexed
// attributes, so a retrieve in the stored syntax needs no parse.
const attrTransferSyntax = "TransferSyntaxUID"

// notFound answers 404 with the text for the deepest id the path names.
func notFound(w http.ResponseWriter, ids resourceIDs) {
	msg := msgStudyNotFound
	switch {
	case ids.sop != "":
		msg = msgInstanceNotFound
	case ids.series != "":
		msg = msgSeriesNotFound
	}
	writeError(w, http.StatusNotFound, "%s", msg)
}

// encoded returns an instance's file in transfer syntax ts (anySyntax: as stored), transcoding
// between the uncompressed syntaxes; part10.ErrTranscode for what the mock cannot produce.
func (a *API) encoded(in *tenant.DicomInstance, ts string) ([]byte, string, error) {
	stored := in.Attributes[attrTransferSyntax]
	if ts == anySyntax || ts == stored {
		return instanceBytes(in), stored, nil
	}
	p := a.parsed.get(in)
	if p.err != nil {
		return nil, "", p.err
	}
	b, err := part10.Encode(p.file, ts)
	return b, ts, err
}

// multipartWriter streams a multipart/related answer.
type multipartWriter struct {
	w        io.Writer
	boundary string
}

func (a *API) startMultipart(w http.ResponseWriter, media string) *multipartWriter {
	m := &multipartWriter{w: w, boundary: "dicomreg-" + a.cfg.Rand.Token(12)}
	w.Header().Set("Content-Type", fmt.Sprintf(`%s; type="%s"; boundary=%s`, mediaMultipart, media, m.boundary))
	w.WriteHeader(http.StatusOK)
	return m
}

func (m *multipartWriter) part(contentType string, body []byte) {
	_, _ = io.WriteString(m.w, "--"+m.boundary+"\r\nContent-Type: "+contentType+"\r\n\r\n")
	_, _ = m.w.Write(body)
	_, _ = io.WriteString(m.w, "\r\n")
}

func (m *multipartWriter) close() { _, _ = io.WriteString(m.w, "--"+m.boundary+"--\r\n") }

// retrieve answers WADO-RS for a study, a series or an instance in the representation the
// Accept header chose (the statement's table), transcoded when asked and possible.
func (a *API) retrieve(w http.ResponseWriter, r *http.Request, req *request, ids resourceIDs) {
	found := a.instancesIn(req.service.HostName(), ids)
	if len(found) == 0 {
		notFound(w, ids)
		return
	}
	kind := kindStudyOrSeries
	if ids.sop != "" {
		kind = kindInstance
	}
	n, ok := negotiate(r.Header.Get("Accept"), kind)
	if !ok {
		writeError(w, http.StatusNotAcceptable, msgNotAcceptable)
		return
	}
	// Every part is encoded before the answer starts, so a transcoding failure is a clean 406.
	bodies := make([][]byte, len(found))
	syntaxes := make([]string, len(found))
	for i, in := range found {
		b, ts, err := a.encoded(in, n.syntax)
		if err != nil {
			writeError(w, http.StatusNotAcceptable, msgUnsupportedTranscoding)
			return
		}
		bodies[i], syntaxes[i] = b, ts
	}
	if !n.multipart {
		w.Header().Set("Content-Type", mediaDICOM+"; transfer-syntax="+syntaxes[0])
		_, _ = w.Write(bodies[0])
		return
	}
	m := a.startMultipart(w, mediaDICOM)
	for i := range bodies {
		m.part(mediaDICOM+"; transfer-syntax="+syntaxes[i], bodies[i])
	}
	m.close()
}

// metadata answers WADO-RS …/metadata: every instance's dataset in DICOM JSON without the bulk
// VRs, with an ETag; If-None-Match with the current ETag is 304 and no body.
func (a *API) metadata(w http.ResponseWriter, r *http.Request, req *request, ids resourceIDs) {
	if !acceptsJSON(r.Header.Get("Accept")) {
		writeError(w, http.StatusNotAcceptable, msgNotAcceptable)
		return
	}
	found := a.instancesIn(req.service.HostName(), ids)
	if len(found) == 0 {
		notFound(w, ids)
		return
	}
	etag := metadataETag(found)
	w.Header().Set("ETag", etag)
	if match := r.Header.Get("If-None-Match"); match != "" && (match == etag || match == "*") {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	var body []byte
	body = append(body, '[')
	first := true
	for _, in := range found {
		p := a.parsed.get(in)
		if p.err != nil {
			continue // stored files all parsed at store time; a file that no longer does is left out
		}
		if !first {
			body = append(body, ',')
		}
		first = false
		body = append(body, p.meta...)
	}
	body = append(body, ']')
	w.Header().Set("Content-Type", mediaDICOMJSON)
	_, _ = w.Write(body)
}

// metadataETag changes whenever an instance of the resource is added, replaced or removed.
func metadataETag(found []*tenant.DicomInstance) string {
	h := fnv.New64a()
	for _, in := range found {
		_, _ = io.WriteString(h, in.SOPInstanceUID)
		_, _ = io.WriteString(h, strconv.FormatInt(in.StoredAt.UnixNano(), 36))
	}
	return fmt.Sprintf(`"%d-%x"`, len(found), h.Sum64())
}

// acceptsJSON: metadata and search answer application/dicom+json (also to */* or no Accept).
func acceptsJSON(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case mediaDICOMJSON, mediaJSON, mediaAny, "application/*":
			return true
		}
	}
	return false
}

// parseFrames reads "1,2,3": at least one frame, every one a positive integer.
func parseFrames(list string) ([]int, bool) {
	var out []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, false
		}
		out = append(out, n)
	}
	return out, len(out) > 0
}

// frames answers WADO-RS …/frames/{list}: native frames as application/octet-stream parts in
// 1.2.840.10008.1.2.1 (or as stored with transfer-syntax=*).
func (a *API) frames(w http.ResponseWriter, r *http.Request, req *request, res resource) {
	list, ok := parseFrames(res.frames)
	if !ok {
		writeError(w, http.StatusBadRequest, msgInvalidFrames)
		return
	}
	found := a.instancesIn(req.service.HostName(), res.ids)
	if len(found) == 0 {
		notFound(w, res.ids)
		return
	}
	n, ok := negotiate(r.Header.Get("Accept"), kindFrames)
	if !ok || (!n.multipart && len(list) != 1) {
		writeError(w, http.StatusNotAcceptable, msgNotAcceptable)
		return
	}
	p := a.parsed.get(found[0])
	if p.err != nil {
		writeError(w, http.StatusNotAcceptable, msgUnsupportedTranscoding)
		return
	}
	out := make([][]byte, len(list))
	syntax := part10.ExplicitVRLittleEndian
	for i, fr := range list {
		b, ts, status, msg := frameBytes(p.file, fr, n)
		if status != 0 {
			writeError(w, status, "%s", msg)
			return
		}
		out[i], syntax = b, ts
	}
	if !n.multipart {
		w.Header().Set("Content-Type", mediaOctetStream)
		_, _ = w.Write(out[0])
		return
	}
	m := a.startMultipart(w, n.media)
	for _, b := range out {
		m.part(n.media+"; transfer-syntax="+syntax, b)
	}
	m.close()
}

// frameBytes is one frame in the negotiated syntax, or the status and text of the refusal.
func frameBytes(f *part10.File, n int, want negotiated) ([]byte, string, int, string) {
	b, _, err := f.Frame(n)
	switch {
	case err == nil:
		if want.media != mediaOctetStream {
			return nil, "", http.StatusNotAcceptable, msgUnsupportedTranscoding
		}
		return b, part10.ExplicitVRLittleEndian, 0, ""
	case errors.Is(err, part10.ErrNoPixelData), errors.Is(err, part10.ErrFrameNotFound):
		return nil, "", http.StatusNotFound, msgFrameNotFound
	case errors.Is(err, part10.ErrTranscode) && (want.syntax == anySyntax || want.syntax == f.TransferSyntax):
		// Compressed pixel data: with one fragment per frame (after the offset table) the frame
		// is returned as stored.
		px := f.Get(part10.TagPixelData)
		im, _ := f.ImageOf()
		if len(px.Fragments) == im.Frames+1 && n <= im.Frames {
			return px.Fragments[n], f.TransferSyntax, 0, ""
		}
		if n > im.Frames {
			return nil, "", http.StatusNotFound, msgFrameNotFound
		}
	}
	return nil, "", http.StatusNotAcceptable, msgUnsupportedTranscoding
}

// delete removes a study, series or instance: 204, or 404 when nothing matched.
func (a *API) delete(w http.ResponseWriter, req *request, ids resourceIDs) {
	found := a.instancesIn(req.service.HostName(), ids)
	if len(found) == 0 {
		notFound(w, ids)
		return
	}
	if err := a.deleteInstances(found, tenant.ChangeFeedEntry{Timestamp: a.cfg.Clock.Now()}); err != nil {
		writeError(w, http.StatusServiceUnavailable, msgDataStoreFailed)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
