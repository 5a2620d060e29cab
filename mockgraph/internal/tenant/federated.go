package tenant

import "slices"

// FederatedIdentityCredential trusts tokens from an external OIDC issuer for an application
// (Graph resources/federatedidentitycredential.md). Graph shows it under
// /applications/{id}/federatedIdentityCredentials, never inside the application.
type FederatedIdentityCredential struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Issuer      string   `json:"issuer"`
	Subject     string   `json:"subject"`
	Audiences   []string `json:"audiences"`
	Description *string  `json:"description"`
}

// FederatedCredentials returns the app's federated identity credentials in creation order.
// The slice is shared: replace it with PutFederatedCredentials, never change it in place.
func (d *Directory) FederatedCredentials(appObjectID string) []FederatedIdentityCredential {
	return d.federated[key(appObjectID)]
}

// PutFederatedCredentials replaces the app's federated identity credentials as a whole.
func (d *Directory) PutFederatedCredentials(appObjectID string, creds []FederatedIdentityCredential) {
	if len(creds) == 0 {
		deleteMap(d.j, bucketFederated, d.federated, key(appObjectID))
		return
	}
	setMap(d.j, bucketFederated, d.federated, key(appObjectID), slices.Clone(creds))
}
