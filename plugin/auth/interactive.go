package auth

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// loopbackRedirect is the redirect URI of the auth-code flow; Entra matches loopback redirect URIs
// of public clients without their port, so one registered "http://localhost" serves any port.
const loopbackRedirect = "http://localhost"

// interactive is the authorization code flow with PKCE on a loopback redirect, through MSAL's
// public client (azidentity's InteractiveBrowserCredential cannot print the URL instead of
// opening a browser).
type interactive struct {
	client  public.Client
	options []public.AcquireInteractiveOption
}

func newInteractive(s Settings, in Interaction) (*interactive, error) {
	hc := httpClient(in.Transport)
	client, err := public.New(s.ClientID,
		public.WithAuthority(strings.TrimSuffix(s.AuthorityHost, "/")+"/"+s.TenantID),
		public.WithInstanceDiscovery(!s.DisableInstanceDiscovery()),
		public.WithHTTPClient(hc))
	if err != nil {
		return nil, &ConfigError{Msg: fmt.Sprintf("auth-code flow: %v", err)}
	}
	redirect := loopbackRedirect
	if s.RedirectPort > 0 {
		redirect = fmt.Sprintf("%s:%d", loopbackRedirect, s.RedirectPort)
	}
	opts := []public.AcquireInteractiveOption{public.WithRedirectURI(redirect)}
	switch {
	case in.OpenURL != nil:
		opts = append(opts, public.WithOpenURL(in.OpenURL))
	case s.NoBrowser:
		opts = append(opts, public.WithOpenURL(printURL(in.Prompt)))
	}
	return &interactive{client: client, options: opts}, nil
}

// printURL shows the sign-in URL instead of opening a browser (--no-browser).
func printURL(w io.Writer) func(string) error {
	if w == nil {
		w = io.Discard
	}
	return func(u string) error {
		_, err := fmt.Fprintf(w, "To sign in, open this URL in a browser:\n%s\n", u)
		return err
	}
}

func (c *interactive) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	res, err := c.client.AcquireTokenInteractive(ctx, opts.Scopes, c.options...)
	if err != nil {
		return azcore.AccessToken{}, err
	}
	return azcore.AccessToken{Token: res.AccessToken, ExpiresOn: res.ExpiresOn}, nil
}

// transportClient lets MSAL send through an azcore Transporter.
type transportClient struct{ policy.Transporter }

func (transportClient) CloseIdleConnections() {}

func httpClient(t policy.Transporter) interface {
	Do(*http.Request) (*http.Response, error)
	CloseIdleConnections()
} {
	if t == nil {
		return &http.Client{}
	}
	if hc, ok := t.(*http.Client); ok {
		return hc
	}
	return transportClient{t}
}
