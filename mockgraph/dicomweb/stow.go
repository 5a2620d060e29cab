package dicomweb

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/dicomreg/dicomreg/mockgraph/dicomweb/part10"
	"github.com/dicomreg/dicomreg/mockgraph/httpx"
	"github.com/dicomreg/dicomreg/mockgraph/tenant"
)

// STOW-RS failure reasons (PS3.18 table I.2-1 and the Azure DICOM service's conformance statement).
const (
	failureProcessing     = 272   // 0x0110: the part is not a DICOM file we can read
	failureStudyMismatch  = 43265 // 0xA901: the instance belongs to another study than the URL names
	failureAlreadyExists  = 45070 // the SOP instance is already stored
	maxPartsPerStoreCalls = 1000
)

// Tags of the STOW-RS answer.
var (
	tagRetrieveURL       = part10.Tag{Group: 0x0008, Element: 0x1190}
	tagFailedSOPSequence = part10.Tag{Group: 0x0008, Element: 0x1198}
	tagReferencedSOPSeq  = part10.Tag{Group: 0x0008, Element: 0x1199}
	tagRefSOPClassUID    = part10.Tag{Group: 0x0008, Element: 0x1150}
	tagRefSOPInstanceUID = part10.Tag{Group: 0x0008, Element: 0x1155}
	tagFailureReason     = part10.Tag{Group: 0x0008, Element: 0x1197}
)

// readParts returns the DICOM files of a STOW-RS body: multipart/related of application/dicom
// parts, or a single application/dicom body.
func readParts(r *http.Request) ([][]byte, error) {
	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, errors.New("the Content-Type header is missing or malformed")
	}
	switch mediaType {
	case mediaDICOM:
		b, err := io.ReadAll(r.Body)
		return [][]byte{b}, err
	case mediaMultipart:
	default:
		return nil, errors.New("the Content-Type must be multipart/related; type=\"application/dicom\" or application/dicom")
	}
	if t := params["type"]; t != "" && !strings.EqualFold(strings.Trim(t, `"`), mediaDICOM) {
		return nil, errors.New("the multipart type must be application/dicom")
	}
	if params["boundary"] == "" {
		return nil, errors.New("the multipart body has no boundary")
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
		if ct := p.Header.Get("Content-Type"); ct != "" {
			if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != mediaDICOM {
				return nil, errors.New("every part must be application/dicom")
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
	if len(parts) == 0 {
		return nil, errors.New("the request holds no DICOM part")
	}
	return parts, nil
}

// store answers STOW-RS: 200 when every instance was stored, 202 when some were, 409 when none.
func (a *API) store(w http.ResponseWriter, r *http.Request, req *request, study string) {
	parts, err := readParts(r)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "The request is larger than %d bytes.", httpx.MaxRequestBody)
			return
		}
		writeError(w, http.StatusUnsupportedMediaType, "%v", err)
		return
	}
	now := a.cfg.Clock.Now()
	var stored, failed []any
	storedStudy := study
	err = a.cfg.Store.Update(func(d *tenant.Directory) error {
		for _, data := range parts {
			f, perr := part10.Parse(data)
			if perr != nil {
				failed = append(failed, failedItem("", "", failureProcessing))
				continue
			}
			sop, class := f.UID("SOPInstanceUID"), f.UID("SOPClassUID")
			switch {
			case study != "" && f.UID("StudyInstanceUID") != study:
				failed = append(failed, failedItem(class, sop, failureStudyMismatch))
				continue
			case d.DicomInstance(req.service.HostName(), sop) != nil:
				failed = append(failed, failedItem(class, sop, failureAlreadyExists))
				continue
			}
			in := &tenant.DicomInstance{
				Service: req.service.HostName(), StudyInstanceUID: f.UID("StudyInstanceUID"), SeriesInstanceUID: f.UID("SeriesInstanceUID"),
				SOPInstanceUID: sop, SOPClassUID: class, Attributes: f.Attributes, Data: bytes.Clone(data), StoredAt: now,
			}
			d.PutDicomInstance(in)
			if storedStudy == "" {
				storedStudy = in.StudyInstanceUID
			}
			url := req.base + "/studies/" + in.StudyInstanceUID + "/series/" + in.SeriesInstanceUID + "/instances/" + sop
			stored = append(stored, map[string]any{
				tagRefSOPClassUID.Hex():    uiValue(class),
				tagRefSOPInstanceUID.Hex(): uiValue(sop),
				tagRetrieveURL.Hex():       map[string]any{"vr": "UR", "Value": []any{url}},
			})
		}
		return nil
	})
	if err != nil {
		writeInternalError(w, err)
		return
	}
	resp := map[string]any{}
	if storedStudy != "" {
		resp[tagRetrieveURL.Hex()] = map[string]any{"vr": "UR", "Value": []any{req.base + "/studies/" + storedStudy}}
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
	case len(failed) > 0:
		status = http.StatusAccepted
	}
	writeDICOMJSON(w, status, resp)
}

func uiValue(v string) map[string]any {
	el := map[string]any{"vr": "UI"}
	if v != "" {
		el["Value"] = []any{v}
	}
	return el
}

func failedItem(class, sop string, reason int) map[string]any {
	return map[string]any{
		tagRefSOPClassUID.Hex():    uiValue(class),
		tagRefSOPInstanceUID.Hex(): uiValue(sop),
		tagFailureReason.Hex():     map[string]any{"vr": "US", "Value": []any{reason}},
	}
}
