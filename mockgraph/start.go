package mockgraph

import (
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Start runs a server for the length of a test, like httptest.NewServer: it is closed by
// t.Cleanup. The signing key is shared by every server in the process, so each test can afford
// its own server.
func Start(t testing.TB, opt ...Option) *Server {
	t.Helper()
	opt = append([]Option{WithKeyFile("-")}, opt...)
	s, err := New(opt...)
	if err != nil {
		t.Fatalf("mockgraph: start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// ClientOptions are azcore client options that point an SDK client's pipeline at the server.
func (s *Server) ClientOptions() azcore.ClientOptions {
	return azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: s.AuthorityHost(), Services: map[cloud.ServiceName]cloud.ServiceConfiguration{}},
		Transport: s.Client(),
	}
}

// CredentialOptions are azidentity options for any credential type against the server: its
// authority, its TLS trust, and no instance discovery (which would ask login.microsoftonline.com).
func (s *Server) CredentialOptions() *azidentity.ClientSecretCredentialOptions {
	return &azidentity.ClientSecretCredentialOptions{ClientOptions: s.ClientOptions(), DisableInstanceDiscovery: true}
}
