package mockgraph

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

func adminDICOMToken(t *testing.T, s *Server) string {
	t.Helper()
	cred, err := azidentity.NewClientSecretCredential(s.TenantID(), s.Seeded().AdminAppID, s.Seeded().AdminSecret, s.CredentialOptions())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{dicomScope}})
	if err != nil {
		t.Fatal(err)
	}
	return tok.Token
}

func jwksKids(t *testing.T, s *Server) []string {
	t.Helper()
	code, body := get(t, s, "/"+s.TenantID()+"/discovery/v2.0/keys")
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if code != http.StatusOK || json.Unmarshal(body, &set) != nil {
		t.Fatalf("JWKS: %d %s", code, body)
	}
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.Kid)
	}
	return out
}

// A rollover through the control API: tokens from azidentity keep working at the DICOM endpoint
// before, during and after it; a token signed by the retired key is refused once its grace ends.
func TestKeyRolloverKeepsTheDICOMEndpointWorking(t *testing.T) {
	s := Start(t, WithFrozenClock(time.Now().UTC().Truncate(time.Second)))
	grantAdminDICOM(t, s)
	before := adminDICOMToken(t, s)
	oldKid := s.keys.KeyID()
	if got := storeInstance(t, s, before, "1.2.826.0.9.2.1"); got != http.StatusOK {
		t.Fatalf("before rollover: %d", got)
	}
	code, body := send(t, s, http.MethodPost, pathKeys, `{"grace":"30m"}`)
	if code != http.StatusOK {
		t.Fatalf("rotate: %d %s", code, body)
	}
	newKid := s.keys.KeyID()
	if kids := jwksKids(t, s); newKid == oldKid || len(kids) != 2 || kids[0] != newKid || kids[1] != oldKid {
		t.Fatalf("JWKS during the grace period: %v (new %s, old %s)", kids, newKid, oldKid)
	}
	during := adminDICOMToken(t, s)
	if got := storeInstance(t, s, before, "1.2.826.0.9.2.2"); got != http.StatusOK {
		t.Errorf("old key during the grace period: %d", got)
	}
	if got := storeInstance(t, s, during, "1.2.826.0.9.2.3"); got != http.StatusOK {
		t.Errorf("new key during the grace period: %d", got)
	}
	s.Clock().Advance(31 * time.Minute)
	if kids := jwksKids(t, s); len(kids) != 1 || kids[0] != newKid {
		t.Errorf("JWKS after the grace period: %v", kids)
	}
	if got := storeInstance(t, s, before, "1.2.826.0.9.2.4"); got != http.StatusUnauthorized {
		t.Errorf("retired key's token: %d, want 401", got)
	}
	var ite *keys.InvalidTokenError
	if _, err := s.keys.Validate(before, keys.Expect{Audiences: []string{"https://dicom.healthcareapis.azure.com"}, Now: s.Clock().Now()}); !errors.As(err, &ite) || ite.Reason != keys.ReasonKeyID {
		t.Errorf("retired key's token: %v", err)
	}
	if got := storeInstance(t, s, during, "1.2.826.0.9.2.5"); got != http.StatusOK {
		t.Errorf("new key's token after the grace period: %d", got)
	}
}

// --rotate-keys-every: the rotation happens on the mock's clock.
func TestScheduledKeyRotation(t *testing.T) {
	s := Start(t, WithFrozenClock(time.Now().UTC()), func(o *Options) { o.KeyRotation = time.Hour; o.KeyGrace = 10 * time.Minute })
	first := jwksKids(t, s)
	s.Clock().Advance(59 * time.Minute)
	if kids := jwksKids(t, s); len(kids) != 1 || kids[0] != first[0] {
		t.Fatalf("before the period: %v", kids)
	}
	s.Clock().Advance(time.Minute)
	if kids := jwksKids(t, s); len(kids) != 2 || kids[1] != first[0] {
		t.Fatalf("at the period: %v", kids)
	}
	s.Clock().Advance(10 * time.Minute)
	if kids := jwksKids(t, s); len(kids) != 1 || kids[0] == first[0] {
		t.Fatalf("after the grace: %v", kids)
	}
}

// grantAdminDICOM gives the seeded admin DICOM Data Owner on the seeded service.
func grantAdminDICOM(t *testing.T, s *Server) {
	t.Helper()
	_ = s.store.Update(func(d *tenant.Directory) error {
		now := s.Clock().Now().Add(-seedAge)
		d.PutRoleAssignment(&tenant.RoleAssignment{Name: s.rand.GUID(), Scope: d.Seeded.DicomServiceID, RoleDefinitionID: tenant.RoleDefDICOMDataOwner,
			PrincipalID: d.Seeded.AdminSPID, PrincipalType: "ServicePrincipal", CreatedOn: now, UpdatedOn: now})
		return nil
	})
}

// TestRotatedKeysSurviveRestart: with a state file, a server restarted after a rotation signs
// with the new key and still accepts tokens of the replaced one until its grace ends — tokens
// clients hold keep working across the mock's restart, as they do across Entra's.
func TestRotatedKeysSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	state, keyFile := filepath.Join(dir, "state.db"), filepath.Join(dir, "key.pem")
	start := func() *Server {
		s, err := New(WithStateFile(state), WithKeyFile(keyFile))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s1 := start()
	before, _ := s1.keys.Sign(map[string]any{"aud": "a", "exp": time.Now().Add(time.Hour).Unix()})
	newKid, err := s1.RotateKeys(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := s1.keys.Sign(map[string]any{"aud": "a", "exp": time.Now().Add(time.Hour).Unix()})
	s1.Close()

	s2 := start()
	defer s2.Close()
	if s2.keys.KeyID() != newKid {
		t.Fatalf("after the restart the active key is %s, want the rotated %s", s2.keys.KeyID(), newKid)
	}
	for name, tok := range map[string]string{"before the rotation": before, "after it": after} {
		if _, err := s2.keys.Validate(tok, keysExpect("a")); err != nil {
			t.Errorf("a token signed %s no longer validates after the restart: %v", name, err)
		}
	}
	st := s2.keys.State()
	if len(st) != 2 || st[1].RetireAt == nil {
		t.Fatalf("published keys after the restart: %+v, want the new one and the old one retiring", st)
	}
	// Once the grace is over the replaced key goes, restart or not.
	if _, err := s2.keys.Validate(before, keys.Expect{Audiences: []string{"a"}, Now: st[1].RetireAt.Add(time.Second)}); err == nil {
		t.Error("the replaced key still validates after its grace")
	}
}
