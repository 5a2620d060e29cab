package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dicomreg/dicomreg/plugin/auth"
	"github.com/dicomreg/dicomreg/plugin/dicom"
)

func newCmdToken(f *Factory) *cobra.Command {
	cmd := newGroup("token", "Get an access token for the DICOM service, or read one", "")
	cmd.AddCommand(NewCmdTokenGet(f, nil), NewCmdTokenDecode(f, nil))
	return cmd
}

// flowFlags are the sign-in flags `token get` and `verify` share.
type flowFlags struct {
	Flow         string
	ClientID     string
	Secret       string
	CertFile     string
	Username     string
	Password     string
	RedirectPort int
	NoBrowser    bool
	Scope        string
}

func (ff *flowFlags) bind(fs *pflag.FlagSet) {
	names := make([]string, len(auth.Flows))
	for i, fl := range auth.Flows {
		names[i] = string(fl)
	}
	fs.StringVar(&ff.Flow, "flow", string(auth.FlowClientSecret), "sign-in flow: "+strings.Join(names, "|"))
	fs.StringVar(&ff.ClientID, "client-id", "", "the app's client id (default $AZURE_CLIENT_ID)")
	fs.StringVar(&ff.Secret, "secret", "", "client secret value (default $AZURE_CLIENT_SECRET)")
	fs.StringVar(&ff.CertFile, "cert-file", "", "PEM (certificate and key) or PKCS#12 file (default $AZURE_CLIENT_CERTIFICATE_PATH)")
	fs.StringVar(&ff.Username, "username", "", "user for the password flow (default $AZURE_USERNAME)")
	fs.StringVar(&ff.Password, "password", "", "password for the password flow (default $AZURE_PASSWORD)")
	fs.IntVar(&ff.RedirectPort, "redirect-port", 0, "auth-code flow: loopback port (0: any free port)")
	fs.BoolVar(&ff.NoBrowser, "no-browser", false, "auth-code flow: print the sign-in URL instead of opening a browser")
	fs.StringVar(&ff.Scope, "scope", "", "scope (default "+dicom.AppOnlyScope+" app-only, "+dicom.DelegatedScope+" delegated)")
}

// scope is --scope, or the DICOM scope the flow asks for.
func (ff *flowFlags) scope() string {
	if ff.Scope != "" {
		return ff.Scope
	}
	if auth.Flow(ff.Flow).AppOnly() {
		return dicom.AppOnlyScope
	}
	return dicom.DelegatedScope
}

// signIn signs in with the flow and returns the access token and the settings used.
type signIn func(ctx context.Context, ff *flowFlags) (azcore.AccessToken, auth.Settings, error)

// SignIn signs in with the flow and returns the access token and the settings used. Prompts
// (device code, the sign-in URL) go to stderr; the token goes nowhere but the return value.
func (f *Factory) SignIn(ctx context.Context, ff *flowFlags) (azcore.AccessToken, auth.Settings, error) {
	s, err := auth.ForFlow(auth.FlowOptions{
		Options:  auth.Options{TenantID: f.Global.Tenant, AuthorityHost: f.Global.AuthorityHost, Env: f.Getenv},
		Flow:     auth.Flow(ff.Flow),
		ClientID: ff.ClientID, Secret: auth.Secret(ff.Secret), CertFile: ff.CertFile,
		Username: ff.Username, Password: auth.Secret(ff.Password),
		RedirectPort: ff.RedirectPort, NoBrowser: ff.NoBrowser,
	})
	if err != nil {
		return azcore.AccessToken{}, s, err
	}
	cred, err := auth.New(s, auth.Interaction{Transport: f.Transport(), Prompt: f.IO.ErrOut})
	if err != nil {
		return azcore.AccessToken{}, s, err
	}
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{ff.scope()}})
	return tok, s, err
}

// azExpiresOnLayout is how `az account get-access-token` prints expiresOn (local time).
const azExpiresOnLayout = "2006-01-02 15:04:05.000000"

// accessToken is `token get`'s answer, shaped as `az account get-access-token`'s so scripts
// written for az work unchanged (`--query accessToken -o tsv`).
type accessToken struct {
	AccessToken string `json:"accessToken"`
	ExpiresOn   string `json:"expiresOn"`
	ExpiresOnTS int64  `json:"expires_on"`
	Tenant      string `json:"tenant"`
	TokenType   string `json:"tokenType"`
}

// TokenGetOptions are `token get`'s.
type TokenGetOptions struct {
	IO     Console
	SignIn signIn
	flowFlags
}

// NewCmdTokenGet is `token get`.
func NewCmdTokenGet(f *Factory, runF func(context.Context, *TokenGetOptions) error) *cobra.Command {
	opts := &TokenGetOptions{IO: f, SignIn: f.SignIn}
	cmd := &cobra.Command{
		Use:   "get",
		Short: "Get an access token for the DICOM service with any flow an app registration enables",
		Long: `Signs in with the chosen flow and prints the token as 'az account get-access-token' does.

Flows: client-credentials (--secret), certificate (--cert-file), device-code, auth-code
(authorization code + PKCE on http://localhost; --no-browser prints the URL instead of opening a
browser), password, azure-cli. App-only flows ask for ` + dicom.AppOnlyScope + `,
user flows for ` + dicom.DelegatedScope + `. The token is printed only because it was asked
for: it never appears in --debug output or errors.`,
		Example: `dicomreg token get --client-id $APP --secret "$SECRET" --query accessToken -o tsv
dicomreg token get --flow certificate --client-id $APP --cert-file app.pem
dicomreg token get --flow device-code --client-id $APP
dicomreg token get --flow auth-code --client-id $APP --no-browser`,
		RunE: runner(opts, runF, tokenGetRun),
	}
	opts.bind(cmd.Flags())
	return cmd
}

func tokenGetRun(ctx context.Context, opts *TokenGetOptions) error {
	tok, s, err := opts.SignIn(ctx, &opts.flowFlags)
	if err != nil {
		return err
	}
	tenant := s.TenantID
	if t, err := auth.DecodeToken(tok.Token); err == nil && t.String("tid") != "" {
		tenant = t.String("tid")
	}
	return opts.IO.Print(accessToken{
		AccessToken: tok.Token,
		ExpiresOn:   tok.ExpiresOn.Local().Format(azExpiresOnLayout),
		ExpiresOnTS: tok.ExpiresOn.Unix(),
		Tenant:      tenant,
		TokenType:   "Bearer",
	})
}

// maxTokenInput bounds what `token decode` reads from stdin.
const maxTokenInput = 1 << 20

// decodedToken is `token decode`'s answer.
type decodedToken struct {
	// SignatureChecked is always false: decode reads claims, it does not vouch for them.
	SignatureChecked bool            `json:"signatureChecked"`
	Header           map[string]any  `json:"header"`
	Claims           map[string]any  `json:"claims"`
	Checks           []dicom.Finding `json:"checks"`
}

// TokenDecodeOptions are `token decode`'s.
type TokenDecodeOptions struct {
	IO  Console
	In  io.Reader
	Now func() time.Time
	// Tenant is the tenant the user named (--tenant, AZURE_TENANT_ID), or "".
	Tenant func() string
	Token  string // the argument; "" or "-" reads stdin
}

// NewCmdTokenDecode is `token decode [TOKEN]`.
func NewCmdTokenDecode(f *Factory, runF func(context.Context, *TokenDecodeOptions) error) *cobra.Command {
	opts := &TokenDecodeOptions{IO: f, In: f.IO.In, Now: f.Now, Tenant: f.namedTenant}
	return &cobra.Command{
		Use:   "decode [TOKEN|-]",
		Short: "Show a token's header and claims, and what a DICOM service will think of them",
		Long: `Decodes a JWT access token (from the argument, or stdin with - or no argument) and checks
its claims as the DICOM service will: aud exactly ` + dicom.Resource + ` (no trailing slash),
exp and nbf against now, scp with ` + dicom.ReadWriteScope + ` for user tokens, appidacr, ver, iss
and tid (against --tenant when given). The signature is NOT verified: "checks" say what the
service will think of the claims, not that the token is genuine.`,
		Example: `dicomreg token get --query accessToken -o tsv | dicomreg token decode
dicomreg token decode "$TOKEN" --query checks -o table`,
		Args: maxArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Token = args[0]
			}
			return runner(opts, runF, tokenDecodeRun)(c, args)
		},
	}
}

func tokenDecodeRun(_ context.Context, opts *TokenDecodeOptions) error {
	raw := opts.Token
	if raw == "" || raw == "-" {
		b, err := io.ReadAll(io.LimitReader(opts.In, maxTokenInput+1))
		if err != nil {
			return fmt.Errorf("reading the token from stdin: %w", err)
		}
		if len(b) > maxTokenInput {
			return usageErrorf("stdin holds more than %d bytes; not a token", maxTokenInput)
		}
		raw = string(b)
	}
	t, err := auth.DecodeToken(raw)
	if err != nil {
		return usageErrorf("%v", err)
	}
	checks := dicom.CheckToken(t, opts.Now(), opts.Tenant())
	// -o table shows the checks, what decode is for; the claims stay in json and yaml.
	if err := opts.IO.PrintTable(decodedToken{Header: t.Header, Claims: t.Claims, Checks: checks}, checks); err != nil {
		return err
	}
	// As verify: the exit code says whether the DICOM service would take the token.
	for _, c := range checks {
		if c.Severity == dicom.Error {
			return fmt.Errorf("a DICOM service would refuse this token: %s: %s", c.Check, c.Message)
		}
	}
	return nil
}

// namedTenant is the tenant the user named (--tenant, else AZURE_TENANT_ID), or "".
func (f *Factory) namedTenant() string {
	if f.Global.Tenant != "" {
		return f.Global.Tenant
	}
	return f.Getenv(auth.EnvTenantID)
}
