package cli

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph"
	"github.com/dicomreg/dicomreg/plugin/certs"
	"github.com/dicomreg/dicomreg/plugin/converge"
	"github.com/dicomreg/dicomreg/plugin/iostreams"
	"github.com/dicomreg/dicomreg/plugin/output"
)

// fakeKeyStore is one app's keyCredentials in memory; it records every collection written.
type fakeKeyStore struct {
	app    appKeys
	writes [][]keyCredential
}

func (f *fakeKeyStore) AppKeys(_ context.Context, app string) (*appKeys, error) {
	if app != f.app.AppID && app != f.app.DisplayName {
		return nil, errors.New("no app " + app)
	}
	c := f.app
	c.Keys = append([]keyCredential(nil), f.app.Keys...)
	return &c, nil
}

func (f *fakeKeyStore) SetKeys(_ context.Context, objectID string, keys []keyCredential) error {
	if objectID != f.app.ObjectID {
		return errors.New("wrong object id")
	}
	f.writes = append(f.writes, keys)
	f.app.Keys = nil
	for i, k := range keys {
		if k.KeyID == "" {
			k.KeyID = "new-key-" + string(rune('a'+i))
		}
		f.app.Keys = append(f.app.Keys, k)
	}
	return nil
}

func (f *fakeKeyStore) open() (keyCredentialStore, error) { return f, nil }

// plainFactory is a Factory with buffers and no network.
func plainFactory() (*Factory, *bytes.Buffer, *bytes.Buffer) {
	ios, _, out, errOut := iostreams.Test()
	return &Factory{IO: ios, Getenv: func(string) string { return "" }, Now: time.Now, Global: GlobalOptions{Output: output.JSON}}, out, errOut
}

func existingKey(t *testing.T) (keyCredential, *certs.Pair) {
	p, err := certs.SelfSigned("existing", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	k := converge.KeyOf(p.Cert)
	k.KeyID = "existing-key"
	return k, p
}

func TestCertCreate(t *testing.T) {
	old, _ := existingKey(t)
	store := &fakeKeyStore{app: appKeys{ObjectID: "obj", AppID: "app", DisplayName: "viewer", Keys: []keyCredential{old}}}
	out := filepath.Join(t.TempDir(), "viewer.pem")
	f, stdout, _ := plainFactory()
	if err := certCreateRun(context.Background(), &CertCreateOptions{IO: f, Now: f.Now, App: "app", Out: out, Years: 1, Store: store.open}); err != nil {
		t.Fatal(err)
	}
	var row certRow
	if err := json.Unmarshal(stdout.Bytes(), &row); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %o, want 600", st.Mode().Perm())
	}
	c, err := certs.LoadCertificate(out)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject.CommonName != "viewer" {
		t.Errorf("subject %q, want the app's name", c.Subject.CommonName)
	}
	if row.Thumbprint != strings.ToUpper(hex.EncodeToString(certs.Thumbprint(c))) || row.DisplayName != "CN=viewer" {
		t.Errorf("row %+v", row)
	}
	if len(store.writes) != 1 || len(store.writes[0]) != 2 {
		t.Fatalf("writes %d, want one collection of 2 (existing kept)", len(store.writes))
	}
	kept := store.writes[0][0]
	if kept.KeyID != old.KeyID || len(kept.Key) == 0 {
		t.Errorf("existing certificate not sent back whole: %+v", kept)
	}
	if end := store.writes[0][1].EndDateTime; end == nil || end.Sub(*store.writes[0][1].StartDateTime) < 364*24*time.Hour {
		t.Errorf("new certificate lifetime wrong: %v", end)
	}
}

func TestCertCreateNeedsOut(t *testing.T) {
	store := &fakeKeyStore{app: appKeys{ObjectID: "obj", AppID: "app"}}
	f, _, _ := plainFactory()
	if err := certCreateRun(context.Background(), &CertCreateOptions{IO: f, Now: f.Now, App: "app", Years: 1, Store: store.open}); ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "--cert-out") {
		t.Errorf("err = %v", err)
	}
	if len(store.writes) != 0 {
		t.Error("uploaded a certificate without saving its key")
	}
}

func TestCertUploadIsIdempotent(t *testing.T) {
	old, pair := existingKey(t)
	store := &fakeKeyStore{app: appKeys{ObjectID: "obj", AppID: "app", Keys: []keyCredential{old}}}
	file := filepath.Join(t.TempDir(), "c.pem")
	if err := os.WriteFile(file, certs.EncodeCertificatePEM(pair.Cert), 0o644); err != nil {
		t.Fatal(err)
	}
	f, stdout, _ := plainFactory()
	if err := certUploadRun(context.Background(), &CertUploadOptions{IO: f, App: "app", CertFile: file, Store: store.open}); err != nil {
		t.Fatal(err)
	}
	var row certRow
	if err := json.Unmarshal(stdout.Bytes(), &row); err != nil {
		t.Fatal(err)
	}
	if row.KeyID != "existing-key" || len(store.writes) != 0 {
		t.Errorf("re-upload wrote %d times, row %+v", len(store.writes), row)
	}
}

func TestCertListAndRemove(t *testing.T) {
	a, _ := existingKey(t)
	b, _ := existingKey(t)
	b.KeyID = "second-key"
	store := &fakeKeyStore{app: appKeys{ObjectID: "obj", AppID: "app", Keys: []keyCredential{a, b}}}
	f, stdout, _ := plainFactory()
	if err := certListRun(context.Background(), &CertListOptions{IO: f, App: "app", Store: store.open}); err != nil {
		t.Fatal(err)
	}
	var rows []certRow
	if err := json.Unmarshal(stdout.Bytes(), &rows); err != nil || len(rows) != 2 || rows[1].KeyID != "second-key" {
		t.Fatalf("list = %+v, %v", rows, err)
	}
	tests := []struct {
		name, id string
		wantCode int
		left     int
	}{
		{"by thumbprint with colons", colonHex(b.CustomKeyIdentifier), ExitOK, 1},
		{"unknown", "nope", ExitNotFound, 1},
		{"by key id", "EXISTING-KEY", ExitOK, 0},
	}
	for _, tt := range tests {
		err := certRemoveRun(context.Background(), &CertRemoveOptions{IO: f, App: "app", ID: tt.id, Store: store.open})
		if code := ExitCode(err); code != tt.wantCode {
			t.Errorf("%s: exit %d (%v), want %d", tt.name, code, err, tt.wantCode)
		}
		if len(store.app.Keys) != tt.left {
			t.Errorf("%s: %d certificates left, want %d", tt.name, len(store.app.Keys), tt.left)
		}
	}
}

func colonHex(b []byte) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = strings.ToUpper(hex.EncodeToString([]byte{x}))
	}
	return strings.Join(parts, ":")
}

func TestCertFlags(t *testing.T) {
	f, _, _ := testFactory(nil)
	var create CertCreateOptions
	bindOnly(t, NewCmdCertCreate(f, func(_ context.Context, o *CertCreateOptions) error { create = *o; return nil }), "--app", "viewer", "--cert-out", "k.pem")
	if create.App != "viewer" || create.Out != "k.pem" || create.Years != defaultYears {
		t.Errorf("create = %+v", create)
	}
	var remove CertRemoveOptions
	bindOnly(t, NewCmdCertRemove(f, func(_ context.Context, o *CertRemoveOptions) error { remove = *o; return nil }), "--app", "viewer", "--thumbprint", "AB:CD")
	if remove.ID != "AB:CD" {
		t.Errorf("remove = %+v", remove)
	}
}

// TestCertAgainstMock runs create → sign in with the new certificate → upload again (no change)
// → list → remove through the mock's Graph, keeping a certificate the app already had.
func TestCertAgainstMock(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(15))
	old, err := certs.SelfSigned("old", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	appID, _ := addMockApp(t, srv, mockApp{name: "cert-app", cert: old})
	f, _, stdout, _ := mockFactory(srv, adminEnv(srv))
	store := func() (keyCredentialStore, error) { return newDirectoryReader(f) }
	ctx := context.Background()
	pem := filepath.Join(t.TempDir(), "cert-app.pem")

	if err := certCreateRun(ctx, &CertCreateOptions{IO: f, Now: f.Now, App: "cert-app", Out: pem, Years: 1, Store: store}); err != nil {
		t.Fatal(err)
	}
	var created certRow
	if err := json.Unmarshal(stdout.Bytes(), &created); err != nil {
		t.Fatal(err)
	}

	stdout.Reset()
	tf, _, tout, _ := mockFactory(srv, nil)
	if err := tokenGetRun(ctx, &TokenGetOptions{IO: tf, SignIn: tf.SignIn, flowFlags: flowFlags{Flow: "certificate", ClientID: appID, CertFile: pem}}); err != nil {
		t.Fatalf("signing in with the new certificate: %v", err)
	}
	if !strings.Contains(tout.String(), `"accessToken"`) {
		t.Fatalf("token get printed %s", tout)
	}

	srv.ResetRequests()
	if err := certUploadRun(ctx, &CertUploadOptions{IO: f, App: appID, CertFile: pem, Store: store}); err != nil {
		t.Fatal(err)
	}
	if st := srv.Requests(); st.Writes != 0 || st.Reads != 1 {
		t.Errorf("re-uploading the same certificate by app id made %d reads and %d writes, want 1 and 0", st.Reads, st.Writes)
	}

	stdout.Reset()
	if err := certListRun(ctx, &CertListOptions{IO: f, App: appID, Store: store}); err != nil {
		t.Fatal(err)
	}
	var rows []certRow
	if err := json.Unmarshal(stdout.Bytes(), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("list = %s (%v), want the old and the new certificate", stdout, err)
	}

	if err := certRemoveRun(ctx, &CertRemoveOptions{IO: f, App: appID, ID: created.Thumbprint, Store: store}); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	if err := certListRun(ctx, &CertListOptions{IO: f, App: appID, Store: store}); err != nil {
		t.Fatal(err)
	}
	rows = nil
	if err := json.Unmarshal(stdout.Bytes(), &rows); err != nil || len(rows) != 1 ||
		rows[0].Thumbprint != strings.ToUpper(hex.EncodeToString(certs.Thumbprint(old.Cert))) {
		t.Errorf("after remove: %s (%v), want only the old certificate", stdout, err)
	}
}
