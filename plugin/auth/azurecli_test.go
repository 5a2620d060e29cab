package auth

import (
	"context"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

type deadlineProbe struct{ left time.Duration }

func (p *deadlineProbe) GetToken(ctx context.Context, _ policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if d, ok := ctx.Deadline(); ok {
		p.left = time.Until(d)
	}
	return azcore.AccessToken{}, nil
}

// azidentity gives `az account get-access-token` 10 s unless the context has a deadline: the
// wrapper sets a longer one, and leaves a caller's own alone.
func TestAzureCLIPatience(t *testing.T) {
	probe := &deadlineProbe{}
	c := azureCLIPatience{probe}
	if _, err := c.GetToken(context.Background(), policy.TokenRequestOptions{}); err != nil || probe.left < azureCLITimeout-5*time.Second {
		t.Errorf("no caller deadline: %v left (%v)", probe.left, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, _ = c.GetToken(ctx, policy.TokenRequestOptions{}); probe.left > 2*time.Second {
		t.Errorf("caller's deadline replaced: %v left", probe.left)
	}
}
