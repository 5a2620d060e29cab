package dicomweb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/part10"
	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// STOW-RS failure and warning reasons (conformance statement, "Store failure reason codes").
const (
	failureProcessing      = 272   // general failure in processing (also: the write did not happen)
	failureValidation      = 43264 // the instance failed validation
	failureStudyMismatch   = 43265 // the instance belongs to another study than the URL names
	failureAlreadyExists   = 45070 // the SOP instance is already stored
	warningValidation      = 1     // stored, with validation warnings (v2)
	maxPartsPerStoreCalls  = 1000
	tagErrorCommentHex     = "00000902"
	tagFailedAttributesHex = "00741048"
)

// Tags of the STOW-RS answer.
var (
	tagRetrieveURL       = part10.Tag{Group: 0x0008, Element: 0x1190}
	tagFailedSOPSequence = part10.Tag{Group: 0x0008, Element: 0x1198}
	tagReferencedSOPSeq  = part10.Tag{Group: 0x0008, Element: 0x1199}
	tagRefSOPClassUID    = part10.Tag{Group: 0x0008, Element: 0x1150}
	tagRefSOPInstanceUID = part10.Tag{Group: 0x0008, Element: 0x1155}
	tagFailureReason     = part10.Tag{Group: 0x0008, Element: 0x1197}
	tagWarningReason     = part10.Tag{Group: 0x0008, Element: 0x1196}
)

// errUnsupportedMedia is a body the store cannot read as DICOM parts (415).
type errUnsupportedMedia struct{ contentType string }

func (e errUnsupportedMedia) Error() string {
	return fmt.Sprintf(msgUnsupportedContentType, e.contentType)
}

// readParts returns the DICOM files of a STOW-RS body: multipart/related of application/dicom
// parts, or a single application/dicom body. No part at all is not an error (204).
func readParts(r *http.Request) ([][]byte, error) {
	ct := r.Header.Get("Content-Type")
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, errUnsupportedMedia{ct}
	}
	switch mediaType {
	case mediaDICOM:
		b, err := io.ReadAll(r.Body)
		if len(b) == 0 {
			return nil, err
		}
		return [][]byte{b}, err
	case mediaMultipart:
	default:
		return nil, errUnsupportedMedia{ct}
	}
	if t := params["type"]; t != "" && !strings.EqualFold(strings.Trim(t, `"`), mediaDICOM) {
		return nil, errUnsupportedMedia{ct}
	}
	if params["boundary"] == "" {
		return nil, errUnsupportedMedia{ct}
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var parts [][]byte
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if pct := p.Header.Get("Content-Type"); pct != "" {
			if mt, _, err := mime.ParseMediaType(pct); err != nil || mt != mediaDICOM {
				return nil, errUnsupportedMedia{pct}
			}
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return nil, err
		}
		parts = append(parts, b)
		if len(parts) > maxPartsPerStoreCalls {
			return nil, errors.New("too many parts in one request")
		}
	}
	return parts, nil
}

// storeItem is one part of a store request and what became of it.
type storeItem struct {
	class, sop string
	failure    int
	problems   []attributeProblem // validation failures (failed) or warnings (stored, v2)
	instance   *tenant.DicomInstance
}

// store answers STOW-RS: 200 when every instance was stored cleanly, 202 when some failed or
// were stored with warnings, 409 when none was stored, 204 for an empty request.
func (a *API) store(w http.ResponseWriter, r *http.Request, req *request, study string) {
	if !acceptsJSON(r.Header.Get("Accept")) {
		writeError(w, http.StatusNotAcceptable, msgNotAcceptable)
		return
	}
	parts, err := readParts(r)
	var unsupported errUnsupportedMedia
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "The dicom file in the request section exceeded the allowed limit of %d bytes.", httpx.MaxRequestBody)
		return
	case errors.As(err, &unsupported):
		writeError(w, http.StatusUnsupportedMediaType, "%s", unsupported.Error())
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "The request body is not a valid multipart/related body.")
		return
	case len(parts) == 0:
		w.WriteHeader(http.StatusNoContent)
		return
	}
	now := a.cfg.Clock.Now()
	items := make([]*storeItem, len(parts))
	var pending []*tenant.DicomInstance
	var pendingItems []*storeItem
	for i, data := range parts {
		it := a.prepare(req, study, data, now)
		items[i] = it
		if it.instance != nil {
			pending = append(pending, it.instance)
			pendingItems = append(pendingItems, it)
		}
	}
	if len(pending) > 0 {
		outcomes, err := a.putInstances(pending)
		for i, it := range pendingItems {
			switch {
			case err != nil:
				// A write that did not happen is never acknowledged: the service reports a
				// processing failure for the instance.
				it.failure, it.instance = failureProcessing, nil
			case outcomes[i] == outcomeExists:
				it.failure, it.instance = failureAlreadyExists, nil
			}
		}
	}
	a.writeStoreAnswer(w, req, study, items)
}

// prepare parses and validates one part; a storable part comes back with its instance.
func (a *API) prepare(req *request, study string, data []byte, now time.Time) *storeItem {
	f, err := part10.Parse(data)
	if err != nil {
		return &storeItem{failure: failureProcessing}
	}
	it := &storeItem{class: f.UID("SOPClassUID"), sop: f.UID("SOPInstanceUID")}
	if p := validateRequired(f); len(p) > 0 {
		it.failure, it.problems = failureValidation, p
		return it
	}
	if study != "" && f.UID("StudyInstanceUID") != study {
		it.failure = failureStudyMismatch
		return it
	}
	if req.v2() {
		// v2: other invalid attributes are stored with a warning each.
		it.problems = validateAttributes(f, nil)
	} else if p := validateAttributes(f, isSearchable); len(p) > 0 {
		// v1: an invalid searchable attribute fails the instance.
		it.failure, it.problems = failureValidation, p
		return it
	}
	invalid := map[part10.Tag]bool{}
	for _, p := range it.problems {
		invalid[p.tag] = true
	}
	stored := bytes.Clone(data)
	clear(stored[:preambleLen]) // the service replaces the preamble with NULs
	it.instance = &tenant.DicomInstance{
		Service: req.service.HostName(), StudyInstanceUID: f.UID("StudyInstanceUID"), SeriesInstanceUID: f.UID("SeriesInstanceUID"),
		SOPInstanceUID: it.sop, SOPClassUID: it.class, Attributes: indexAttributes(f, invalid), Data: stored, StoredAt: now,
	}
	return it
}

const preambleLen = 128

func (a *API) writeStoreAnswer(w http.ResponseWriter, req *request, study string, items []*storeItem) {
	var stored, failed []any
	warned := false
	for _, it := range items {
		if it.instance == nil {
			f := failedItem(it.class, it.sop, it.failure)
			if req.v2() && len(it.problems) > 0 {
				f[tagFailedAttributesHex] = failedAttributes(it.problems)
			}
			failed = append(failed, f)
			continue
		}
		in := it.instance
		ref := map[string]any{
			tagRefSOPClassUID.Hex():    uiValue(in.SOPClassUID),
			tagRefSOPInstanceUID.Hex(): uiValue(in.SOPInstanceUID),
			tagRetrieveURL.Hex():       map[string]any{"vr": "UR", "Value": []any{req.base + "/studies/" + in.StudyInstanceUID + "/series/" + in.SeriesInstanceUID + "/instances/" + in.SOPInstanceUID}},
		}
		if len(it.problems) > 0 {
			warned = true
			ref[tagWarningReason.Hex()] = map[string]any{"vr": "US", "Value": []any{warningValidation}}
			ref[tagFailedAttributesHex] = failedAttributes(it.problems)
		}
		stored = append(stored, ref)
	}
	resp := map[string]any{}
	// The study's RetrieveURL only when the request named the study and something was stored.
	if study != "" && len(stored) > 0 {
		resp[tagRetrieveURL.Hex()] = map[string]any{"vr": "UR", "Value": []any{req.base + "/studies/" + study}}
	}
	if len(stored) > 0 {
		resp[tagReferencedSOPSeq.Hex()] = map[string]any{"vr": "SQ", "Value": stored}
	}
	if len(failed) > 0 {
		resp[tagFailedSOPSequence.Hex()] = map[string]any{"vr": "SQ", "Value": failed}
	}
	status := http.StatusOK
	switch {
	case len(stored) == 0:
		status = http.StatusConflict
	case len(failed) > 0 || warned:
		status = http.StatusAccepted
	}
	writeDICOMJSON(w, status, resp)
}

// failedAttributes is the FailedAttributesSequence: one ErrorComment item per problem.
func failedAttributes(problems []attributeProblem) map[string]any {
	items := make([]any, 0, len(problems))
	for _, p := range problems {
		items = append(items, map[string]any{tagErrorCommentHex: map[string]any{"vr": "LO", "Value": []any{p.comment}}})
	}
	return map[string]any{"vr": "SQ", "Value": items}
}

func uiValue(v string) map[string]any {
	el := map[string]any{"vr": "UI"}
	if v != "" {
		el["Value"] = []any{v}
	}
	return el
}

func failedItem(class, sop string, reason int) map[string]any {
	out := map[string]any{tagFailureReason.Hex(): map[string]any{"vr": "US", "Value": []any{reason}}}
	if class != "" || sop != "" {
		out[tagRefSOPClassUID.Hex()] = uiValue(class)
		out[tagRefSOPInstanceUID.Hex()] = uiValue(sop)
	}
	return out
}
