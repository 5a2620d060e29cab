package converge

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dicomreg/dicomreg/plugin/certs"
	"github.com/dicomreg/dicomreg/plugin/directory"
)

const testService = "/subscriptions/00000000-0000-0000-0000-0000000000a1/resourceGroups/rg-1/providers/Microsoft.HealthcareApis/workspaces/ws/dicomservices/svc"

func testEngine(d *fakeDirectory) (*Engine, *[]string) {
	var said []string
	return &Engine{Dir: d, Now: func() Time { return fakeNow }, Progress: func(m string) { said = append(said, m) },
		Warn: func(m string) { said = append(said, "WARNING: "+m) }}, &said
}

func viewer() *Registration {
	return &Registration{Name: "viewer", Postman: true, Secret: true, GrantAdminConsent: true, Role: "owner", DicomService: testService}
}

func mustRegister(t *testing.T, e *Engine, reg *Registration) *Result {
	t.Helper()
	if err := reg.Validate(); err != nil {
		t.Fatal(err)
	}
	res, err := e.Register(context.Background(), reg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRegisterCreatesEverythingOnceThenChangesNothing(t *testing.T) {
	d := newFakeDirectory()
	e, said := testEngine(d)
	res := mustRegister(t, e, viewer())
	want := []string{"created application viewer", "added client secret", "created service principal", "granted admin consent for Azure API for DICOM / Dicom.ReadWrite", "assigned role owner"}
	if len(res.Changes) != len(want) {
		t.Fatalf("changes %q, want %d", res.Changes, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(res.Changes[i], w) {
			t.Errorf("change %d = %q, want %q…", i, res.Changes[i], w)
		}
	}
	// 4 reads: the DICOM service is read before the first write (issue 14 item 10).
	if d.writes != 5 || d.reads != 4 {
		t.Errorf("a new registration took %d reads and %d writes (%v), want 4 and 5", d.reads, d.writes, d.calls)
	}
	if res.ClientSecret == "" || res.TenantID != "tenant-1" || res.ServicePrincipalID == "" || res.AppID == "" {
		t.Errorf("result %+v", res)
	}
	if !slices.Contains(*said, "WARNING: the client secret is shown once; store it now (or use --secret-out FILE)") {
		t.Errorf("no warning that the secret is shown once: %q", *said)
	}
	app := d.apps[0]
	if app.SignInAudience != SignInAudienceMyOrg || app.PublicClient == nil || app.PublicClient.RedirectURIs[0] != PostmanRedirectURI ||
		app.RequiredResourceAccess[0].ResourceAccess[0].ID != dicomSP().OAuth2PermissionScopes[0].ID {
		t.Errorf("created app %+v", app)
	}

	d.calls, d.reads, d.writes = nil, 0, 0
	again := mustRegister(t, e, viewer())
	if len(again.Changes) != 0 || d.writes != 0 || again.ClientSecret != "" || again.AppID != res.AppID {
		t.Errorf("re-run: changes %q, %d writes (%v), result %+v", again.Changes, d.writes, d.calls, again)
	}
	if d.reads > 6 {
		t.Errorf("re-run took %d reads (%v), want ≤ 6", d.reads, d.calls)
	}
}

func TestRegisterRefusesTwoAppsWithTheName(t *testing.T) {
	d := newFakeDirectory()
	d.apps = []*Application{{ID: "o1", AppID: "a1", DisplayName: "viewer"}, {ID: "o2", AppID: "a2", DisplayName: "viewer"}}
	e, _ := testEngine(d)
	reg := viewer()
	_ = reg.Validate()
	_, err := e.Register(context.Background(), reg)
	var conflict *ConflictError
	if !errors.As(err, &conflict) || !strings.Contains(err.Error(), "appId a1") || !strings.Contains(err.Error(), "appId a2") {
		t.Fatalf("err = %v, want a conflict naming both apps", err)
	}
	if d.writes != 0 {
		t.Errorf("%d writes after refusing", d.writes)
	}
}

func TestRegisterWithoutDICOMPrincipalSaysWhatToDo(t *testing.T) {
	d := newFakeDirectory()
	d.sps = nil
	e, _ := testEngine(d)
	reg := viewer()
	_ = reg.Validate()
	_, err := e.Register(context.Background(), reg)
	var nf *NotFoundError
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "no DICOM service has been deployed") || !strings.Contains(err.Error(), "--no-dicom-permission") {
		t.Fatalf("err = %v", err)
	}
	if d.writes != 0 {
		t.Errorf("%d writes", d.writes)
	}
}

func TestRegisterPatchesOnlyWhatIsMissingAndNeverRemoves(t *testing.T) {
	d := newFakeDirectory()
	d.apps = []*Application{{ID: "o1", AppID: "a1", DisplayName: "viewer",
		PublicClient: &RedirectURIs{RedirectURIs: []string{"http://localhost:8400"}},
		Web:          &RedirectURIs{RedirectURIs: []string{"https://keep.example/cb"}},
		RequiredResourceAccess: []RequiredResourceAccess{{ResourceAppID: "00000003-0000-0000-c000-000000000000",
			ResourceAccess: []ResourceAccess{{ID: "e1fe6dd8-ba31-4d61-89e7-88639da4683d", Type: "Scope"}}}}}}
	e, _ := testEngine(d)
	reg := &Registration{Name: "viewer", Postman: true, PublicClient: true}
	res := mustRegister(t, e, reg)
	if got := strings.Join(res.Changes, "; "); !strings.Contains(got, "allowed public client flows") ||
		!strings.Contains(got, "added mobile redirect URI "+PostmanRedirectURI) || !strings.Contains(got, "added API permission") {
		t.Errorf("changes %q", res.Changes)
	}
	if n := slices.Index(d.calls, "PatchApplication"); n < 0 || slices.Index(d.calls[n+1:], "PatchApplication") >= 0 {
		t.Errorf("want exactly one PATCH of the app: %v", d.calls)
	}
	app := d.apps[0]
	if !slices.Equal(app.PublicClient.RedirectURIs, []string{"http://localhost:8400", PostmanRedirectURI}) ||
		!slices.Equal(app.Web.RedirectURIs, []string{"https://keep.example/cb"}) || len(app.RequiredResourceAccess) != 2 || !IsPublicClient(app) {
		t.Errorf("app after the patch %+v", app)
	}
}

func TestAdminConsentMergesIntoTheExistingGrant(t *testing.T) {
	d := newFakeDirectory()
	d.apps = []*Application{{ID: "o1", AppID: "a1", DisplayName: "viewer"}}
	d.sps = append(d.sps, &ServicePrincipal{ID: "sp-viewer", AppID: "a1"})
	d.grants = []*Grant{{ID: "g1", ClientID: "sp-viewer", ConsentType: ConsentAllPrincipals, ResourceID: "sp-dicom", Scope: "Other.Read"}}
	e, _ := testEngine(d)
	res := mustRegister(t, e, &Registration{Name: "viewer", GrantAdminConsent: true})
	if len(d.grants) != 1 || d.grants[0].Scope != "Other.Read Dicom.ReadWrite" || slices.Contains(d.calls, "CreateGrant") {
		t.Errorf("grants %+v, calls %v", d.grants[0], d.calls)
	}
	if !slices.Contains(res.Changes, "added Dicom.ReadWrite to the admin consent for Azure API for DICOM") {
		t.Errorf("changes %q", res.Changes)
	}
}

func TestRoleHeldAboveTheServiceIsEnough(t *testing.T) {
	d := newFakeDirectory()
	d.apps = []*Application{{ID: "o1", AppID: "a1", DisplayName: "viewer"}}
	d.sps = append(d.sps, &ServicePrincipal{ID: "sp-viewer", AppID: "a1"})
	d.roles = []RoleAssignment{roleAssignment("/subscriptions/00000000-0000-0000-0000-0000000000a1/resourceGroups/rg-1", "ra1", directory.BuiltInRoles["owner"], "sp-viewer", "ServicePrincipal")}
	e, _ := testEngine(d)
	mustRegister(t, e, &Registration{Name: "viewer", NoDICOMPermission: true, Role: "DICOM Data Owner", DicomService: testService})
	if slices.Contains(d.calls, "CreateRoleAssignment") {
		t.Errorf("assigned a role the principal holds on the resource group: %v", d.calls)
	}
	// A sibling resource group's name starting with the same letters does not cover the service.
	d.roles = []RoleAssignment{roleAssignment("/subscriptions/00000000-0000-0000-0000-0000000000a1/resourceGroups/rg", "ra1", directory.BuiltInRoles["owner"], "sp-viewer", "ServicePrincipal")}
	mustRegister(t, e, &Registration{Name: "viewer", NoDICOMPermission: true, Role: "owner", DicomService: testService})
	if !slices.Contains(d.calls, "CreateRoleAssignment") {
		t.Errorf("took an assignment on .../resourceGroups/rg for one covering rg-1: %v", d.calls)
	}
}

func TestServicePrincipalNotYetReadableIsAwaitedNotDuplicated(t *testing.T) {
	d := newFakeDirectory()
	d.apps = []*Application{{ID: "o1", AppID: "a1", DisplayName: "viewer"}}
	d.hiddenSPs["a1"] = &ServicePrincipal{ID: "sp-viewer", AppID: "a1"}
	e, _ := testEngine(d)
	res := mustRegister(t, e, &Registration{Name: "viewer", GrantAdminConsent: true})
	if res.ServicePrincipalID != "sp-viewer" || slices.ContainsFunc(res.Changes, func(c string) bool { return strings.Contains(c, "created service principal") }) {
		t.Errorf("result %+v", res)
	}
	if !slices.Contains(d.calls, "AwaitServicePrincipal") || !slices.Contains(d.calls, "Grants") {
		t.Errorf("an existing principal's grants must be read before granting: %v", d.calls)
	}
}

func TestRegisterStopsAtTheFailingCallAndReturnsWhatItDid(t *testing.T) {
	boom := &directory.Error{Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."}
	d := newFakeDirectory()
	d.failOn["CreateGrant"] = boom
	e, _ := testEngine(d)
	reg := viewer()
	_ = reg.Validate()
	res, err := e.Register(context.Background(), reg)
	if !errors.Is(err, boom) || res == nil || res.AppID == "" || len(res.Changes) != 3 {
		t.Fatalf("res %+v, err %v", res, err)
	}
	if slices.Contains(d.calls, "CreateRoleAssignment") {
		t.Error("went on after the failed consent")
	}
	// The next run picks up where this one stopped.
	res = mustRegister(t, e, viewer())
	if len(res.Changes) != 2 || len(d.apps) != 1 || len(d.sps) != 2 {
		t.Errorf("second run: %q; %d apps, %d principals", res.Changes, len(d.apps), len(d.sps))
	}
}

func TestSecretFileProtocolReplacesASecretWhoseValueWasLost(t *testing.T) {
	d := newFakeDirectory()
	e, said := testEngine(d)
	file := filepath.Join(t.TempDir(), "viewer.env")
	reg := &Registration{Name: "viewer", NoDICOMPermission: true, SecretOut: file}
	d.lose["AddPassword"] = true
	if err := reg.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Register(context.Background(), reg); !errors.Is(err, errKilled) {
		t.Fatalf("err = %v", err)
	}
	lost := d.apps[0].PasswordCredentials[0]
	if pending, err := PendingSecret(file, d.apps[0].AppID); err != nil || pending != lost.DisplayName {
		t.Fatalf("the file names %q (%v), want the secret being made, %q", pending, err, lost.DisplayName)
	}

	res := mustRegister(t, e, &Registration{Name: "viewer", NoDICOMPermission: true, SecretOut: file})
	creds := d.apps[0].PasswordCredentials
	if len(creds) != 1 || creds[0].KeyID == lost.KeyID {
		t.Fatalf("secrets after the second run %+v, want one, not %s", creds, lost.KeyID)
	}
	if !strings.HasPrefix(res.Changes[0], "removed client secret") || res.SecretFile != file || res.ClientSecret != "" {
		t.Errorf("result %+v", res)
	}
	data, err := os.ReadFile(file)
	st, _ := os.Stat(file)
	if err != nil || st.Mode().Perm() != 0o600 || !strings.Contains(string(data), "AZURE_CLIENT_SECRET=S3cret~") || strings.Contains(string(data), pendingSecretMarker) {
		t.Errorf("file %q mode %v (%v)", data, st.Mode(), err)
	}
	if strings.Contains(strings.Join(*said, "\n"), "S3cret~") {
		t.Error("progress reveals the secret written to the file")
	}
	// A third run finds a valid dicomreg secret and a complete file: nothing to do.
	d.writes = 0
	if res := mustRegister(t, e, &Registration{Name: "viewer", NoDICOMPermission: true, SecretOut: file}); len(res.Changes) != 0 || d.writes != 0 {
		t.Errorf("third run: %q, %d writes", res.Changes, d.writes)
	}
}

func TestSecretIsNotRenewedWhileOneIsValid(t *testing.T) {
	d := newFakeDirectory()
	d.apps = []*Application{{ID: "o1", AppID: "a1", DisplayName: "viewer", PasswordCredentials: []PasswordCredential{
		{KeyID: "expired", DisplayName: SecretDisplayName, EndDateTime: fakeNow.Add(-Hour)},
		{KeyID: "theirs", DisplayName: "someone else's", EndDateTime: fakeNow.AddDate(1, 0, 0)},
	}}}
	d.sps = append(d.sps, &ServicePrincipal{ID: "sp-viewer", AppID: "a1"})
	e, _ := testEngine(d)
	mustRegister(t, e, &Registration{Name: "viewer", NoDICOMPermission: true, Secret: true})
	if n := len(d.apps[0].PasswordCredentials); n != 3 {
		t.Fatalf("%d secrets, want a new one beside the expired one and another tool's", n)
	}
	d.writes = 0
	mustRegister(t, e, &Registration{Name: "viewer", NoDICOMPermission: true, Secret: true})
	if d.writes != 0 {
		t.Errorf("renewed a valid secret")
	}
	mustRegister(t, e, &Registration{Name: "viewer", NoDICOMPermission: true, NewSecret: true})
	if n := len(d.apps[0].PasswordCredentials); n != 4 {
		t.Errorf("--new-secret: %d secrets, want 4", n)
	}
}

func TestCertificatesAreUploadedOnce(t *testing.T) {
	dir := t.TempDir()
	d := newFakeDirectory()
	e, _ := testEngine(d)
	pem := filepath.Join(dir, "viewer.pem")
	res := mustRegister(t, e, &Registration{Name: "viewer", NoDICOMPermission: true, Cert: true, CertOut: pem})
	if len(d.apps[0].KeyCredentials) != 1 || res.CertificateFile != pem || res.Thumbprint == "" {
		t.Fatalf("result %+v, keys %+v", res, d.apps[0].KeyCredentials)
	}
	if st, err := os.Stat(pem); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	if c, err := certs.LoadCertificate(pem); err != nil || !c.NotAfter.Equal(fakeNow.Add(CertificateValidity)) {
		t.Errorf("certificate not made by the engine's clock: %v (%v)", c.NotAfter, err)
	}
	d.writes = 0
	mustRegister(t, e, &Registration{Name: "viewer", NoDICOMPermission: true, Cert: true, CertOut: filepath.Join(dir, "again.pem")})
	if d.writes != 0 {
		t.Error("made a second certificate while the first is valid")
	}
	// Upload: an existing certificate by thumbprint changes nothing; a new one is added to
	// the collection, which goes back whole.
	res = mustRegister(t, e, &Registration{Name: "viewer", NoDICOMPermission: true, CertFile: pem})
	if d.writes != 0 || res.Thumbprint == "" {
		t.Errorf("re-upload: %d writes, %+v", d.writes, res)
	}
	other, err := certs.SelfSigned("other", Hour)
	if err != nil {
		t.Fatal(err)
	}
	otherFile := filepath.Join(dir, "other.pem")
	if err := certs.WritePEM(otherFile, other); err != nil {
		t.Fatal(err)
	}
	mustRegister(t, e, &Registration{Name: "viewer", NoDICOMPermission: true, CertFile: otherFile})
	if len(d.apps[0].KeyCredentials) != 2 || !slices.Contains(d.calls, "GetApplicationKeys") {
		t.Errorf("keys %d, calls %v", len(d.apps[0].KeyCredentials), d.calls)
	}
	var invalid *InvalidError
	if _, err := e.Register(context.Background(), &Registration{Name: "viewer", NoDICOMPermission: true, CertFile: filepath.Join(dir, "missing.pem")}); !errors.As(err, &invalid) {
		t.Errorf("a missing --cert-file: %v, want an InvalidError", err)
	}
}

// A confidential app with nothing to sign in with is warned about; one that gets a federated
// credential (register --federated) is not: that is its credential.
func TestNoCredentialWarningUnlessFederated(t *testing.T) {
	warned := func(reg *Registration) bool {
		e, said := testEngine(newFakeDirectory())
		mustRegister(t, e, reg)
		return slices.ContainsFunc(*said, func(m string) bool { return strings.Contains(m, "cannot get a token") })
	}
	if !warned(&Registration{Name: "uploader"}) {
		t.Error("no warning for an app with no credential")
	}
	if warned(&Registration{Name: "uploader", Federated: true}) {
		t.Error("warned although the app gets a federated credential")
	}
}

// The manifest example's placeholder id (README) is refused before any request, as ARM would
// refuse its subscription (InvalidSubscriptionId); a real id passes.
func TestDICOMServiceIDNeedsASubscriptionGUID(t *testing.T) {
	placeholder := "/subscriptions/…/resourceGroups/…/providers/Microsoft.HealthcareApis/workspaces/…/dicomservices/…"
	for _, id := range []string{placeholder, "/subscriptions/my-sub/resourceGroups/rg/providers/Microsoft.HealthcareApis/workspaces/ws/dicomservices/svc"} {
		err := CheckDICOMServiceID(id)
		var inv *InvalidError
		if !errors.As(err, &inv) || !strings.Contains(err.Error(), "not a subscription id") {
			t.Errorf("%s: %v, want a usage error about the subscription", id, err)
		}
	}
	if err := CheckDICOMServiceID(testService); err != nil {
		t.Error(err)
	}
}
