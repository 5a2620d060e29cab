package directory

import (
	"context"
	"net/http"
	"net/url"
)

// FederatedCredential is a federated identity credential of an application
// (Graph resources/federatedidentitycredential.md).
type FederatedCredential struct {
	ID          string   `json:"id,omitempty"`
	Name        string   `json:"name"`
	Issuer      string   `json:"issuer"`
	Subject     string   `json:"subject"`
	Audiences   []string `json:"audiences"`
	Description *string  `json:"description,omitempty"`
}

func federatedPath(appObjectID string) string {
	return "/applications/" + url.PathEscape(appObjectID) + "/federatedIdentityCredentials"
}

// ListFederatedCredentials returns the app's federated identity credentials (at most 20).
func (c *Client) ListFederatedCredentials(ctx context.Context, appObjectID string) ([]FederatedCredential, error) {
	var out []FederatedCredential
	err := c.retryLag(ctx, func() (err error) {
		out, err = graphList[FederatedCredential](ctx, c, federatedPath(appObjectID), url.Values{})
		return err
	})
	return out, err
}

// AddFederatedCredential creates one; Graph refuses a second with the same name or the same
// issuer and subject (409).
func (c *Client) AddFederatedCredential(ctx context.Context, appObjectID string, fc FederatedCredential) (*FederatedCredential, error) {
	fc.ID = ""
	var out FederatedCredential
	err := c.retryLag(ctx, func() error {
		return c.do(ctx, c.graph, http.MethodPost, c.graphURL+federatedPath(appObjectID), fc, &out, nil)
	})
	return &out, err
}

// DeleteFederatedCredential removes one by id.
func (c *Client) DeleteFederatedCredential(ctx context.Context, appObjectID, id string) error {
	return c.do(ctx, c.graph, http.MethodDelete, c.graphURL+federatedPath(appObjectID)+"/"+url.PathEscape(id), nil, nil, nil)
}
