package dicomweb

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/part10"
)

// FuzzAccept: every Accept header negotiates to a listed representation or to none.
func FuzzAccept(f *testing.F) {
	f.Add(`multipart/related; type="application/dicom"; transfer-syntax=*;q=0.5, application/dicom`)
	f.Add(`multipart/related; type="application/octet-stream";`)
	f.Add("*/*")
	f.Fuzz(func(t *testing.T, accept string) {
		for _, kind := range []retrieveKind{kindStudyOrSeries, kindInstance, kindFrames} {
			n, ok := negotiate(accept, kind)
			if ok && (n.syntax == "" || n.media == "" || (kind == kindStudyOrSeries && !n.multipart)) {
				t.Fatalf("%q (kind %d) negotiated %+v", accept, kind, n)
			}
		}
		_, _ = renderMedia(accept)
	})
}

// FuzzRetrieve sends any Accept header, path tail and query to a stored instance: never a 5xx,
// and a 200 always has a body.
func FuzzRetrieve(f *testing.F) {
	fx := newFixture(f)
	owner := fx.token(f, ownerOID, nil)
	in := instance
	in.Rows, in.Columns, in.BitsAllocated, in.Frames = 2, 2, 16, 2
	ct, body := multipartBody(part10.Build(in))
	if resp, out := fx.do(f, http.MethodPost, "/v2/studies", owner, ct, body, ""); resp.StatusCode != http.StatusOK {
		f.Fatalf("seed: %d %s", resp.StatusCode, out)
	}
	f.Add("", "/frames/1,2", "")
	f.Add("image/png", "/frames/2/rendered", "quality=7")
	f.Add("application/dicom+json", "/metadata", "")
	f.Add("application/json", "", "")
	f.Fuzz(func(t *testing.T, accept, tail, query string) {
		if strings.ContainsFunc(accept, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) || strings.ContainsAny(tail, "?#%") {
			return // no HTTP client sends these in a header or a path segment
		}
		path := instancePath(in) + (&url.URL{Path: tail}).EscapedPath()
		if query != "" {
			path += "?" + url.PathEscape(query)
		}
		resp, out := fx.do(t, http.MethodGet, path, owner, "", nil, accept)
		if resp.StatusCode >= 500 || (resp.StatusCode == http.StatusOK && len(out) == 0) {
			t.Fatalf("%s (Accept %q): %d with %d bytes", path, accept, resp.StatusCode, len(out))
		}
	})
}
