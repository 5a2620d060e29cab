package part10

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

var sample = Instance{StudyInstanceUID: "1.2.3.4", SeriesInstanceUID: "1.2.3.4.5", SOPInstanceUID: "1.2.3.4.5.6",
	PatientID: "P-1", PatientName: "Doe^Jane", StudyDate: "20260101", Modality: "CT", AccessionNumber: "A1", StudyDescription: "Head"}

func TestBuildThenParse(t *testing.T) {
	f, err := Parse(Build(sample))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"StudyInstanceUID": "1.2.3.4", "SeriesInstanceUID": "1.2.3.4.5", "SOPInstanceUID": "1.2.3.4.5.6",
		"SOPClassUID": SecondaryCaptureStorage, "PatientID": "P-1", "PatientName": "Doe^Jane", "StudyDate": "20260101",
		"Modality": "CT", "AccessionNumber": "A1", "StudyDescription": "Head"}
	for k, v := range want {
		if f.Attributes[k] != v {
			t.Errorf("%s = %q, want %q", k, f.Attributes[k], v)
		}
	}
	if f.TransferSyntax != ExplicitVRLittleEndian {
		t.Errorf("transfer syntax %q", f.TransferSyntax)
	}
}

// implicitWithSequence builds an implicit VR file whose dataset holds an undefined-length
// sequence with an undefined-length item before the identifying attributes.
func implicitWithSequence() []byte {
	var meta bytes.Buffer
	writeEl(&meta, TagTransferSyntax, "UI", uid(ImplicitVRLittleEndian))
	var out bytes.Buffer
	out.Write(make([]byte, preambleLen))
	out.WriteString("DICM")
	out.Write(meta.Bytes())
	imp := func(t Tag, v []byte) {
		b := make([]byte, 8)
		binary.LittleEndian.PutUint16(b, t.Group)
		binary.LittleEndian.PutUint16(b[2:], t.Element)
		binary.LittleEndian.PutUint32(b[4:], uint32(len(v)))
		out.Write(b)
		out.Write(v)
	}
	raw := func(t Tag, l uint32) {
		b := make([]byte, 8)
		binary.LittleEndian.PutUint16(b, t.Group)
		binary.LittleEndian.PutUint16(b[2:], t.Element)
		binary.LittleEndian.PutUint32(b[4:], l)
		out.Write(b)
	}
	raw(Tag{0x0008, 0x1115}, undefinedLength) // ReferencedSeriesSequence
	raw(tagItem, undefinedLength)
	imp(Tag{0x0008, 0x1155}, uid("9.9.9"))
	raw(tagItemDelim, 0)
	raw(tagItem, 4)
	out.Write([]byte{1, 2, 3, 4})
	raw(tagSequenceDelim, 0)
	imp(TagSOPInstanceUID, uid("1.2.3.4.5.7"))
	imp(TagStudyUID, uid("1.2.3.4"))
	imp(TagSeriesUID, uid("1.2.3.4.5"))
	return out.Bytes()
}

func TestImplicitVRWithUndefinedLengthSequences(t *testing.T) {
	f, err := Parse(implicitWithSequence())
	if err != nil {
		t.Fatal(err)
	}
	if f.UID("SOPInstanceUID") != "1.2.3.4.5.7" || f.UID("StudyInstanceUID") != "1.2.3.4" {
		t.Fatalf("attributes %v", f.Attributes)
	}
}

func TestMalformedInputsAreErrors(t *testing.T) {
	good := Build(sample)
	noStudy := Build(Instance{SeriesInstanceUID: "1.2", SOPInstanceUID: "1.3"})
	badUID := Build(Instance{StudyInstanceUID: "1.2.x", SeriesInstanceUID: "1.2", SOPInstanceUID: "1.3"})
	bigEndian := bytes.Replace(good, uid(ExplicitVRLittleEndian), uid(ExplicitVRBigEndian), 1)
	hugeLength := append([]byte{}, good...)
	// Claim a 4 GB value for the last element's length.
	binary.LittleEndian.PutUint32(hugeLength[len(hugeLength)-64-4:], 0xFFFFFFF0)
	cases := map[string]struct {
		data []byte
		want error
	}{
		"empty":                {nil, ErrNotPart10},
		"no DICM":              {make([]byte, 200), ErrNotPart10},
		"truncated":            {good[:len(good)-100], ErrTruncated},
		"huge length":          {hugeLength, ErrTruncated},
		"big endian":           {bigEndian, ErrUnsupported},
		"missing study":        {noStudy, nil},
		"invalid UID":          {badUID, nil},
		"only the prefix":      {good[:132], nil},
		"meta without payload": {good[:140], ErrTruncated},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(tc.data)
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Build(sample))
	f.Add(implicitWithSequence())
	f.Add(Build(Instance{StudyInstanceUID: "1", SeriesInstanceUID: "2", SOPInstanceUID: "3"})[:150])
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err == nil && (file.UID("StudyInstanceUID") == "" || file.UID("SOPInstanceUID") == "") {
			t.Fatal("accepted a file without its identifying UIDs")
		}
	})
}
