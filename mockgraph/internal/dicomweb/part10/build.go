package part10

import (
	"encoding/binary"
	"sort"
	"strconv"
)

// Instance describes a file to build (tests, the load generator and the client checks).
type Instance struct {
	StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID string
	SOPClassUID                                         string // default Secondary Capture
	PatientID, PatientName, StudyDate, Modality         string
	AccessionNumber, StudyDescription                   string
	// NoPatientID leaves PatientID out (a file the service refuses).
	NoPatientID bool
	// TransferSyntax of the file, default explicit VR little endian.
	TransferSyntax string
	// Image: default an 8×8 8-bit MONOCHROME2 frame of zeros.
	Rows, Columns, BitsAllocated, SamplesPerPixel, Frames int
	// Pixels are the frames' bytes, little endian; default zeros.
	Pixels []byte
	// WindowCenter and WindowWidth, when set, are written as DS.
	WindowCenter, WindowWidth string
	// Extra elements (explicit VR little endian values), e.g. an invalid date.
	Extra []Element
}

// SecondaryCaptureStorage is the SOP class of the files Build makes by default.
const SecondaryCaptureStorage = "1.2.840.10008.5.1.4.1.1.7"

// Build writes a valid Part 10 file.
func Build(in Instance) []byte {
	if in.SOPClassUID == "" {
		in.SOPClassUID = SecondaryCaptureStorage
	}
	rows, cols := orInt(in.Rows, 8), orInt(in.Columns, 8)
	bits, spp, frames := orInt(in.BitsAllocated, 8), orInt(in.SamplesPerPixel, 1), orInt(in.Frames, 1)
	pixels := in.Pixels
	if pixels == nil {
		pixels = make([]byte, rows*cols*spp*bits/8*frames)
	}
	if len(pixels)%2 == 1 {
		pixels = append(pixels[:len(pixels):len(pixels)], 0)
	}
	photometric := "MONOCHROME2"
	if spp == 3 {
		photometric = "RGB"
	}
	u16 := func(v int) []byte { b := make([]byte, 2); binary.LittleEndian.PutUint16(b, uint16(v)); return b }
	str := func(t Tag, v string) Element { return Element{Tag: t, VR: VROf(t), Value: text(v)} }
	ui := func(t Tag, v string) Element { return Element{Tag: t, VR: "UI", Value: uid(v)} }
	els := []Element{
		ui(TagSOPClassUID, in.SOPClassUID), ui(TagSOPInstanceUID, in.SOPInstanceUID),
		str(TagStudyDate, in.StudyDate), str(TagAccessionNumber, in.AccessionNumber),
		str(TagModality, orDefault(in.Modality, "OT")), str(TagStudyDesc, in.StudyDescription),
		str(TagPatientName, in.PatientName),
		ui(TagStudyUID, in.StudyInstanceUID), ui(TagSeriesUID, in.SeriesInstanceUID),
		{Tag: TagSamplesPerPixel, VR: "US", Value: u16(spp)}, str(TagPhotometric, photometric),
		{Tag: TagRows, VR: "US", Value: u16(rows)}, {Tag: TagColumns, VR: "US", Value: u16(cols)},
		{Tag: TagBitsAllocated, VR: "US", Value: u16(bits)}, {Tag: TagBitsStored, VR: "US", Value: u16(bits)},
		{Tag: TagHighBit, VR: "US", Value: u16(bits - 1)}, {Tag: TagPixelRepresentation, VR: "US", Value: u16(0)},
		{Tag: TagPixelData, VR: map[bool]string{true: "OB", false: "OW"}[bits <= 8], Value: pixels},
	}
	if !in.NoPatientID {
		els = append(els, str(TagPatientID, in.PatientID))
	}
	if spp > 1 {
		els = append(els, Element{Tag: TagPlanarConfiguration, VR: "US", Value: u16(0)})
	}
	if frames > 1 {
		els = append(els, str(TagNumberOfFrames, strconv.Itoa(frames)))
	}
	if in.WindowCenter != "" {
		els = append(els, str(TagWindowCenter, in.WindowCenter), str(TagWindowWidth, in.WindowWidth))
	}
	els = append(els, in.Extra...)
	sort.SliceStable(els, func(i, j int) bool { return lessTag(els[i].Tag, els[j].Tag) })
	f := &File{
		TransferSyntax: ExplicitVRLittleEndian,
		Meta: []Element{
			{Tag: Tag{0x0002, 0x0001}, VR: "OB", Value: []byte{0, 1}},
			ui(Tag{0x0002, 0x0002}, in.SOPClassUID), ui(Tag{0x0002, 0x0003}, in.SOPInstanceUID),
			ui(TagTransferSyntax, ExplicitVRLittleEndian), ui(Tag{0x0002, 0x0012}, implementationUID),
		},
		Elements: els,
	}
	out, err := Encode(f, orDefault(in.TransferSyntax, ExplicitVRLittleEndian))
	if err != nil {
		panic("part10.Build: " + err.Error()) // only a programming error in the caller's Instance
	}
	return out
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

func orInt(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}
