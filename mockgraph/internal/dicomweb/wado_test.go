package dicomweb

import (
	"bytes"
	"image/jpeg"
	"image/png"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/part10"
)

// storeOK stores files on v2 and fails the test unless every one was stored.
func (f *fixture) storeOK(t *testing.T, files ...[]byte) {
	t.Helper()
	ct, body := multipartBody(files...)
	if resp, out := f.do(t, http.MethodPost, "/v2/studies", f.token(t, ownerOID, nil), ct, body, ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("STOW: %d %s", resp.StatusCode, out)
	}
}

// readParts splits a multipart/related answer.
func readAnswerParts(t *testing.T, resp *http.Response, body []byte) (string, [][]byte) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != mediaMultipart {
		t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var parts [][]byte
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		var b bytes.Buffer
		_, _ = b.ReadFrom(p)
		parts = append(parts, b.Bytes())
	}
	return params["type"], parts
}

func instancePath(in part10.Instance) string {
	return "/v2/studies/" + in.StudyInstanceUID + "/series/" + in.SeriesInstanceUID + "/instances/" + in.SOPInstanceUID
}

func TestRetrieveAcceptTableAndTranscoding(t *testing.T) {
	f := newFixture(t)
	implicit := instance
	implicit.TransferSyntax = part10.ImplicitVRLittleEndian
	big := instance
	big.SOPInstanceUID, big.TransferSyntax = instance.SOPInstanceUID+".2", part10.ExplicitVRBigEndian
	f.storeOK(t, part10.Build(implicit), part10.Build(big))
	owner := f.token(t, ownerOID, nil)
	explicitOf := func(in part10.Instance) []byte { in.TransferSyntax = ""; return part10.Build(in) }
	cases := []struct {
		name, path, accept string
		status             int
		single             bool
		want               []byte // the single part or body
	}{
		{"default syntax is explicit VR LE", instancePath(implicit), mediaDICOM, 200, true, explicitOf(implicit)},
		{"big endian to explicit LE", instancePath(big), mediaDICOM + "; transfer-syntax=1.2.840.10008.1.2.1", 200, true, explicitOf(big)},
		{"as stored", instancePath(big), mediaDICOM + "; transfer-syntax=*", 200, true, part10.Build(big)},
		{"multipart instance", instancePath(implicit), `multipart/related; type="application/dicom"`, 200, false, explicitOf(implicit)},
		{"any media", instancePath(implicit), "*/*", 200, true, part10.Build(implicit)},
		{"no accept", instancePath(implicit), "", 200, true, part10.Build(implicit)},
		{"JPEG 2000 cannot be produced", instancePath(implicit), mediaDICOM + "; transfer-syntax=1.2.840.10008.1.2.4.90", 406, true, nil},
		{"implicit is not in the table", instancePath(big), mediaDICOM + "; transfer-syntax=1.2.840.10008.1.2", 406, true, nil},
		{"single part for a study", "/v2/studies/" + instance.StudyInstanceUID, mediaDICOM, 406, true, nil},
		{"JSON for an instance", instancePath(big), mediaDICOMJSON, 406, true, nil},
		{"multipart without type", instancePath(big), "multipart/related", 406, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := f.do(t, http.MethodGet, tc.path, owner, "", nil, tc.accept)
			if resp.StatusCode != tc.status {
				t.Fatalf("%d %s", resp.StatusCode, out)
			}
			if tc.status != 200 {
				if tc.status == 406 && string(out) != msgNotAcceptable && string(out) != msgUnsupportedTranscoding {
					t.Fatalf("406 text %q", out)
				}
				return
			}
			if !tc.single {
				_, parts := readAnswerParts(t, resp, out)
				if len(parts) != 1 {
					t.Fatalf("%d parts", len(parts))
				}
				out = parts[0]
			}
			if !bytes.Equal(out, tc.want) {
				t.Fatalf("body differs (%d bytes, want %d)", len(out), len(tc.want))
			}
		})
	}
	// A study answer holds both instances, each transcoded.
	resp, out := f.do(t, http.MethodGet, "/v2/studies/"+instance.StudyInstanceUID, owner, "", nil, `multipart/related; type="application/dicom"`)
	if typ, parts := readAnswerParts(t, resp, out); typ != mediaDICOM || len(parts) != 2 {
		t.Fatalf("study: type %q, %d parts", typ, len(parts))
	}
}

func TestFrames(t *testing.T) {
	f := newFixture(t)
	pixels := make([]byte, 2*4*4*3)
	for i := range pixels {
		pixels[i] = byte(i * 7)
	}
	multi := instance
	multi.TransferSyntax, multi.Rows, multi.Columns, multi.BitsAllocated, multi.Frames, multi.Pixels = part10.ExplicitVRBigEndian, 4, 4, 16, 3, pixels
	f.storeOK(t, part10.Build(multi))
	owner := f.token(t, ownerOID, nil)
	base := instancePath(multi) + "/frames/"
	resp, out := f.do(t, http.MethodGet, base+"3,1", owner, "", nil, `multipart/related; type="application/octet-stream"`)
	if resp.StatusCode != 200 {
		t.Fatalf("frames: %d %s", resp.StatusCode, out)
	}
	typ, parts := readAnswerParts(t, resp, out)
	if typ != mediaOctetStream || len(parts) != 2 || !bytes.Equal(parts[0], pixels[64:96]) || !bytes.Equal(parts[1], pixels[:32]) {
		t.Fatalf("frames: type %q, %d parts", typ, len(parts))
	}
	resp, out = f.do(t, http.MethodGet, base+"2", owner, "", nil, "application/octet-stream; transfer-syntax=*")
	if resp.StatusCode != 200 || !bytes.Equal(out, pixels[32:64]) {
		t.Fatalf("single frame: %d", resp.StatusCode)
	}
	for path, want := range map[string]int{base + "4": 404, base + "0": 400, base + "1,x": 400} {
		if resp, out := f.do(t, http.MethodGet, path, owner, "", nil, ""); resp.StatusCode != want {
			t.Errorf("%s: %d %s, want %d", path, resp.StatusCode, out, want)
		}
	}
	if resp, _ := f.do(t, http.MethodGet, base+"1,2", owner, "", nil, "application/octet-stream; transfer-syntax=*"); resp.StatusCode != 406 {
		t.Errorf("two frames as one octet-stream: %d", resp.StatusCode)
	}
	if resp, _ := f.do(t, http.MethodGet, base+"1", owner, "", nil, `multipart/related; type="image/jp2"`); resp.StatusCode != 406 {
		t.Errorf("jp2: %d", resp.StatusCode)
	}
}

func TestRendered(t *testing.T) {
	f := newFixture(t)
	gray16 := instance
	gray16.Rows, gray16.Columns, gray16.BitsAllocated, gray16.Frames = 2, 2, 16, 2
	gray16.Pixels = []byte{0, 0, 0x10, 0, 0x20, 0, 0x30, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	gray16.WindowCenter, gray16.WindowWidth = "16", "2"
	rgb := instance
	rgb.SOPInstanceUID, rgb.SamplesPerPixel, rgb.Rows, rgb.Columns = instance.SOPInstanceUID+".3", 3, 1, 2
	rgb.Pixels = []byte{255, 0, 0, 0, 0, 255}
	f.storeOK(t, part10.Build(gray16), part10.Build(rgb))
	owner := f.token(t, ownerOID, nil)

	resp, out := f.do(t, http.MethodGet, instancePath(gray16)+"/rendered", owner, "", nil, "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != mediaJPEG {
		t.Fatalf("rendered: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if _, err := jpeg.Decode(bytes.NewReader(out)); err != nil {
		t.Fatal(err)
	}
	// PNG is lossless: the window 16±1 maps 0 to black and 0x10.. to white; frame 2 is all white.
	resp, out = f.do(t, http.MethodGet, instancePath(gray16)+"/rendered", owner, "", nil, mediaPNG)
	img, err := png.Decode(bytes.NewReader(out))
	if resp.StatusCode != 200 || err != nil {
		t.Fatalf("png: %d %v", resp.StatusCode, err)
	}
	if r, _, _, _ := img.At(0, 0).RGBA(); r != 0 {
		t.Errorf("pixel 0 = %d, want black", r)
	}
	if r, _, _, _ := img.At(1, 1).RGBA(); r != 0xffff {
		t.Errorf("pixel 3 = %d, want white", r)
	}
	resp, out = f.do(t, http.MethodGet, instancePath(gray16)+"/frames/2/rendered", owner, "", nil, mediaPNG)
	if img, err := png.Decode(bytes.NewReader(out)); resp.StatusCode != 200 || err != nil {
		t.Fatalf("frame 2: %d %v", resp.StatusCode, err)
	} else if r, _, _, _ := img.At(0, 0).RGBA(); r != 0xffff {
		t.Errorf("frame 2 pixel 0 = %d, want white", r)
	}
	resp, out = f.do(t, http.MethodGet, instancePath(rgb)+"/rendered", owner, "", nil, mediaPNG)
	if img, err := png.Decode(bytes.NewReader(out)); resp.StatusCode != 200 || err != nil {
		t.Fatalf("rgb: %d %v", resp.StatusCode, err)
	} else if r, g, b, _ := img.At(1, 0).RGBA(); r != 0 || g != 0 || b != 0xffff {
		t.Errorf("rgb pixel 1 = %d %d %d, want blue", r, g, b)
	}
	for name, tc := range map[string]struct {
		path, accept string
		want         int
	}{
		"quality 0":     {instancePath(rgb) + "/rendered?quality=0", "", 400},
		"quality 50":    {instancePath(rgb) + "/rendered?quality=50", mediaJPEG, 200},
		"gif":           {instancePath(rgb) + "/rendered", "image/gif", 406},
		"frame 3":       {instancePath(gray16) + "/frames/3/rendered", "", 404},
		"missing":       {instancePath(rgb) + "9/rendered", "", 404},
		"study renders": {"/v2/studies/" + instance.StudyInstanceUID + "/rendered", "", 404},
	} {
		if resp, out := f.do(t, http.MethodGet, tc.path, owner, "", nil, tc.accept); resp.StatusCode != tc.want {
			t.Errorf("%s: %d %s, want %d", name, resp.StatusCode, out, tc.want)
		}
	}
}

func TestMetadataETagAndBulkVRs(t *testing.T) {
	f := newFixture(t)
	f.storeOK(t, part10.Build(instance))
	owner := f.token(t, ownerOID, nil)
	path := "/v2/studies/" + instance.StudyInstanceUID + "/metadata"
	resp, out := f.do(t, http.MethodGet, path, owner, "", nil, mediaDICOMJSON)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || etag == "" || strings.Contains(string(out), "7FE00010") || !strings.Contains(string(out), `"00280010":{"vr":"US","Value":[8]}`) {
		t.Fatalf("metadata: %d etag %q %s", resp.StatusCode, etag, out)
	}
	req, _ := http.NewRequest(http.MethodGet, f.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+owner)
	req.Header.Set("If-None-Match", etag)
	r2, err := f.srv.Client().Do(req)
	if err != nil || r2.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match: %v %v", r2, err)
	}
	r2.Body.Close()
	second := instance
	second.SOPInstanceUID += ".9"
	f.storeOK(t, part10.Build(second))
	r3, err := f.srv.Client().Do(req)
	if err != nil || r3.StatusCode != 200 || r3.Header.Get("ETag") == etag {
		t.Fatalf("after a store: %v %v", r3, err)
	}
	r3.Body.Close()
}
