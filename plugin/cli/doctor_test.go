package cli

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph"
	"github.com/dicomreg/dicomreg/plugin/auth"
	"github.com/dicomreg/dicomreg/plugin/certs"
	"github.com/dicomreg/dicomreg/plugin/dicom"
)

// fixtureSource reads registrations through the mock's fixture API, to test doctor's findings
// on apps built there independently of the Graph client.
type fixtureSource struct{ srv *mockgraph.Server }

func (s fixtureSource) Registration(_ context.Context, app, serviceID string) (dicom.Registration, error) {
	var r dicom.Registration
	var a *mockgraph.AppState
	for _, c := range s.srv.Applications("") {
		if c.AppID == app || c.DisplayName == app {
			a = &c
		}
	}
	if a == nil {
		return r, errors.New("no app " + app)
	}
	r.App = dicom.App{AppID: a.AppID, DisplayName: a.DisplayName, IsFallbackPublicClient: a.PublicClient,
		PublicClientRedirects: a.PublicClientRedirectURIs, WebRedirects: a.WebRedirectURIs, SPARedirects: a.SPARedirectURIs}
	for _, p := range a.Permissions {
		r.App.RequiredResourceAccess = append(r.App.RequiredResourceAccess, dicom.ResourceAccess{ResourceAppID: p.ResourceAppID, ID: p.ID, Type: p.Type})
	}
	for _, p := range a.Secrets {
		r.App.Secrets = append(r.App.Secrets, dicom.Credential{KeyID: p.KeyID, End: p.End})
	}
	for _, k := range a.Certificates {
		r.App.Certificates = append(r.App.Certificates, dicom.Credential{KeyID: k.KeyID, Thumbprint: hex.EncodeToString(k.Thumbprint), End: k.End})
	}
	if sps := s.srv.ServicePrincipals(a.AppID); len(sps) == 1 {
		r.ServicePrincipal = &dicom.Principal{ID: sps[0].ID, AppID: sps[0].AppID}
		for _, g := range s.srv.Grants(sps[0].ID) {
			r.Grants = append(r.Grants, dicom.Grant{ConsentType: g.ConsentType, ResourceID: g.ResourceID, Scope: g.Scope})
		}
		if serviceID != "" {
			r.Roles = s.srv.EffectiveRoles(sps[0].ID, serviceID)
		}
	}
	if p, ok := s.srv.DICOMPrincipal(); ok {
		r.DICOMPrincipal = &dicom.Principal{ID: p.ID, AppID: p.AppID, Scopes: p.Scopes}
	}
	return r, nil
}

func TestDoctorFindings(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(14))
	seeded := srv.Seeded()
	now := srv.Clock().Now()
	soon, err := certs.SelfSigned("soon", 10*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "Doc~secret-value-for-doctor-0000001"
	full := mockApp{secret: secret, permission: true, consent: true, role: mockgraph.RoleDICOMDataOwner}
	tests := []struct {
		name     string
		app      mockApp
		service  string
		healthy  bool
		check    string
		severity dicom.Severity
		fix      string
	}{
		{"everything in place", full, seeded.DicomServiceID, true, dicom.CheckRole, dicom.OK, ""},
		{"no role", mockApp{secret: secret, permission: true, consent: true}, seeded.DicomServiceID, false, dicom.CheckRole, dicom.Error,
			"dicomreg role assign --assignee {app} --role owner --dicom-service " + seeded.DicomServiceID},
		{"no permission", mockApp{secret: secret, consent: true, role: mockgraph.RoleDICOMDataOwner}, seeded.DicomServiceID, false,
			dicom.CheckPermission, dicom.Error, "dicomreg app permission add --app {app}"},
		{"no consent", mockApp{secret: secret, permission: true, role: mockgraph.RoleDICOMDataOwner}, seeded.DicomServiceID, false,
			dicom.CheckConsent, dicom.Error, "dicomreg app permission grant --app {app}"},
		{"no service principal", mockApp{name: "lonely", secret: secret, permission: true, noSP: true}, "", false,
			dicom.CheckServicePrincipal, dicom.Error, `dicomreg register --name "lonely-`},
		{"web redirect without a secret", mockApp{webRedirects: []string{"https://app.example/cb"}, permission: true, consent: true}, "", false,
			dicom.CheckClientType, dicom.Error, "dicomreg app secret add --app {app}"},
		{"desktop redirect without public flows", mockApp{publicRedirects: []string{"http://localhost"}, permission: true, consent: true}, "", true,
			dicom.CheckClientType, dicom.Warn, "--public-client"},
		{"expired only secret", mockApp{secret: secret, secretEnd: now.Add(-time.Hour), permission: true, consent: true}, "", false,
			dicom.CheckSecret, dicom.Error, "dicomreg app secret rotate --app {app}"},
		{"certificate expiring", mockApp{cert: soon, permission: true, consent: true}, "", true,
			dicom.CheckCertificate, dicom.Warn, "dicomreg app cert create --app {app}"},
		{"role not checked", full, "", true, dicom.CheckRole, dicom.Warn, ""},
	}
	sources := map[string]func(f *Factory) func() (registrationSource, error){
		"fixtures": func(*Factory) func() (registrationSource, error) {
			return func() (registrationSource, error) { return fixtureSource{srv}, nil }
		},
		"graph": func(f *Factory) func() (registrationSource, error) {
			return func() (registrationSource, error) { return newDirectoryReader(f) }
		},
	}
	for _, tt := range tests {
		for via, source := range sources {
			t.Run(tt.name+" via "+via, func(t *testing.T) {
				app := tt.app
				lookup := ""
				if app.name != "" {
					app.name += "-" + via // names are looked up, so each subtest's must be its own
					lookup = app.name
				}
				appID, _ := addMockApp(t, srv, app)
				if lookup == "" {
					lookup = appID
				}
				f, _, stdout, stderr := mockFactory(srv, adminEnv(srv))
				srv.ResetRequests()
				err := doctorRun(context.Background(), &DoctorOptions{IO: f, Now: f.Now, Getenv: f.Getenv, App: lookup, DICOMService: tt.service, Source: source(f)})
				wantCode := ExitError
				if tt.healthy {
					wantCode = ExitOK
				}
				if code := ExitCode(err); code != wantCode {
					t.Errorf("exit %d (%v), want %d", code, err, wantCode)
				}
				var res doctorResult
				if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
					t.Fatalf("%v: %s", err, stdout)
				}
				if via == "graph" {
					// app, federated credentials, DICOM principal, app principal, grants (+ role
					// assignments): no redundant reads
					want := 5
					if tt.service != "" {
						want = 6
					}
					if tt.app.noSP {
						want = 4
					}
					if got := srv.Requests().Reads; got != want {
						t.Errorf("doctor made %d Graph/ARM reads, want %d", got, want)
					}
				}
				if !tt.healthy && !strings.Contains(stderr.String(), "fix: ") {
					t.Errorf("stderr does not repeat the fixes: %s", stderr)
				}
				if res.Healthy != tt.healthy {
					t.Errorf("healthy = %v, want %v: %+v", res.Healthy, tt.healthy, res.Findings)
				}
				fix := strings.ReplaceAll(tt.fix, "{app}", appID)
				for _, f := range res.Findings {
					if f.Check == tt.check && f.Severity == tt.severity && strings.Contains(f.Fix, fix) {
						return
					}
				}
				t.Errorf("findings %+v, want %s %s fixed by %q", res.Findings, tt.check, tt.severity, fix)
			})
		}
	}
}

// adminEnv is the environment of the mock's env file: the seeded admin signs in to Graph and ARM.
func adminEnv(srv *mockgraph.Server) map[string]string {
	return map[string]string{auth.EnvClientID: srv.Seeded().AdminAppID, auth.EnvClientSecret: srv.Seeded().AdminSecret}
}

func TestDoctorCommandExitCodes(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(16))
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no --app", []string{"doctor"}, ExitUsage},
		{"unknown app", []string{"doctor", "--app", "no-such-app"}, ExitNotFound},
		{"unknown app id", []string{"doctor", "--app", "00000000-0000-4000-8000-ffffffffffff"}, ExitNotFound},
		{"seeded admin lacks Dicom.ReadWrite", []string{"doctor", "--app", srv.Seeded().AdminAppID, "-o", "none"}, ExitError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Flags are parsed here, so everything comes from the mock's env file, as for a user.
			f, _, _, stderr := mockFactory(srv, srv.Env())
			if got := run(context.Background(), f, tt.args); got != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", got, tt.want, stderr)
			}
		})
	}
}
