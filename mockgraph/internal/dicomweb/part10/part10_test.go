package part10

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"testing"
)

var sample = Instance{StudyInstanceUID: "1.2.3.4", SeriesInstanceUID: "1.2.3.4.5", SOPInstanceUID: "1.2.3.4.5.6",
	PatientID: "P-1", PatientName: "Doe^Jane", StudyDate: "20260101", Modality: "CT", AccessionNumber: "A1", StudyDescription: "Head"}

func TestBuildThenParse(t *testing.T) {
	for _, ts := range []string{ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian} {
		in := sample
		in.TransferSyntax = ts
		f, err := Parse(Build(in))
		if err != nil {
			t.Fatal(ts, err)
		}
		want := map[string]string{"StudyInstanceUID": "1.2.3.4", "SeriesInstanceUID": "1.2.3.4.5", "SOPInstanceUID": "1.2.3.4.5.6",
			"SOPClassUID": SecondaryCaptureStorage, "PatientID": "P-1", "PatientName": "Doe^Jane", "StudyDate": "20260101",
			"Modality": "CT", "AccessionNumber": "A1", "StudyDescription": "Head"}
		for k, v := range want {
			if got := f.UID(k); got != v {
				t.Errorf("%s: %s = %q, want %q", ts, k, got, v)
			}
		}
		if f.TransferSyntax != ts {
			t.Errorf("transfer syntax %q, want %q", f.TransferSyntax, ts)
		}
		if rows, ok := f.Int(TagRows); !ok || rows != 8 {
			t.Errorf("%s: rows %d %v", ts, rows, ok)
		}
	}
}

// TestTranscodeRoundTrip: explicit LE → big endian → implicit → explicit LE gives back the same
// file, and 16-bit frames come out little endian from every syntax.
func TestTranscodeRoundTrip(t *testing.T) {
	pixels := make([]byte, 4*4*2*2)
	for i := range pixels {
		pixels[i] = byte(i)
	}
	in := sample
	in.Rows, in.Columns, in.BitsAllocated, in.Frames, in.Pixels = 4, 4, 16, 2, pixels
	orig := Build(in)
	cur := orig
	for _, ts := range []string{ExplicitVRBigEndian, ImplicitVRLittleEndian, ExplicitVRLittleEndian} {
		f, err := Parse(cur)
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= 2; n++ {
			frame, _, err := f.Frame(n)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(frame, pixels[(n-1)*32:n*32]) {
				t.Fatalf("%s frame %d = %v", f.TransferSyntax, n, frame[:4])
			}
		}
		if _, _, err := f.Frame(3); !errors.Is(err, ErrFrameNotFound) {
			t.Fatalf("frame 3: %v", err)
		}
		if cur, err = Encode(f, ts); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(cur, orig) {
		t.Fatal("round trip through big endian and implicit VR changed the file")
	}
}

func TestEncodeRefusesCompressed(t *testing.T) {
	f, err := Parse(Build(sample))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Encode(f, JPEG2000Lossless); !errors.Is(err, ErrTranscode) {
		t.Fatalf("to JPEG 2000: %v", err)
	}
	f.TransferSyntax = "1.2.840.10008.1.2.4.50"
	if _, err := Encode(f, ExplicitVRLittleEndian); !errors.Is(err, ErrTranscode) {
		t.Fatalf("from JPEG baseline: %v", err)
	}
}

func TestJSON(t *testing.T) {
	in := sample
	in.TransferSyntax = ExplicitVRBigEndian
	in.WindowCenter, in.WindowWidth = "40", "400"
	f, err := Parse(Build(in))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	WriteJSON(&b, f.Elements, f.BigEndian)
	var m map[string]map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatalf("%v: %s", err, b.String())
	}
	if _, ok := m["7FE00010"]; ok {
		t.Error("pixel data (OW) in metadata")
	}
	if got := m["00280010"]["Value"].([]any)[0]; got != 8.0 {
		t.Errorf("Rows = %v", got)
	}
	if got := m["00100010"]["Value"].([]any)[0].(map[string]any)["Alphabetic"]; got != "Doe^Jane" {
		t.Errorf("PatientName = %v", got)
	}
	if got := m["00281050"]["Value"].([]any)[0]; got != 40.0 {
		t.Errorf("WindowCenter = %v", got)
	}
}

// implicitWithSequence builds an implicit VR file whose dataset holds an undefined-length
// sequence with an undefined-length item before the identifying attributes.
func implicitWithSequence() []byte {
	var meta bytes.Buffer
	mw := &writer{buf: &meta, explicit: true}
	if err := mw.element(Element{Tag: TagTransferSyntax, VR: "UI", Value: uid(ImplicitVRLittleEndian)}); err != nil {
		panic(err)
	}
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
	raw(tagItem, 12)
	imp(Tag{0x0008, 0x1150}, uid("1.2"))
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
		t.Fatalf("elements %v", f.Elements)
	}
	if seq := f.Get(Tag{0x0008, 0x1115}); seq == nil || len(seq.Items) != 2 {
		t.Fatalf("sequence %+v", seq)
	}
}

func TestMalformedInputsAreErrors(t *testing.T) {
	good := Build(sample)
	badVR := bytes.Replace(good, []byte("CS"), []byte("zz"), 1)
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
		"bad VR":               {badVR, nil},
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
		if err != nil {
			return
		}
		// Whatever parses re-encodes, and the re-encoding parses to the same dataset.
		out, err := Encode(file, ExplicitVRLittleEndian)
		if err != nil {
			return
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("re-encoded file does not parse: %v", err)
		}
		var a, b bytes.Buffer
		WriteJSON(&a, file.Elements, file.BigEndian)
		WriteJSON(&b, again.Elements, again.BigEndian)
		if a.String() != b.String() {
			t.Fatalf("re-encoding changed the dataset:\n%s\n%s", a.String(), b.String())
		}
		for n := 1; n <= 2; n++ {
			_, _, _ = file.Frame(n)
		}
	})
}
