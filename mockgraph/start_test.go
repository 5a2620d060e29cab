package mockgraph

import (
	"context"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/dicomreg/dicomreg/mockgraph/internal/keys"
)

// The README's library example, as a test: azidentity gets a DICOM token from a fresh server with
// nothing but the server's own options.
func TestLibraryExampleGetsADICOMToken(t *testing.T) {
	srv := Start(t)
	cred, err := azidentity.NewClientSecretCredential(srv.TenantID(), srv.Seeded().AdminAppID, srv.Seeded().AdminSecret, srv.CredentialOptions())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://dicom.healthcareapis.azure.com/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	claims, err := srv.keys.Validate(tok.Token, keys.Expect{
		Audiences: []string{"https://dicom.healthcareapis.azure.com"},
		Issuers:   []string{"https://sts.windows.net/" + srv.TenantID() + "/"},
		Now:       srv.Clock().Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if claims["appid"] != srv.Seeded().AdminAppID || claims["oid"] != srv.Seeded().AdminSPID {
		t.Fatalf("claims: %v", claims)
	}
}
