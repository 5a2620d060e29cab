package mockgraph

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Environment variable names of the env file; azidentity reads the AZURE_* ones itself.
const (
	EnvAuthorityHost = "AZURE_AUTHORITY_HOST"
	EnvTenantID      = "AZURE_TENANT_ID"
	EnvClientID      = "AZURE_CLIENT_ID"
	EnvClientSecret  = "AZURE_CLIENT_SECRET"
	EnvGraphURL      = "DICOMREG_GRAPH_URL"
	EnvARMURL        = "DICOMREG_ARM_URL"
	EnvDICOMURL      = "DICOMREG_DICOM_URL"
	EnvDICOMService  = "DICOMREG_DICOM_SERVICE_ID"
	EnvTestUsername  = "DICOMREG_TEST_USERNAME"
	EnvTestPassword  = "DICOMREG_TEST_PASSWORD"
	EnvSSLCertFile   = "SSL_CERT_FILE"
	EnvMockURL       = "MOCKGRAPH_URL"
	// App Service's managed identity variables (app-service/overview-managed-identity.md).
	EnvIdentityEndpoint = "IDENTITY_ENDPOINT"
	EnvIdentityHeader   = "IDENTITY_HEADER"
	// The seeded managed identities, for role assignments and ManagedIdentityCredential's ID.
	EnvSystemIdentityPrincipalID = "DICOMREG_SYSTEM_IDENTITY_PRINCIPAL_ID"
	EnvUserIdentityClientID      = "DICOMREG_USER_IDENTITY_CLIENT_ID"
	EnvUserIdentityPrincipalID   = "DICOMREG_USER_IDENTITY_PRINCIPAL_ID"
	EnvUserIdentityResourceID    = "DICOMREG_USER_IDENTITY_RESOURCE_ID"
	EnvControlToken              = "MOCKGRAPH_CONTROL_TOKEN"
)

// Env is what a client needs to talk to this server instead of Azure, by variable name.
func (s *Server) Env() map[string]string {
	seeded := s.Seeded()
	env := map[string]string{
		EnvAuthorityHost: s.AuthorityHost(),
		EnvTenantID:      s.TenantID(),
		EnvClientID:      seeded.AdminAppID,
		EnvClientSecret:  seeded.AdminSecret,
		EnvGraphURL:      s.GraphURL(),
		EnvARMURL:        s.ARMURL(),
		EnvDICOMURL:      s.DICOMURL(),
		EnvDICOMService:  seeded.DicomServiceID,
		EnvTestUsername:  seeded.TestUsername,
		EnvTestPassword:  seeded.TestPassword,
		EnvSSLCertFile:   s.CAFile(),
		EnvMockURL:       s.URL(),
		EnvControlToken:  s.ControlToken(),
	}
	if s.opts.ManagedIdentityEnv {
		env[EnvIdentityEndpoint], env[EnvIdentityHeader] = s.ManagedIdentityEndpoint(), s.IdentityHeader()
		env[EnvSystemIdentityPrincipalID] = seeded.SystemIdentityPrincipalID
		env[EnvUserIdentityClientID], env[EnvUserIdentityPrincipalID] = seeded.UserIdentityClientID, seeded.UserIdentityPrincipalID
		env[EnvUserIdentityResourceID] = seeded.UserIdentityResourceID
	}
	return env
}

// WriteEnvFile writes Env as `export NAME='value'` lines, atomically and readable only by the
// owner (it holds a client secret), so a script that waits for the file sees it whole.
func (s *Server) WriteEnvFile(path string) error {
	env := s.Env()
	names := make([]string, 0, len(env))
	for n := range env {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("# mockgraph test server — NOT Microsoft Entra ID. `source` this file to point azidentity and dicomreg at it.\n")
	for _, n := range names {
		b.WriteString("export " + n + "=" + shellQuote(env[n]) + "\n")
	}
	return writeFileAtomic(path, []byte(b.String()), 0o600)
}

func shellQuote(v string) string { return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'" }

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
