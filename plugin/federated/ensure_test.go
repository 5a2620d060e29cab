package federated

import (
	"context"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/dicomreg/dicomreg/mockgraph"
	"github.com/dicomreg/dicomreg/plugin/directory"
)

// Against the mock's Graph: Ensure adds once, converges on the second run, refuses a name clash.
func TestEnsureConverges(t *testing.T) {
	srv := mockgraph.Start(t)
	cred, err := azidentity.NewClientSecretCredential(srv.TenantID(), srv.Seeded().AdminAppID, srv.Seeded().AdminSecret, srv.CredentialOptions())
	if err != nil {
		t.Fatal(err)
	}
	c := directory.New(srv.GraphURL(), srv.ARMURL(), cred, directory.Options{Transport: srv.Client()})
	ctx := context.Background()
	app := srv.Seeded().AdminAppObjectID
	want, err := Parse(Spec{Value: "github:octo/imaging", Branch: "main"})
	if err != nil {
		t.Fatal(err)
	}
	for i, wantCreated := range []bool{true, false} {
		created, err := Ensure(ctx, c, app, want)
		if err != nil || created != wantCreated {
			t.Fatalf("run %d: created %v, %v", i, created, err)
		}
	}
	clash := want
	clash.Subject = "repo:octo/imaging:pull_request"
	if _, err := Ensure(ctx, c, app, clash); err == nil {
		t.Error("a name clash was not refused")
	}
	have, err := c.ListFederatedCredentials(ctx, app)
	if err != nil || len(have) != 1 || have[0].Subject != want.Subject {
		t.Fatalf("list: %+v %v", have, err)
	}
	if err := c.DeleteFederatedCredential(ctx, app, have[0].ID); err != nil {
		t.Fatal(err)
	}
}
