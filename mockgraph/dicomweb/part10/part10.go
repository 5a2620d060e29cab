// Package part10 reads and writes DICOM Part 10 files, as much as the mock DICOM service needs:
// the file meta group and the identifying and searchable attributes of the dataset. Every
// malformed input is an error; lengths are checked against what is left, so no input can make it
// allocate more than it was given, loop forever or panic.
package part10

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Transfer syntaxes.
const (
	ImplicitVRLittleEndian = "1.2.840.10008.1.2"
	ExplicitVRLittleEndian = "1.2.840.10008.1.2.1"
	DeflatedExplicitVRLE   = "1.2.840.10008.1.2.1.99"
	ExplicitVRBigEndian    = "1.2.840.10008.1.2.2"
)

// Tag is a DICOM attribute tag.
type Tag struct{ Group, Element uint16 }

func (t Tag) String() string { return fmt.Sprintf("(%04X,%04X)", t.Group, t.Element) }

// Hex is the tag as DICOM JSON writes it, e.g. "0020000D".
func (t Tag) Hex() string { return fmt.Sprintf("%04X%04X", t.Group, t.Element) }

// Attributes the mock indexes, by keyword.
var (
	TagTransferSyntax  = Tag{0x0002, 0x0010}
	TagSOPClassUID     = Tag{0x0008, 0x0016}
	TagSOPInstanceUID  = Tag{0x0008, 0x0018}
	TagStudyDate       = Tag{0x0008, 0x0020}
	TagAccessionNumber = Tag{0x0008, 0x0050}
	TagModality        = Tag{0x0008, 0x0060}
	TagStudyDesc       = Tag{0x0008, 0x1030}
	TagPatientName     = Tag{0x0010, 0x0010}
	TagPatientID       = Tag{0x0010, 0x0020}
	TagStudyUID        = Tag{0x0020, 0x000D}
	TagSeriesUID       = Tag{0x0020, 0x000E}
	tagPixelData       = Tag{0x7FE0, 0x0010}
	tagItem            = Tag{0xFFFE, 0xE000}
	tagItemDelim       = Tag{0xFFFE, 0xE00D}
	tagSequenceDelim   = Tag{0xFFFE, 0xE0DD}
)

// Keywords maps the indexed tags to their DICOM keywords and VRs.
var Keywords = map[Tag]struct{ Keyword, VR string }{
	TagSOPClassUID:     {"SOPClassUID", "UI"},
	TagSOPInstanceUID:  {"SOPInstanceUID", "UI"},
	TagStudyDate:       {"StudyDate", "DA"},
	TagAccessionNumber: {"AccessionNumber", "SH"},
	TagModality:        {"Modality", "CS"},
	TagStudyDesc:       {"StudyDescription", "LO"},
	TagPatientName:     {"PatientName", "PN"},
	TagPatientID:       {"PatientID", "LO"},
	TagStudyUID:        {"StudyInstanceUID", "UI"},
	TagSeriesUID:       {"SeriesInstanceUID", "UI"},
}

// File is what was read from a Part 10 file.
type File struct {
	TransferSyntax string
	// Attributes holds the indexed attributes found, by keyword (e.g. "StudyInstanceUID").
	Attributes map[string]string
}

// UID returns one of the identifying UIDs.
func (f *File) UID(keyword string) string { return f.Attributes[keyword] }

// Errors callers may tell apart.
var (
	ErrNotPart10   = errors.New("part10: not a DICOM Part 10 file (no DICM prefix)")
	ErrTruncated   = errors.New("part10: file is truncated")
	ErrUnsupported = errors.New("part10: unsupported transfer syntax")
)

const (
	preambleLen     = 128
	undefinedLength = 0xFFFFFFFF
	maxDepth        = 16
)

// longVRs have a 4-byte length after two reserved bytes in explicit VR encoding.
var longVRs = map[string]bool{"OB": true, "OD": true, "OF": true, "OL": true, "OV": true, "OW": true, "SQ": true,
	"SV": true, "UC": true, "UN": true, "UR": true, "UT": true, "UV": true}

// Parse reads a Part 10 file.
func Parse(data []byte) (*File, error) {
	if len(data) < preambleLen+4 || string(data[preambleLen:preambleLen+4]) != "DICM" {
		return nil, ErrNotPart10
	}
	r := &reader{data: data, pos: preambleLen + 4, explicit: true}
	f := &File{Attributes: map[string]string{}}
	// The meta group is always explicit VR little endian.
	for len(r.data)-r.pos >= 2 && binary.LittleEndian.Uint16(r.data[r.pos:]) == 0x0002 {
		el, err := r.element(0)
		if err != nil {
			return nil, err
		}
		if el.tag == TagTransferSyntax {
			f.TransferSyntax = trimValue(el.value)
		}
	}
	switch f.TransferSyntax {
	case "":
		return nil, errors.New("part10: the file meta group names no transfer syntax (0002,0010)")
	case ImplicitVRLittleEndian:
		r.explicit = false
	case DeflatedExplicitVRLE, ExplicitVRBigEndian:
		return nil, fmt.Errorf("%w %s", ErrUnsupported, f.TransferSyntax)
	}
	for r.pos < len(r.data) {
		el, err := r.element(0)
		if err != nil {
			return nil, err
		}
		if el.tag == tagPixelData {
			break // everything indexed comes before the pixels
		}
		if k, ok := Keywords[el.tag]; ok {
			f.Attributes[k.Keyword] = trimValue(el.value)
		}
	}
	for _, k := range []string{"StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"} {
		v := f.Attributes[k]
		if v == "" {
			return nil, fmt.Errorf("part10: the dataset has no %s", k)
		}
		if !validUID(v) {
			return nil, fmt.Errorf("part10: %s %q is not a valid UID", k, v)
		}
	}
	return f, nil
}

func trimValue(b []byte) string { return strings.TrimRight(string(b), " \x00") }

// validUID: digits and dots, at most 64 characters, no empty component.
func validUID(s string) bool {
	if len(s) == 0 || len(s) > 64 || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' {
			return false
		}
	}
	return true
}

type reader struct {
	data     []byte
	pos      int
	explicit bool
}

type element struct {
	tag   Tag
	vr    string
	value []byte // nil for sequences and undefined-length values, which are skipped
}

func (r *reader) need(n int) error {
	if n < 0 || len(r.data)-r.pos < n {
		return ErrTruncated
	}
	return nil
}

func (r *reader) u16() uint16 {
	v := binary.LittleEndian.Uint16(r.data[r.pos:])
	r.pos += 2
	return v
}

func (r *reader) u32() uint32 {
	v := binary.LittleEndian.Uint32(r.data[r.pos:])
	r.pos += 4
	return v
}

// element reads one data element, skipping over the contents of sequences.
func (r *reader) element(depth int) (element, error) {
	if depth > maxDepth {
		return element{}, errors.New("part10: sequences nested too deeply")
	}
	if err := r.need(4); err != nil {
		return element{}, err
	}
	el := element{tag: Tag{r.u16(), r.u16()}}
	var length uint32
	switch {
	case el.tag.Group == 0xFFFE: // item and delimiters: no VR in any encoding
		if err := r.need(4); err != nil {
			return el, err
		}
		length = r.u32()
	case r.explicit:
		if err := r.need(4); err != nil {
			return el, err
		}
		el.vr = string(r.data[r.pos : r.pos+2])
		r.pos += 2
		if longVRs[el.vr] {
			if err := r.need(6); err != nil {
				return el, err
			}
			r.pos += 2
			length = r.u32()
		} else {
			length = uint32(r.u16())
		}
	default:
		if err := r.need(4); err != nil {
			return el, err
		}
		length = r.u32()
	}
	if length == undefinedLength {
		if el.tag == tagPixelData || el.vr == "SQ" || el.vr == "UN" || !r.explicit {
			return el, r.skipUndefined(depth)
		}
		return el, fmt.Errorf("part10: %s has undefined length but VR %s", el.tag, el.vr)
	}
	if err := r.need(int(length)); err != nil {
		return el, err
	}
	if el.vr == "SQ" || el.tag.Group == 0xFFFE {
		r.pos += int(length) // defined-length sequence or item: its bytes are skipped whole
		return el, nil
	}
	el.value = r.data[r.pos : r.pos+int(length)]
	r.pos += int(length)
	return el, nil
}

// skipUndefined skips items up to the sequence delimiter; items of undefined length are walked
// element by element up to their item delimiter.
func (r *reader) skipUndefined(depth int) error {
	for {
		if err := r.need(8); err != nil {
			return err
		}
		tag := Tag{binary.LittleEndian.Uint16(r.data[r.pos:]), binary.LittleEndian.Uint16(r.data[r.pos+2:])}
		length := binary.LittleEndian.Uint32(r.data[r.pos+4:])
		r.pos += 8
		switch tag {
		case tagSequenceDelim:
			return nil
		case tagItem:
			if length != undefinedLength {
				if err := r.need(int(length)); err != nil {
					return err
				}
				r.pos += int(length)
				continue
			}
			for {
				if err := r.need(8); err != nil {
					return err
				}
				if (Tag{binary.LittleEndian.Uint16(r.data[r.pos:]), binary.LittleEndian.Uint16(r.data[r.pos+2:])}) == tagItemDelim {
					r.pos += 8
					break
				}
				if _, err := r.element(depth + 1); err != nil {
					return err
				}
			}
		default:
			return fmt.Errorf("part10: expected an item in a sequence, found %s", tag)
		}
	}
}

// Instance describes a file to build.
type Instance struct {
	StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID string
	SOPClassUID                                         string // default Secondary Capture
	PatientID, PatientName, StudyDate, Modality         string
	AccessionNumber, StudyDescription                   string
}

// SecondaryCaptureStorage is the SOP class of the files Build makes by default.
const SecondaryCaptureStorage = "1.2.840.10008.5.1.4.1.1.7"

// Build writes a small valid Part 10 file (explicit VR little endian, an 8×8 8-bit image).
func Build(in Instance) []byte {
	if in.SOPClassUID == "" {
		in.SOPClassUID = SecondaryCaptureStorage
	}
	var meta bytes.Buffer
	writeEl(&meta, Tag{0x0002, 0x0001}, "OB", []byte{0, 1})
	writeEl(&meta, Tag{0x0002, 0x0002}, "UI", uid(in.SOPClassUID))
	writeEl(&meta, Tag{0x0002, 0x0003}, "UI", uid(in.SOPInstanceUID))
	writeEl(&meta, TagTransferSyntax, "UI", uid(ExplicitVRLittleEndian))
	writeEl(&meta, Tag{0x0002, 0x0012}, "UI", uid("1.2.826.0.1.3680043.10.1338"))
	var out bytes.Buffer
	out.Write(make([]byte, preambleLen))
	out.WriteString("DICM")
	groupLen := make([]byte, 4)
	binary.LittleEndian.PutUint32(groupLen, uint32(meta.Len()))
	writeEl(&out, Tag{0x0002, 0x0000}, "UL", groupLen)
	out.Write(meta.Bytes())
	u16 := func(v uint16) []byte { b := make([]byte, 2); binary.LittleEndian.PutUint16(b, v); return b }
	writeEl(&out, TagSOPClassUID, "UI", uid(in.SOPClassUID))
	writeEl(&out, TagSOPInstanceUID, "UI", uid(in.SOPInstanceUID))
	writeEl(&out, TagStudyDate, "DA", text(in.StudyDate))
	writeEl(&out, TagAccessionNumber, "SH", text(in.AccessionNumber))
	writeEl(&out, TagModality, "CS", text(orDefault(in.Modality, "OT")))
	writeEl(&out, TagStudyDesc, "LO", text(in.StudyDescription))
	writeEl(&out, TagPatientName, "PN", text(in.PatientName))
	writeEl(&out, TagPatientID, "LO", text(in.PatientID))
	writeEl(&out, TagStudyUID, "UI", uid(in.StudyInstanceUID))
	writeEl(&out, TagSeriesUID, "UI", uid(in.SeriesInstanceUID))
	writeEl(&out, Tag{0x0028, 0x0002}, "US", u16(1))
	writeEl(&out, Tag{0x0028, 0x0004}, "CS", text("MONOCHROME2"))
	writeEl(&out, Tag{0x0028, 0x0010}, "US", u16(8))
	writeEl(&out, Tag{0x0028, 0x0011}, "US", u16(8))
	writeEl(&out, Tag{0x0028, 0x0100}, "US", u16(8))
	writeEl(&out, Tag{0x0028, 0x0101}, "US", u16(8))
	writeEl(&out, Tag{0x0028, 0x0102}, "US", u16(7))
	writeEl(&out, Tag{0x0028, 0x0103}, "US", u16(0))
	writeEl(&out, tagPixelData, "OW", make([]byte, 64))
	return out.Bytes()
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// uid pads a UID to even length with NUL, text with a space, as the standard asks.
func uid(s string) []byte {
	if len(s)%2 == 1 {
		return append([]byte(s), 0)
	}
	return []byte(s)
}

func text(s string) []byte {
	if len(s)%2 == 1 {
		return append([]byte(s), ' ')
	}
	return []byte(s)
}

func writeEl(w *bytes.Buffer, t Tag, vr string, value []byte) {
	b := make([]byte, 4)
	binary.LittleEndian.PutUint16(b, t.Group)
	binary.LittleEndian.PutUint16(b[2:], t.Element)
	w.Write(b)
	w.WriteString(vr)
	if longVRs[vr] {
		w.Write([]byte{0, 0})
		l := make([]byte, 4)
		binary.LittleEndian.PutUint32(l, uint32(len(value)))
		w.Write(l)
	} else {
		l := make([]byte, 2)
		binary.LittleEndian.PutUint16(l, uint16(len(value)))
		w.Write(l)
	}
	w.Write(value)
}
