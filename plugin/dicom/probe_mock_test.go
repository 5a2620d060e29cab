package dicom

import (
	"context"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/dicomreg/dicomreg/mockgraph"
	"github.com/dicomreg/dicomreg/plugin/auth"
)

// TestProbeAgainstMock runs the probe and its explanation against the mock's DICOM service:
// the seeded admin first without a DICOM data role (403), then with one (2xx), and with a Graph
// token (401, wrong audience). A token-less probe must get the 401 every DICOM service gives.
func TestProbeAgainstMock(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(4))
	seeded := srv.Seeded()
	cred, err := auth.New(auth.Settings{Flow: auth.FlowClientSecret, TenantID: srv.TenantID(), AuthorityHost: srv.AuthorityHost(),
		ClientID: seeded.AdminAppID, Secret: auth.Secret(seeded.AdminSecret)}, auth.Interaction{Transport: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	token := func(scope string) string {
		tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{scope}})
		if err != nil {
			t.Fatal(err)
		}
		return tok.Token
	}
	dicomToken, graphToken := token(AppOnlyScope), token("https://graph.microsoft.com/.default")
	if res, err := Probe(context.Background(), srv.Client(), srv.DICOMURL(), "x.y.z"); err != nil || res.Status != 401 {
		t.Fatalf("a probe with a malformed token: %+v, %v; want 401", res, err)
	}
	grantRole := func() {
		if err := srv.AssignRole(seeded.AdminSPID, mockgraph.RoleDICOMDataOwner, seeded.DicomServiceID); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name    string
		before  func()
		token   string
		status  int
		check   string
		message string
		fix     string
	}{
		{"no role", nil, dicomToken, 403, CheckRole, "has no DICOM data role",
			"dicomreg role assign --assignee " + seeded.AdminAppID + " --role owner --dicom-service " + seeded.DicomServiceID},
		{"wrong audience", nil, graphToken, 401, CheckAudience, "is not the DICOM service", AppOnlyScope},
		{"with a role", grantRole, dicomToken, 0, CheckProbe, "accepted", ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.before != nil {
				st.before()
			}
			res, err := Probe(context.Background(), srv.Client(), srv.DICOMURL(), st.token)
			if err != nil {
				t.Fatal(err)
			}
			if st.status != 0 && res.Status != st.status || st.status == 0 && !res.OK() {
				t.Fatalf("status %d (%s), want %d", res.Status, res.Message, st.status)
			}
			if st.status == 401 && (res.Challenge == nil || res.Challenge.ResourceID() != Resource) {
				t.Errorf("401 challenge = %+v", res.Challenge)
			}
			tok, err := auth.DecodeToken(st.token)
			if err != nil {
				t.Fatal(err)
			}
			fs := Explain(res, tok, srv.Clock().Now(), seeded.DicomServiceID)
			for _, f := range fs {
				if f.Check == st.check && strings.Contains(f.Message, st.message) && strings.Contains(f.Fix, st.fix) {
					return
				}
			}
			t.Errorf("findings %+v, want %s with %q and fix %q", fs, st.check, st.message, st.fix)
		})
	}
}
