package identity

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// AADSTS codes of workload identity federation: the federated credential match
// (azure-sdk-for-go sdk/azidentity/TROUBLESHOOTING.md, "Troubleshoot WorkloadIdentityCredential";
// errors users report from azure/login and AKS) and the external issuer's keys (reference-error-codes.md).
const (
	codeNoFederatedRecord   = 70021  // no federated credential at all matches
	codeFederatedIssuer     = 700211 // no credential with the assertion's issuer
	codeFederatedAudience   = 700212 // … with its audience
	codeFederatedSubject    = 700213 // … with its subject
	codeExternalOIDCFailure = 50166  // the issuer's discovery document or keys could not be fetched
)

const federatedHint = "Please note that the matching is done using a case-sensitive comparison. " +
	"Check your federated identity credential Subject, Audience and Issuer against the presented assertion. " +
	"https://learn.microsoft.com/entra/workload-id/workload-identity-federation"

// externalClaims are the claims of a token from an external issuer that the exchange reads.
type externalClaims struct {
	Iss string           `json:"iss"`
	Sub string           `json:"sub"`
	Aud jwt.ClaimStrings `json:"aud"`
	Exp *jwt.NumericDate `json:"exp"`
	Nbf *jwt.NumericDate `json:"nbf"`
}

func (externalClaims) GetExpirationTime() (*jwt.NumericDate, error) { return nil, nil }
func (externalClaims) GetIssuedAt() (*jwt.NumericDate, error)       { return nil, nil }
func (externalClaims) GetNotBefore() (*jwt.NumericDate, error)      { return nil, nil }
func (externalClaims) GetIssuer() (string, error)                   { return "", nil }
func (externalClaims) GetSubject() (string, error)                  { return "", nil }
func (externalClaims) GetAudience() (jwt.ClaimStrings, error)       { return nil, nil }

// federatedIssuer returns the issuer of an assertion that comes from an external identity
// provider rather than the app itself: its iss is an https URL, never the client id that a
// certificate assertion carries.
func federatedIssuer(assertion string) (string, bool) {
	iss := assertionIssuer(assertion)
	return iss, strings.HasPrefix(iss, "https://")
}

// verifyFederated checks an external token presented as client_assertion against the app's
// federated identity credentials: a credential with the token's issuer, one of its audiences
// and its subject (exact, case-sensitive); then the token's lifetime and its signature against
// the issuer's published keys. Keys were fetched before the directory was locked (warmIssuerKeys).
func (s *Service) verifyFederated(d *tenant.Directory, app *tenant.Application, assertion string, now time.Time) *oauthError {
	if len(assertion) > maxAssertionLen {
		return clientErr(codeInvalidJWT, "JWT token is invalid or malformed.")
	}
	var c externalClaims
	head, _, err := jwt.NewParser().ParseUnverified(assertion, &c)
	if err != nil || head.Method.Alg() != "RS256" {
		return clientErr(codeInvalidJWT, "JWT token is invalid or malformed: tokens from external issuers must be signed with RS256.")
	}
	creds := d.FederatedCredentials(app.ID)
	presented := "Assertion Issuer: '" + sanitize(c.Iss) + "'. Assertion Subject: '" + sanitize(c.Sub) + "'. Assertion Audience: '" + sanitize(strings.Join(c.Aud, ",")) + "'."
	if len(creds) == 0 {
		return clientErr(codeNoFederatedRecord, "No matching federated identity record found for presented assertion. %s %s", presented, federatedHint)
	}
	byIssuer := slices.DeleteFunc(slices.Clone(creds), func(f tenant.FederatedIdentityCredential) bool { return f.Issuer != c.Iss })
	if len(byIssuer) == 0 {
		return clientErr(codeFederatedIssuer, "No matching federated identity record found for presented assertion issuer '%s'. %s", sanitize(c.Iss), federatedHint)
	}
	byAudience := slices.DeleteFunc(byIssuer, func(f tenant.FederatedIdentityCredential) bool {
		return !slices.ContainsFunc(f.Audiences, func(a string) bool { return slices.Contains(c.Aud, a) })
	})
	if len(byAudience) == 0 {
		return clientErr(codeFederatedAudience, "No matching federated identity record found for presented assertion audience '%s'. %s", sanitize(strings.Join(c.Aud, ",")), federatedHint)
	}
	if !slices.ContainsFunc(byAudience, func(f tenant.FederatedIdentityCredential) bool { return f.Subject == c.Sub }) {
		return clientErr(codeFederatedSubject, "No matching federated identity record found for presented assertion subject '%s'. %s", sanitize(c.Sub), federatedHint)
	}
	if c.Exp == nil {
		return clientErr(codeInvalidJWT, "JWT token is invalid or malformed: the exp claim is required.")
	}
	nbf := time.Time{}
	if c.Nbf != nil {
		nbf = c.Nbf.Time
	}
	if now.Before(nbf.Add(-assertionSkew)) || !now.Before(c.Exp.Add(assertionSkew)) {
		return clientErr(codeAssertionTimeRange, "Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s.",
			now.Format(time.RFC3339), nbf.UTC().Format(time.RFC3339), c.Exp.UTC().Format(time.RFC3339))
	}
	set, ok := s.issuerKeys.cached(c.Iss, now)
	if !ok {
		return clientErr(codeExternalOIDCFailure, "Request to External OIDC endpoint failed: the keys of issuer '%s' could not be fetched.", sanitize(c.Iss))
	}
	p := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	_, err = p.ParseWithClaims(assertion, &externalClaims{}, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if k, ok := set[kid]; ok {
			return k, nil
		}
		return nil, errors.New("unknown kid")
	})
	if err != nil {
		return clientErr(codeInvalidJWT, "JWT token is invalid or malformed: External ID token from issuer '%s' failed signature verification.", sanitize(c.Iss))
	}
	return nil
}

// warmIssuerKeys fetches, outside the directory's lock, the keys of the external issuer that
// signed the request's client assertion, when some app trusts that issuer; the mock never
// fetches from an issuer nobody configured.
func (s *Service) warmIssuerKeys(ctx context.Context, req *tokenRequest) {
	if req.Assertion == "" {
		return
	}
	iss, ok := federatedIssuer(req.Assertion)
	if !ok {
		return
	}
	trusted := false
	_ = s.cfg.Store.View(func(d *tenant.Directory) error {
		if a := d.ApplicationByAppID(req.ClientID); a != nil {
			trusted = slices.ContainsFunc(d.FederatedCredentials(a.ID), func(f tenant.FederatedIdentityCredential) bool { return f.Issuer == iss })
		}
		return nil
	})
	if trusted {
		s.issuerKeys.fetch(ctx, iss, s.cfg.Clock.Now())
	}
}
