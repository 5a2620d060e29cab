package tenant

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/rng"
)

var seedTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func seeded(t *testing.T) *Directory {
	t.Helper()
	return Seed(rng.New(1), SeedOptions{Now: seedTime})
}

func TestSeedIsDeterministicAndComplete(t *testing.T) {
	a, b := seeded(t), seeded(t)
	if a.TenantID != b.TenantID || a.Seeded != b.Seeded {
		t.Fatalf("same seed gave different tenants: %+v vs %+v", a.Seeded, b.Seeded)
	}
	dicom := a.ServicePrincipalByName(DICOMResource)
	if dicom == nil || dicom.AppID != DICOMAppID {
		t.Fatalf("DICOM principal not found by its servicePrincipalName: %+v", dicom)
	}
	if a.ServicePrincipalByName(DICOMResource+"/") != dicom {
		t.Fatal("DICOM principal not found by the name with a trailing slash")
	}
	if len(dicom.OAuth2PermissionScopes) != 1 || dicom.OAuth2PermissionScopes[0].ID != DICOMReadWriteID {
		t.Fatalf("DICOM scope: %+v", dicom.OAuth2PermissionScopes)
	}
	admin := a.ApplicationByAppID(a.Seeded.AdminAppID)
	if admin == nil || a.MatchSecret(admin, a.Seeded.AdminSecret) == nil {
		t.Fatal("admin secret does not match")
	}
	if a.MatchSecret(admin, "wrong") != nil {
		t.Fatal("wrong secret matched")
	}
	roles := a.AssignedRoles(a.Seeded.AdminSPID, a.Seeded.GraphPrincipalID)
	if !strings.Contains(strings.Join(roles, " "), "Application.ReadWrite.All") {
		t.Fatalf("admin Graph roles: %v", roles)
	}
	u := a.UserByUPN(strings.ToUpper(a.Seeded.TestUsername))
	if u == nil || !a.CheckPassword(u, a.Seeded.TestPassword) || a.CheckPassword(u, "nope") {
		t.Fatal("test user lookup or password check failed")
	}
	if got := a.EffectiveRoles(a.Seeded.AdminSPID, a.Seeded.DicomServiceID); len(got) != 1 || got[0] != RoleDefOwner {
		t.Fatalf("admin roles at DICOM service: %v", got)
	}
	if Seed(rng.New(1), SeedOptions{Now: seedTime, NoDICOMPrincipal: true}).ServicePrincipalByName(DICOMResource) != nil {
		t.Fatal("NoDICOMPrincipal still seeded the DICOM principal")
	}
}

func TestIndexesFollowReplaceAndDelete(t *testing.T) {
	d := seeded(t)
	name := "unique-1"
	app := &Application{ID: "A1", AppID: "B1", DisplayName: "x", UniqueName: &name}
	d.PutApplication(app)
	d.SetSecretHash("k1", HashSecret("s1"))
	c := d.ApplicationByAppID("b1").Clone()
	c.PasswordCredentials = []PasswordCredential{{KeyID: "k1"}}
	other := "unique-2"
	c.UniqueName = &other
	d.PutApplication(c)
	if d.ApplicationByUniqueName("unique-1") != nil || d.ApplicationByUniqueName("UNIQUE-2") != c {
		t.Fatal("uniqueName index not moved")
	}
	if d.MatchSecret(c, "s1") == nil {
		t.Fatal("secret lost on replace")
	}
	if len(app.PasswordCredentials) != 0 {
		t.Fatal("clone shares storage with the original")
	}
	c2 := c.Clone()
	c2.PasswordCredentials = nil
	d.PutApplication(c2)
	if _, ok := d.secretHashes["k1"]; ok {
		t.Fatal("removed credential kept its hash")
	}
	if !d.DeleteApplication("a1") || d.ApplicationByAppID("B1") != nil || d.Application("A1") != nil {
		t.Fatal("delete left the app reachable")
	}
}

func TestConsentedScopes(t *testing.T) {
	d := seeded(t)
	user := "u1"
	d.PutGrant(&OAuth2PermissionGrant{ID: "g1", ClientID: "c", ResourceID: "r", ConsentType: "AllPrincipals", Scope: "A B"})
	d.PutGrant(&OAuth2PermissionGrant{ID: "g2", ClientID: "c", ResourceID: "r", ConsentType: "Principal", PrincipalID: &user, Scope: "C"})
	if got := strings.Join(d.ConsentedScopes("c", "r", ""), " "); got != "A B" {
		t.Fatalf("all principals: %q", got)
	}
	if got := strings.Join(d.ConsentedScopes("c", "r", "U1"), " "); got != "A B C" {
		t.Fatalf("for user: %q", got)
	}
}

func TestStateFileRoundTripAndCorruption(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, err := OpenStore(path, func() (*Directory, error) { return seeded(t), nil })
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(d *Directory) error {
		d.PutApplication(&Application{ID: "app-1", AppID: "client-1", DisplayName: "persisted"})
		d.PutDicomInstance(&DicomInstance{Service: "ws-svc", StudyInstanceUID: "1.2", SeriesInstanceUID: "1.2.3", SOPInstanceUID: "1.2.3.4", Data: []byte{1, 2}})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode: %v %v", fi, err)
	}
	if _, err := OpenStore(path, nil); err == nil {
		t.Fatal("a second store opened the state the first one holds")
	}
	s.Close()
	again, err := OpenStore(path, func() (*Directory, error) { t.Fatal("reseeded an existing state"); return nil, nil })
	if err != nil {
		t.Fatal(err)
	}
	again.Close()
	_ = again.View(func(d *Directory) error {
		if a := d.ApplicationByAppID("client-1"); a == nil || a.DisplayName != "persisted" {
			t.Fatalf("app not restored: %+v", a)
		}
		if u := d.UserByUPN(d.Seeded.TestUsername); u == nil || !d.CheckPassword(u, d.Seeded.TestPassword) {
			t.Fatal("user password not restored")
		}
		if admin := d.ApplicationByAppID(d.Seeded.AdminAppID); d.MatchSecret(admin, d.Seeded.AdminSecret) == nil {
			t.Fatal("admin secret hash not restored")
		}
		if len(d.ChangeFeed("ws-svc", 0, 10)) != 1 || d.DicomInstance("ws-svc", "1.2.3.4") == nil {
			t.Fatal("DICOM data not restored")
		}
		return nil
	})
	if err := os.WriteFile(path, []byte(`{"version":1,"tenantId":`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenStore(path, func() (*Directory, error) { return seeded(t), nil }); err == nil {
		t.Fatal("a corrupt state file was accepted")
	}
}

func TestEffectiveRolesInheritFromParentScope(t *testing.T) {
	d := NewDirectory("t")
	d.PutRoleAssignment(&RoleAssignment{Name: "r1", Scope: "/subscriptions/S", RoleDefinitionID: RoleDefDICOMDataReader, PrincipalID: "p"})
	if got := d.EffectiveRoles("P", "/subscriptions/s/resourceGroups/rg"); len(got) != 1 {
		t.Fatalf("inherited roles: %v", got)
	}
	if got := d.EffectiveRoles("p", "/subscriptions/s2"); len(got) != 0 {
		t.Fatalf("sibling scope leaked: %v", got)
	}
}

func TestDisplayNameIndexFollowsRenameAndDelete(t *testing.T) {
	d := seeded(t)
	d.PutApplication(&Application{ID: "N1", AppID: "M1", DisplayName: "Viewer"})
	d.PutApplication(&Application{ID: "N2", AppID: "M2", DisplayName: "viewer"})
	if got := d.ApplicationsByDisplayName("VIEWER"); len(got) != 2 || got[0].ID != "N1" || got[1].ID != "N2" {
		t.Fatalf("by name, oldest first: %+v", got)
	}
	renamed := d.Application("N1").Clone()
	renamed.DisplayName = "Viewer Prod"
	d.PutApplication(renamed)
	if got := d.ApplicationsByDisplayName("viewer"); len(got) != 1 || got[0].ID != "N2" {
		t.Fatalf("after rename, old name: %+v", got)
	}
	if got := d.ApplicationsByDisplayName("viewer prod"); len(got) != 1 || got[0] != renamed {
		t.Fatalf("after rename, new name: %+v", got)
	}
	d.DeleteApplication("n2")
	if got := d.ApplicationsByDisplayName("viewer"); len(got) != 0 {
		t.Fatalf("after delete: %+v", got)
	}
	if _, ok := d.appsByName["viewer"]; ok {
		t.Fatal("an empty name entry is kept")
	}
}

func TestStudyIndexFollowsReplaceDeleteAndReload(t *testing.T) {
	d := seeded(t)
	put := func(study, sop string) {
		d.PutDicomInstance(&DicomInstance{Service: "WS-svc", StudyInstanceUID: study, SeriesInstanceUID: study + ".1", SOPInstanceUID: sop})
	}
	put("1.1", "1.1.1.1")
	put("1.1", "1.1.1.2")
	put("2.2", "2.2.1.1")
	put("2.2", "1.1.1.2") // the same SOP instance stored again under another study
	sops := func(d *Directory, study string) (out []string) {
		for _, in := range d.DicomInstancesOfStudy("ws-SVC", study) {
			out = append(out, in.SOPInstanceUID)
		}
		return out
	}
	if got := sops(d, "1.1"); len(got) != 1 || got[0] != "1.1.1.1" {
		t.Fatalf("study 1.1: %v", got)
	}
	if got := sops(d, "2.2"); len(got) != 2 {
		t.Fatalf("study 2.2: %v", got)
	}
	data, err := MarshalState(d)
	if err != nil {
		t.Fatal(err)
	}
	reloaded, err := UnmarshalState(data)
	if err != nil || len(sops(reloaded, "2.2")) != 2 {
		t.Fatalf("index after reload: %v %v", sops(reloaded, "2.2"), err)
	}
	d.DeleteDicomInstance("ws-svc", "1.1.1.1", ChangeFeedEntry{})
	if got := sops(d, "1.1"); len(got) != 0 {
		t.Fatalf("after delete: %v", got)
	}
}
