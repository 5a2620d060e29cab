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
	"github.com/pkg/browser"
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
	open := in.OpenURL
	switch {
	case open != nil:
	case s.NoBrowser:
		open = printURL(in.Prompt)
	default:
		open = browser.OpenURL // what MSAL itself opens with
	}
	opts := []public.AcquireInteractiveOption{public.WithRedirectURI(redirect), public.WithOpenURL(sayWaiting(open, in.Prompt, s.ClientID))}
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

// sayWaiting opens the sign-in page, then says what the flow waits for: Entra shows AADSTS50011
// on the page, never to the waiting program, when the loopback redirect is not registered, so the
// fix is printed before the wait (TestAuthCodeRedirectHintWorks follows it).
func sayWaiting(open func(string) error, w io.Writer, clientID string) func(string) error {
	if w == nil {
		w = io.Discard
	}
	return func(u string) error {
		if err := open(u); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "Waiting for the sign-in to return to %s. If the page shows AADSTS50011, the app lacks that redirect URI: %s\n",
			loopbackRedirect, redirectFix(clientID))
		return err
	}
}

// redirectFix registers the loopback redirect URI as a Mobile and desktop one, which Entra
// matches on any port.
func redirectFix(clientID string) string {
	return "dicomreg app redirect add --app " + clientID + " --redirect-uri " + loopbackRedirect + " --platform mobile"
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
