package certs

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

func TestRoundTrip(t *testing.T) {
	p, err := SelfSigned("dicomreg-test", 90*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "client.pem")
	if err := WritePEM(path, p); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := st.Mode().Perm(); mode != 0o600 {
		t.Errorf("file mode = %o, want 600", mode)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	parsed, key, err := azidentity.ParseCertificates(data, nil)
	if err != nil {
		t.Fatalf("azidentity.ParseCertificates: %v", err)
	}
	if len(parsed) != 1 || key == nil {
		t.Fatalf("azidentity read %d certificates, key %v", len(parsed), key != nil)
	}
	loaded, err := LoadCertificate(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Thumbprint(p.Cert)
	for name, c := range map[string]*x509.Certificate{"azidentity": parsed[0], "LoadCertificate": loaded} {
		if got := Thumbprint(c); !bytes.Equal(got, want) {
			t.Errorf("%s thumbprint = %x, want %x", name, got, want)
		}
	}
	if len(want) != 20 {
		t.Errorf("thumbprint is %d bytes, want 20 (SHA-1)", len(want))
	}
}

func TestWritePEMReplacesReadableFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "client.pem")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := SelfSigned("x", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := WritePEM(path, p); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := st.Mode().Perm(); mode != 0o600 {
		t.Errorf("file mode = %o, want 600", mode)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the PEM file (temporary file left behind?)", len(entries))
	}
}

func TestSelfSignedProperties(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p, err := SelfSignedAt("my-app", now, 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c := p.Cert
	checks := []struct {
		name string
		ok   bool
	}{
		{"CN", c.Subject.CommonName == "my-app"},
		{"self-signed issuer", c.Issuer.CommonName == "my-app"},
		{"SHA-256", c.SignatureAlgorithm == x509.SHA256WithRSA},
		{"RSA 2048", p.Key.N.BitLen() == DefaultKeyBits},
		{"digital signature", c.KeyUsage&x509.KeyUsageDigitalSignature != 0},
		{"client auth", len(c.ExtKeyUsage) == 1 && c.ExtKeyUsage[0] == x509.ExtKeyUsageClientAuth},
		{"not a CA", !c.IsCA},
		{"valid now", !now.Before(c.NotBefore) && now.Before(c.NotAfter)},
		{"expires after validity", c.NotAfter.Equal(now.Add(365 * 24 * time.Hour))},
		{"verifies itself", c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("%s: failed", ch.name)
		}
	}
}

func TestSelfSignedRejects(t *testing.T) {
	tests := []struct {
		name     string
		subject  string
		validity time.Duration
		want     string
	}{
		{"empty subject", "", time.Hour, "subject is empty"},
		{"zero validity", "x", 0, "validity must be positive"},
		{"negative validity", "x", -time.Hour, "validity must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SelfSigned(tt.subject, tt.validity)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestParseCertificate(t *testing.T) {
	p, err := SelfSigned("x", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := EncodeCertificatePEM(p.Cert)
	keyFirst := append([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), certPEM...)
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"PEM", certPEM, ""},
		{"DER", p.Cert.Raw, ""},
		{"key block before certificate", keyFirst, ""},
		{"PEM without certificate", []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), "no CERTIFICATE block"},
		{"corrupt certificate block", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), "invalid certificate"},
		{"garbage", []byte("hello"), "not a PEM or DER certificate"},
		{"empty", nil, "not a PEM or DER certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCertificate(tt.data)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(Thumbprint(c), Thumbprint(p.Cert)) {
				t.Error("parsed a different certificate")
			}
		})
	}
}

func TestLoadCertificateErrors(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, maxCertFileSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "nope.pem"), "no such file"},
		{"too large", big, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCertificate(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func FuzzParseCertificate(f *testing.F) {
	p, err := SelfSigned("fuzz", time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(EncodeCertificatePEM(p.Cert))
	f.Add(p.Cert.Raw)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte{0x30, 0x82, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCertificate(data)
		if (c == nil) == (err == nil) {
			t.Fatalf("certificate %v with error %v", c != nil, err)
		}
		if c != nil && len(Thumbprint(c)) != 20 {
			t.Fatal("thumbprint is not 20 bytes")
		}
	})
}

func BenchmarkSelfSigned(b *testing.B) {
	for b.Loop() {
		if _, err := SelfSigned("bench", time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}
