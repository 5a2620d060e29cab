package mockgraph

import (
	"bytes"
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/httpx"
)

func TestOversizedBodiesGet413(t *testing.T) {
	s := Start(t)
	big := bytes.Repeat([]byte("a"), httpx.MaxRequestBody+1)
	for _, path := range []string{"/v1.0/applications", "/" + s.TenantID() + "/oauth2/v2.0/token", "/dicom/mockws-mockdicom/v2/studies"} {
		resp, err := s.Client().Post(s.URL()+path, "application/json", bytes.NewReader(big))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: %d, want 413", path, resp.StatusCode)
		}
	}
	// A body without Content-Length is cut at the limit by the reader instead: never a 500.
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/v1.0/applications", io.MultiReader(bytes.NewReader(big), strings.NewReader("}")))
	req.ContentLength = -1
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		t.Fatalf("chunked oversized body: %d", resp.StatusCode)
	}
}

func TestSlowClientIsCutOff(t *testing.T) {
	s := Start(t, func(o *Options) { o.ReadHeaderTimeout = 200 * time.Millisecond })
	conn, err := tls.Dial("tcp", strings.TrimPrefix(s.URL(), "https://"), &tls.Config{RootCAs: s.CertPool()})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /mock/healthz HTTP/1.1\r\nHost: x\r\n"); err != nil { // never finishes its headers
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second)) // a bound so a broken server fails the test instead of hanging it
	buf := make([]byte, 512)
	n, err := conn.Read(buf)
	if err == nil && !strings.Contains(string(buf[:n]), "408") {
		t.Fatalf("server kept a slow client: read %q", buf[:n])
	}
	if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
		t.Fatal("server never closed the connection of a client that did not send its headers")
	}
}
