package federated

import (
	"context"
	"fmt"

	"github.com/dicomreg/dicomreg/plugin/directory"
)

// Store is the part of the Graph client convergence needs.
type Store interface {
	ListFederatedCredentials(ctx context.Context, appObjectID string) ([]directory.FederatedCredential, error)
	AddFederatedCredential(ctx context.Context, appObjectID string, fc directory.FederatedCredential) (*directory.FederatedCredential, error)
}

// Ensure makes the app trust want: nothing when a credential with its issuer and subject exists
// (whatever its name, so re-running register never duplicates one), else it is added. A
// credential with want's name but another issuer or subject is a conflict the user must resolve.
func Ensure(ctx context.Context, s Store, appObjectID string, want Credential) (created bool, err error) {
	have, err := s.ListFederatedCredentials(ctx, appObjectID)
	if err != nil {
		return false, err
	}
	for _, h := range have {
		got := Credential{Name: h.Name, Issuer: h.Issuer, Subject: h.Subject, Audiences: h.Audiences}
		if Same(got, want) {
			if len(h.Audiences) != 1 || len(want.Audiences) != 1 || h.Audiences[0] != want.Audiences[0] {
				return false, fmt.Errorf("federated credential %q trusts %s for %s but with audience %v, not %v; remove it first", h.Name, h.Issuer, h.Subject, h.Audiences, want.Audiences)
			}
			return false, nil
		}
		if h.Name == want.Name {
			return false, fmt.Errorf("federated credential %q exists with issuer %s and subject %s; choose another --federated-name", h.Name, h.Issuer, h.Subject)
		}
	}
	_, err = s.AddFederatedCredential(ctx, appObjectID, directory.FederatedCredential{Name: want.Name, Issuer: want.Issuer, Subject: want.Subject, Audiences: want.Audiences})
	return err == nil, err
}
