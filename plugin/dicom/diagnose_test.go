package dicom

import (
	"strings"
	"testing"
	"time"
)

const (
	dicomAppID = "75e725bf-66ce-4cea-9b9a-5c4caae57f33"
	scopeID    = "e69ab058-b8ae-4c0f-b687-5d97888ddccb"
	serviceID  = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.HealthcareApis/workspaces/ws/dicomservices/svc"
)

// healthy is a confidential app with everything DICOM needs.
func healthy() Registration {
	return Registration{
		App: App{
			AppID: "app-1", DisplayName: "viewer",
			RequiredResourceAccess: []ResourceAccess{{ResourceAppID: dicomAppID, ID: scopeID, Type: "Scope"}},
			Secrets:                []Credential{{KeyID: "k1", DisplayName: "ci", End: now.Add(365 * 24 * time.Hour)}},
		},
		ServicePrincipal: &Principal{ID: "sp-1", AppID: "app-1"},
		DICOMPrincipal:   &Principal{ID: "dicom-sp", AppID: dicomAppID, Scopes: map[string]string{ReadWriteScope: scopeID}},
		Grants:           []Grant{{ConsentType: "AllPrincipals", ResourceID: "dicom-sp", Scope: "Dicom.ReadWrite"}},
		DICOMServiceID:   serviceID,
		Roles:            []string{RoleDataOwner},
		Now:              now,
	}
}

func TestDiagnose(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(*Registration)
		check    string
		severity Severity
		message  string
		fix      string
	}{
		{"healthy principal", nil, CheckServicePrincipal, OK, "sp-1", ""},
		{"healthy role", nil, CheckRole, OK, "DICOM Data Owner", ""},
		{"no service principal", func(r *Registration) { r.ServicePrincipal = nil }, CheckServicePrincipal, Error, "no service principal", `dicomreg register --name "viewer"`},
		{"no DICOM principal", func(r *Registration) { r.DICOMPrincipal = nil }, CheckDICOMPrincipal, Error, "no DICOM service has been deployed", "deploy a DICOM service"},
		{"permission missing", func(r *Registration) { r.App.RequiredResourceAccess = nil }, CheckPermission, Error, "not in the app's API permissions", "dicomreg app permission add --app app-1"},
		{"permission as a role is not the scope", func(r *Registration) { r.App.RequiredResourceAccess[0].Type = "Role" }, CheckPermission, Error, "not in the app's API permissions", ""},
		{"permission by scope id from the tenant", func(r *Registration) {
			r.DICOMPrincipal.Scopes[ReadWriteScope] = "other-id"
			r.App.RequiredResourceAccess[0].ID = "other-id"
		}, CheckPermission, OK, "is in the app's API permissions", ""},
		{"no consent", func(r *Registration) { r.Grants = nil }, CheckConsent, Error, "no admin consent", "dicomreg app permission grant --app app-1"},
		{"consent for another scope", func(r *Registration) { r.Grants[0].Scope = "User.Read" }, CheckConsent, Error, "no admin consent", ""},
		{"user consent only", func(r *Registration) { r.Grants[0].ConsentType = "Principal" }, CheckConsent, Warn, "only some users", ""},
		{"public client", func(r *Registration) { r.App.IsFallbackPublicClient = true; r.App.Secrets = nil }, CheckClientType, OK, "public client flows allowed", ""},
		{"mobile redirect, flows off", func(r *Registration) { r.App.PublicClientRedirects = []string{"http://localhost"} }, CheckClientType, Warn, "AADSTS7000218", "dicomreg app update --app app-1 --public-client"},
		{"web redirect without credential", func(r *Registration) {
			r.App.WebRedirects = []string{"https://x/cb"}
			r.App.Secrets = nil
		}, CheckClientType, Error, "web redirect URIs but no secret", "dicomreg app secret add --app app-1"},
		{"nothing to sign in with", func(r *Registration) { r.App.Secrets = nil }, CheckClientType, Error, "cannot get a token", ""},
		{"secret expiring", func(r *Registration) { r.App.Secrets[0].End = now.Add(10 * 24 * time.Hour) }, CheckSecret, Warn, "in 10 days", "dicomreg app secret rotate --app app-1"},
		{"only secret expired", func(r *Registration) { r.App.Secrets[0].End = now.Add(-time.Hour) }, CheckSecret, Error, "AADSTS7000222", "dicomreg app secret rotate --app app-1"},
		{"expired secret beside a valid certificate", func(r *Registration) {
			r.App.Secrets[0].End = now.Add(-time.Hour)
			r.App.Certificates = []Credential{{KeyID: "c1", End: now.Add(400 * 24 * time.Hour)}}
		}, CheckSecret, Warn, "expired at", "dicomreg app secret remove --app app-1 --key-id k1"},
		{"certificate expiring", func(r *Registration) {
			r.App.Certificates = []Credential{{KeyID: "c1", End: now.Add(24 * time.Hour)}}
		}, CheckCertificate, Warn, "in 1 days", "dicomreg app cert create --app app-1"},
		{"no role", func(r *Registration) { r.Roles = nil }, CheckRole, Error, "no DICOM data role",
			"dicomreg role assign --assignee app-1 --role owner --dicom-service " + serviceID},
		{"reader role", func(r *Registration) { r.Roles = []string{"acdd72a7-3385-48ef-bd42-f606fba81ae7", RoleDataReader} }, CheckRole, OK, "read only", ""},
		{"role not checked", func(r *Registration) { r.DICOMServiceID = "" }, CheckRole, Warn, "pass --dicom-service", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := healthy()
			if tt.edit != nil {
				tt.edit(&r)
			}
			fs := Diagnose(r)
			var got []Finding
			for _, f := range fs {
				if f.Check == tt.check {
					got = append(got, f)
				}
			}
			for _, f := range got {
				if f.Severity == tt.severity && strings.Contains(f.Message, tt.message) && strings.Contains(f.Fix, tt.fix) {
					return
				}
			}
			t.Errorf("%s findings %+v, want %s with %q fixed by %q", tt.check, got, tt.severity, tt.message, tt.fix)
		})
	}
}

func TestDiagnoseHealthyHasNoProblems(t *testing.T) {
	for _, f := range Diagnose(healthy()) {
		if f.Severity != OK {
			t.Errorf("healthy registration: %+v", f)
		}
	}
}

// A role assigned minutes ago may not reach the DICOM service yet; doctor says how long ago.
func TestDiagnoseRecentRoleMayNotHavePropagated(t *testing.T) {
	for _, tc := range []struct {
		ago  time.Duration
		want Severity
		note string
	}{
		{2 * time.Minute, Warn, "assigned 2m0s ago"},
		{RoleSettles - time.Second, Warn, "for up to 1s more"},
		{RoleSettles, OK, ""},
	} {
		r := healthy()
		r.RolesAssigned = []time.Time{r.Now.Add(-tc.ago)}
		var got *Finding
		for _, f := range Diagnose(r) {
			if f.Check == CheckRole {
				got = &f
			}
		}
		if got == nil || got.Severity != tc.want || !strings.Contains(got.Message, tc.note) {
			t.Errorf("assigned %s ago: %+v, want %v mentioning %q", tc.ago, got, tc.want, tc.note)
		}
	}
}
