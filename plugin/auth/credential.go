package auth

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// maxCertFileSize bounds a certificate file read for sign-in.
const maxCertFileSize = 1 << 20

// Interaction is how a credential reaches the network and the user.
type Interaction struct {
	Transport policy.Transporter // nil: azcore's default, which trusts SSL_CERT_FILE on Linux
	Prompt    io.Writer          // device-code instructions and, with NoBrowser, the sign-in URL
	// OpenURL opens the sign-in page of the auth-code flow; nil opens the system browser, or with
	// Settings.NoBrowser prints the URL to Prompt.
	OpenURL func(url string) error
}

// Credential selects (Select) and builds (New) the credential for Graph/ARM calls.
func Credential(o Options) (azcore.TokenCredential, error) {
	s, err := Select(o)
	if err != nil {
		return nil, err
	}
	return New(s, Interaction{Transport: o.Transport, Prompt: o.Prompt})
}

// New builds the credential the settings describe. Its errors from Entra ID come back explained
// (*SignInError).
func New(s Settings, in Interaction) (azcore.TokenCredential, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	cred, err := build(s, in)
	if err != nil {
		return nil, err
	}
	return &explained{cred: cred, clientID: s.ClientID}, nil
}

func build(s Settings, in Interaction) (azcore.TokenCredential, error) {
	co := azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: s.AuthorityHost},
		Transport: in.Transport,
	}
	noDiscovery := s.DisableInstanceDiscovery()
	switch s.Flow {
	case FlowClientSecret:
		return azidentity.NewClientSecretCredential(s.TenantID, s.ClientID, string(s.Secret),
			&azidentity.ClientSecretCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: noDiscovery})
	case FlowCertificate:
		certs, key, err := readCertificateFile(s.CertFile, s.CertPassword)
		if err != nil {
			return nil, err
		}
		return azidentity.NewClientCertificateCredential(s.TenantID, s.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: noDiscovery})
	case FlowWorkloadIdentity:
		return azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{ClientOptions: co,
			DisableInstanceDiscovery: noDiscovery, TenantID: s.TenantID, ClientID: s.ClientID, TokenFilePath: s.TokenFile})
	case FlowPassword:
		//lint:ignore SA1019 the password (ROPC) flow is one an app registration enables; Entra still serves it.
		return azidentity.NewUsernamePasswordCredential(s.TenantID, s.ClientID, s.Username, string(s.Password),
			&azidentity.UsernamePasswordCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: noDiscovery})
	case FlowDeviceCode:
		return deviceCode(s, co, in.Prompt)
	case FlowAuthCode:
		return newInteractive(s, in)
	case FlowAzureCLI:
		azCLI, err := azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: s.TenantID})
		if err != nil {
			return nil, err
		}
		cli := azureCLIPatience{azCLI}
		if !s.DeviceCodeFallback {
			return cli, nil
		}
		fallback := s
		fallback.Flow, fallback.ClientID = FlowDeviceCode, AzureCLIClientID
		fallback.TenantID = firstNonEmpty(s.TenantID, organizationsTenant)
		dc, err := deviceCode(fallback, co, in.Prompt)
		if err != nil {
			return nil, err
		}
		return azidentity.NewChainedTokenCredential([]azcore.TokenCredential{cli, dc}, nil)
	}
	return nil, &ConfigError{Msg: fmt.Sprintf("unknown flow %q; want one of %s", s.Flow, flowNames())}
}

func deviceCode(s Settings, co azcore.ClientOptions, prompt io.Writer) (azcore.TokenCredential, error) {
	if prompt == nil {
		prompt = io.Discard
	}
	return azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
		ClientOptions:            co,
		TenantID:                 s.TenantID,
		ClientID:                 s.ClientID,
		DisableInstanceDiscovery: s.DisableInstanceDiscovery(),
		UserPrompt: func(_ context.Context, m azidentity.DeviceCodeMessage) error {
			_, err := fmt.Fprintln(prompt, m.Message)
			return err
		},
	})
}

// readCertificateFile reads a PEM (certificate + key) or PKCS#12 file as azidentity does for
// AZURE_CLIENT_CERTIFICATE_PATH.
func readCertificateFile(path string, password Secret) ([]*x509.Certificate, crypto.PrivateKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, &ConfigError{Msg: fmt.Sprintf("reading certificate: %v", err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCertFileSize+1))
	if err != nil {
		return nil, nil, &ConfigError{Msg: fmt.Sprintf("reading certificate %s: %v", path, err)}
	}
	if len(data) > maxCertFileSize {
		return nil, nil, &ConfigError{Msg: fmt.Sprintf("certificate file %s is larger than %d bytes", path, maxCertFileSize)}
	}
	certs, key, err := azidentity.ParseCertificates(data, []byte(password))
	if err != nil {
		return nil, nil, &ConfigError{Msg: fmt.Sprintf("certificate file %s: %v (want PEM with the certificate and its private key, or PKCS#12)", path, err)}
	}
	return certs, key, nil
}

// explained turns a credential's Entra errors into *SignInError.
type explained struct {
	cred     azcore.TokenCredential
	clientID string
}

func (e *explained) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, err := e.cred.GetToken(ctx, opts)
	return tok, Explain(err, e.clientID)
}

// azureCLITimeout is how long `az account get-access-token` may take. azidentity gives it 10 s
// when the context has no deadline (developer_credential_util.go, cliTimeout); az is a Python
// program whose start alone can take longer on a busy machine — as when az itself runs dicomreg.
const azureCLITimeout = 60 * time.Second

// azureCLIPatience gives the Azure CLI credential azureCLITimeout unless the caller set a deadline.
type azureCLIPatience struct{ azcore.TokenCredential }

func (c azureCLIPatience) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, azureCLITimeout)
		defer cancel()
	}
	return c.TokenCredential.GetToken(ctx, opts)
}
