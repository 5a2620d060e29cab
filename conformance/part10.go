package conformance

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"math/big"
	"sort"
)

// UIDs a tiny Secondary Capture image needs (PS3.6).
const (
	uidSecondaryCapture = "1.2.840.10008.5.1.4.1.1.7"
	uidExplicitLE       = "1.2.840.10008.1.2.1"
	uidImplementation   = "2.25.164447271133386297946045577233393385773" // this suite, as a UUID-derived UID
)

// pixels2x2 is the generated image: one 8-bit frame.
var pixels2x2 = []byte{0, 64, 128, 255}

// study is the identity of a generated instance.
type study struct {
	StudyUID, SeriesUID, InstanceUID string
}

// newUID makes a UUID-derived UID (PS3.5 B.2): "2.25." and 128 random bits in decimal.
func newUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "2.25." + new(big.Int).SetBytes(b).String()
}

type element struct {
	group, elem uint16
	vr          string
	value       []byte
}

func str(group, elem uint16, vr, v string) element {
	pad := byte(' ')
	if vr == "UI" {
		pad = 0
	}
	b := []byte(v)
	if len(b)%2 == 1 {
		b = append(b, pad)
	}
	return element{group, elem, vr, b}
}

func us(group, elem uint16, v uint16) element {
	return element{group, elem, "US", binary.LittleEndian.AppendUint16(nil, v)}
}

// longVR are the VRs whose explicit-VR header has a 4-byte length (PS3.5 7.1.2).
var longVR = map[string]bool{"OB": true, "OW": true, "OF": true, "SQ": true, "UT": true, "UN": true}

func writeElements(w *bytes.Buffer, els []element) {
	sort.Slice(els, func(i, j int) bool {
		return els[i].group < els[j].group || els[i].group == els[j].group && els[i].elem < els[j].elem
	})
	for _, e := range els {
		w.Write(binary.LittleEndian.AppendUint16(nil, e.group))
		w.Write(binary.LittleEndian.AppendUint16(nil, e.elem))
		w.WriteString(e.vr)
		if longVR[e.vr] {
			w.Write([]byte{0, 0})
			w.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(e.value))))
		} else {
			w.Write(binary.LittleEndian.AppendUint16(nil, uint16(len(e.value))))
		}
		w.Write(e.value)
	}
}

// part10 writes a valid DICOM Part 10 file: a 2×2 8-bit Secondary Capture image, explicit VR
// little endian, with fresh study, series and instance UIDs.
func part10(patientID string) (study, []byte) {
	return part10Of(fileSpec{patientID: patientID, studyDate: "20240101"})
}

// fileSpec varies the generated file: no PatientID, or an invalid StudyDate.
type fileSpec struct {
	patientID   string
	noPatientID bool
	studyDate   string
}

func part10Of(spec fileSpec) (study, []byte) {
	s := study{StudyUID: newUID(), SeriesUID: newUID(), InstanceUID: newUID()}
	var meta bytes.Buffer
	writeElements(&meta, []element{
		{0x0002, 0x0001, "OB", []byte{0, 1}},
		str(0x0002, 0x0002, "UI", uidSecondaryCapture),
		str(0x0002, 0x0003, "UI", s.InstanceUID),
		str(0x0002, 0x0010, "UI", uidExplicitLE),
		str(0x0002, 0x0012, "UI", uidImplementation),
	})
	var f bytes.Buffer
	f.Write(make([]byte, 128))
	f.WriteString("DICM")
	writeElements(&f, []element{{0x0002, 0x0000, "UL", binary.LittleEndian.AppendUint32(nil, uint32(meta.Len()))}})
	f.Write(meta.Bytes())
	els := []element{
		str(0x0008, 0x0016, "UI", uidSecondaryCapture),
		str(0x0008, 0x0018, "UI", s.InstanceUID),
		str(0x0008, 0x0020, "DA", spec.studyDate),
		str(0x0008, 0x0060, "CS", "OT"),
		str(0x0008, 0x0064, "CS", "WSD"),
		str(0x0010, 0x0010, "PN", "Conformance^Test"),
		str(0x0020, 0x000D, "UI", s.StudyUID),
		str(0x0020, 0x000E, "UI", s.SeriesUID),
		str(0x0020, 0x0010, "SH", "1"),
		str(0x0020, 0x0011, "IS", "1"),
		str(0x0020, 0x0013, "IS", "1"),
		us(0x0028, 0x0002, 1),
		str(0x0028, 0x0004, "CS", "MONOCHROME2"),
		us(0x0028, 0x0010, 2),
		us(0x0028, 0x0011, 2),
		us(0x0028, 0x0100, 8),
		us(0x0028, 0x0101, 8),
		us(0x0028, 0x0102, 7),
		us(0x0028, 0x0103, 0),
		{0x7FE0, 0x0010, "OB", pixels2x2},
	}
	if !spec.noPatientID {
		els = append(els, str(0x0010, 0x0020, "LO", spec.patientID))
	}
	writeElements(&f, els)
	return s, f.Bytes()
}
