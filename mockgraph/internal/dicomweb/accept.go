package dicomweb

import (
	"mime"
	"strconv"
	"strings"

	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/part10"
)

// Media types.
const (
	mediaDICOM       = "application/dicom"
	mediaDICOMJSON   = "application/dicom+json"
	mediaJSON        = "application/json"
	mediaMultipart   = "multipart/related"
	mediaOctetStream = "application/octet-stream"
	mediaJP2         = "image/jp2"
	mediaJPEG        = "image/jpeg"
	mediaPNG         = "image/png"
	mediaAny         = "*/*"
	anySyntax        = "*" // transfer-syntax=*: the file as stored
)

// What a retrieve can ask for (conformance statement v2, "Retrieve (WADO-RS)").
type retrieveKind int

const (
	kindStudyOrSeries retrieveKind = iota
	kindInstance
	kindFrames
)

// negotiated is the representation an Accept header chose.
type negotiated struct {
	multipart bool
	media     string // the part's media type
	syntax    string // a transfer syntax UID, or anySyntax
}

// negotiate picks, among the Accept header's media ranges, the one of highest quality that the
// statement's table for kind lists; ok is false when none is (406).
func negotiate(accept string, kind retrieveKind) (negotiated, bool) {
	if strings.TrimSpace(accept) == "" {
		accept = mediaAny
	}
	var best negotiated
	bestQ, found := -1.0, false
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimRight(strings.TrimSpace(part), "; "))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil || q <= 0 {
				continue
			}
		}
		n, ok := acceptable(mt, strings.ToLower(params["type"]), params["transfer-syntax"], kind)
		if ok && q > bestQ {
			best, bestQ, found = n, q, true
		}
	}
	return best, found
}

// acceptable checks one media range against the statement's table.
func acceptable(mt, typ, ts string, kind retrieveKind) (negotiated, bool) {
	if mt == mediaAny {
		// "*/*: transfer-syntax * and media type application/dicom" (application/octet-stream
		// for frames): one instance is one application/dicom body, a study or series multipart.
		n := negotiated{multipart: kind != kindInstance, media: mediaDICOM, syntax: or(ts, anySyntax)}
		if kind == kindFrames {
			n.media = mediaOctetStream
		}
		return n, ts == "" || ts == anySyntax
	}
	dicomSyntax := func(ts string) (string, bool) {
		ts = or(ts, part10.ExplicitVRLittleEndian)
		return ts, ts == anySyntax || ts == part10.ExplicitVRLittleEndian || ts == part10.JPEG2000Lossless
	}
	switch {
	case kind != kindFrames && mt == mediaMultipart && typ == mediaDICOM:
		ts, ok := dicomSyntax(ts)
		return negotiated{multipart: true, media: mediaDICOM, syntax: ts}, ok
	case kind == kindInstance && mt == mediaDICOM:
		ts, ok := dicomSyntax(ts)
		return negotiated{media: mediaDICOM, syntax: ts}, ok
	case kind == kindFrames && mt == mediaMultipart && typ == mediaOctetStream:
		ts = or(ts, part10.ExplicitVRLittleEndian)
		return negotiated{multipart: true, media: mediaOctetStream, syntax: ts}, ts == anySyntax || ts == part10.ExplicitVRLittleEndian
	case kind == kindFrames && mt == mediaMultipart && typ == mediaJP2:
		ts = or(ts, part10.JPEG2000Lossless)
		return negotiated{multipart: true, media: mediaJP2, syntax: ts}, ts == part10.JPEG2000Lossless
	case kind == kindFrames && mt == mediaOctetStream:
		return negotiated{media: mediaOctetStream, syntax: anySyntax}, ts == "" || ts == anySyntax
	}
	return negotiated{}, false
}

func or(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
