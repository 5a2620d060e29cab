package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph"
	"github.com/dicomreg/dicomreg/plugin/dicom"
	"github.com/dicomreg/dicomreg/plugin/iostreams"
)

func TestVerifyAgainstMock(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(13))
	seeded := srv.Seeded()
	const secret = "Vfy~secret-value-for-verify-00000001"
	withRole, _ := addMockApp(t, srv, mockApp{secret: secret, role: mockgraph.RoleDICOMDataOwner})
	noRole, _ := addMockApp(t, srv, mockApp{secret: secret})
	gf, _, gout, _ := mockFactory(srv, nil)
	err := tokenGetRun(context.Background(), &TokenGetOptions{IO: gf, SignIn: gf.SignIn,
		flowFlags: flowFlags{Flow: "client-credentials", ClientID: withRole, Secret: secret, Scope: "https://graph.microsoft.com/.default"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var graphToken accessToken
	if err := json.Unmarshal(gout.Bytes(), &graphToken); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		opts    VerifyOptions
		env     map[string]string
		status  int
		check   string
		message string
		fix     string
	}{
		{name: "2xx with a role", opts: VerifyOptions{flowFlags: flowFlags{Flow: "client-credentials", ClientID: withRole, Secret: secret}},
			env: map[string]string{EnvDICOMURL: srv.DICOMURL()}, check: dicom.CheckProbe, message: "accepted"},
		{name: "403 without a role", opts: VerifyOptions{flowFlags: flowFlags{Flow: "client-credentials", ClientID: noRole, Secret: secret},
			DICOMURL: srv.DICOMURL() + "/v1", DICOMService: seeded.DicomServiceID},
			status: 403, check: dicom.CheckRole, message: "has no DICOM data role",
			fix: "dicomreg role assign --assignee " + noRole + " --role owner --dicom-service " + seeded.DicomServiceID},
		{name: "401 wrong audience", opts: VerifyOptions{Token: graphToken.AccessToken, DICOMURL: srv.DICOMURL()},
			status: 401, check: dicom.CheckAudience, message: "is not the DICOM service", fix: dicom.AppOnlyScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			f, _, stdout, stderr := mockFactory(srv, tt.env)
			f.Global.Debug = true
			opts.IO, opts.SignIn, opts.Transport, opts.Now, opts.Getenv = f, f.SignIn, f.Transport, f.Now, f.Getenv
			err := verifyRun(context.Background(), &opts)
			wantCode := ExitError
			if tt.status == 0 {
				wantCode = ExitOK
			}
			if code := ExitCode(err); code != wantCode {
				t.Fatalf("exit %d (%v), want %d", code, err, wantCode)
			}
			var res verifyResult
			if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
				t.Fatalf("%v: %s", err, stdout)
			}
			if !strings.Contains(stderr.String(), "DEBUG: GET") {
				t.Fatalf("--debug logged nothing; the checks below would prove nothing:\n%s", stderr)
			}
			// Every token is a JWT, and a JWT's header starts "eyJ" in base64url.
			if strings.Contains(stderr.String(), secret) || strings.Contains(stderr.String(), "eyJ") {
				t.Error("--debug output reveals the secret or a token")
			}
			if tt.status == 0 && !res.OK || tt.status != 0 && res.Status != tt.status {
				t.Fatalf("status %d ok %v, want %d: %+v", res.Status, res.OK, tt.status, res.Findings)
			}
			found := false
			for _, f := range res.Findings {
				if f.Check == tt.check && strings.Contains(f.Message, tt.message) && strings.Contains(f.Fix, tt.fix) {
					found = true
				}
				if strings.Contains(f.Message+f.Fix, secret) || strings.Contains(f.Message+f.Fix, graphToken.AccessToken) {
					t.Errorf("a finding reveals a secret or token: %+v", f)
				}
			}
			if !found {
				t.Errorf("findings %+v, want %s with %q and fix %q", res.Findings, tt.check, tt.message, tt.fix)
			}
		})
	}
}

func TestVerifyUsage(t *testing.T) {
	tests := []struct {
		name string
		opts VerifyOptions
		want string
	}{
		{"no URL", VerifyOptions{Token: "x"}, "no DICOM service URL"},
		{"bad URL", VerifyOptions{Token: "x", DICOMURL: "dicom.example"}, "not an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := &Factory{IO: ios, Getenv: func(string) string { return "" }, Now: time.Now}
			opts := tt.opts
			opts.IO, opts.Now, opts.Getenv = f, f.Now, f.Getenv
			err := verifyRun(context.Background(), &opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) || ExitCode(err) != ExitUsage {
				t.Errorf("err = %v (exit %d), want usage error %q", err, ExitCode(err), tt.want)
			}
		})
	}
}

func TestVerifyFlags(t *testing.T) {
	tests := []struct {
		args []string
		want VerifyOptions
	}{
		{[]string{"--dicom-url", "https://ws-svc.dicom.azurehealthcareapis.com", "--token", "t"},
			VerifyOptions{flowFlags: flowFlags{Flow: "client-credentials"}, DICOMURL: "https://ws-svc.dicom.azurehealthcareapis.com", Token: "t"}},
		{[]string{"--flow", "device-code", "--client-id", "c", "--dicom-service", "/subscriptions/s"},
			VerifyOptions{flowFlags: flowFlags{Flow: "device-code", ClientID: "c"}, DICOMService: "/subscriptions/s"}},
		{[]string{"--flow", "auth-code", "--no-browser", "--redirect-port", "8400", "--scope", "x"},
			VerifyOptions{flowFlags: flowFlags{Flow: "auth-code", NoBrowser: true, RedirectPort: 8400, Scope: "x"}}},
	}
	for _, tt := range tests {
		var got VerifyOptions
		f, _, _ := testFactory(nil)
		bindOnly(t, NewCmdVerify(f, func(_ context.Context, o *VerifyOptions) error { got = *o; return nil }), tt.args...)
		if got.flowFlags != tt.want.flowFlags || got.DICOMURL != tt.want.DICOMURL || got.Token != tt.want.Token || got.DICOMService != tt.want.DICOMService {
			t.Errorf("%v: got %+v, want %+v", tt.args, got, tt.want)
		}
	}
}
