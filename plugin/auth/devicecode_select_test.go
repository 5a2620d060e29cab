package auth

import (
	"context"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/dicomreg/dicomreg/mockgraph"
)

// Item 6 of issue 14: --use-device-code with no environment credentials signs in with the Azure
// CLI's public client for Graph; after the user approves, the token must come back.
func TestUseDeviceCodeForGraph(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(1))
	env := map[string]string{EnvAuthorityHost: srv.AuthorityHost(), EnvTenantID: srv.TenantID()}
	s, err := Select(Options{UseDeviceCode: true, Env: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	w, lines := newLineWriter(t)
	go func() {
		for line := range lines {
			if m := userCodePattern.FindStringSubmatch(line); m != nil {
				if err := srv.ApproveDeviceCode(m[1], srv.Seeded().TestUsername); err != nil {
					t.Errorf("ApproveDeviceCode: %v", err)
				}
				return
			}
		}
	}()
	cred, err := New(s, Interaction{Transport: srv.Client(), Prompt: w})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}); err != nil {
		t.Fatal(err)
	}
}
