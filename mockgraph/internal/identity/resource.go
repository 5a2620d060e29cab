package identity

import (
	"slices"
	"strings"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// resource is the API a token is for.
type resource struct {
	SP       *tenant.ServicePrincipal
	Audience string // v1: the identifier as requested; v2: the resource's appId
	V2       bool   // the resource asks for v2 access tokens (api.requestedAccessTokenVersion 2)
	Display  string // how the client named it, for scope strings and errors
	Graph    bool
}

// resolveResource finds the resource's service principal by servicePrincipalName or appId.
func resolveResource(d *tenant.Directory, identifier string) (*resource, *oauthError) {
	sp := d.ServicePrincipalByName(identifier)
	if sp == nil {
		return nil, badRequest(errInvalidResource, codeResourceNotFound,
			"The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been "+
				"installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your "+
				"authentication request to the wrong tenant.", sanitize(identifier), d.Organization.DisplayName)
	}
	res := &resource{SP: sp, Audience: identifier, Display: identifier, Graph: strings.EqualFold(sp.AppID, tenant.GraphAppID)}
	if app := d.ApplicationByAppID(sp.AppID); app != nil && app.API.RequestedAccessTokenVersion != nil && *app.API.RequestedAccessTokenVersion == 2 {
		res.V2, res.Audience = true, sp.AppID
	}
	return res, nil
}

// consentDecision is what a delegated request may get and what it still lacks.
type consentDecision struct {
	Resource *resource
	Granted  []string // scope values for the token's scp
	Missing  []string // scope values the user or an admin has not consented to
}

// decideDelegated resolves the resource of a delegated request and compares the requested
// scopes with consent. Errors are the ones Entra gives before any consent prompt: unknown
// resource (500011), a static (.default or v1 resource=) request for a resource missing from the
// app's requiredResourceAccess (650057), and unknown scope values (70011).
func decideDelegated(d *tenant.Directory, c *client, sr scopeRequest, userID string) (*consentDecision, *oauthError) {
	identifier := sr.Resource
	if identifier == "" {
		identifier = graphResource
	}
	res, e := resolveResource(d, identifier)
	if e != nil {
		return nil, e
	}
	dec := &consentDecision{Resource: res}
	var consented []string
	if c.SP != nil {
		consented = d.ConsentedScopes(c.SP.ID, res.SP.ID, userID)
	}
	if sr.Resource == "" {
		// OIDC only: Entra answers with a Graph token carrying what is already consented.
		dec.Granted = consented
		return dec, nil
	}
	if sr.Default {
		listed, ok := requiredScopes(d, c, res)
		if !ok {
			return nil, resourceNotListed(d, c, res)
		}
		dec.Granted = consented
		for _, v := range listed {
			if !slices.Contains(consented, v) {
				dec.Missing = append(dec.Missing, v)
			}
		}
		if len(dec.Granted) == 0 && len(dec.Missing) == 0 {
			dec.Missing = []string{scopeDefault}
		}
		return dec, nil
	}
	for _, v := range sr.Scopes {
		if !scopeExists(res.SP, v) {
			return nil, invalidScope(res.Display + "/" + v)
		}
		if slices.Contains(consented, v) {
			dec.Granted = append(dec.Granted, v)
		} else {
			dec.Missing = append(dec.Missing, v)
		}
	}
	return dec, nil
}

// consentRequired is 65001: a flow that cannot show a consent prompt lacks consent.
func consentRequired(c *client) *oauthError {
	e := badRequest(errInvalidGrant, codeConsentRequired, "The user or administrator has not consented to use the application with ID '%s' named '%s'. "+
		"Send an interactive authorization request for this user and resource.", c.AppID, c.DisplayName)
	e.Suberror = suberrorConsentRequired
	return e
}

func scopeExists(sp *tenant.ServicePrincipal, value string) bool {
	for _, s := range sp.OAuth2PermissionScopes {
		if s.IsEnabled && strings.EqualFold(s.Value, value) {
			return true
		}
	}
	return false
}

// requiredScopes lists the delegated scope values the client's registration asks of res; ok is
// false when res is not among its requiredResourceAccess. A first-party client's "registration"
// is the set of resources pre-consented for it in the tenant.
func requiredScopes(d *tenant.Directory, c *client, res *resource) (values []string, ok bool) {
	if c.App == nil {
		if c.SP == nil {
			return nil, false
		}
		return nil, len(d.ConsentedScopes(c.SP.ID, res.SP.ID, "")) > 0
	}
	for _, rra := range c.App.RequiredResourceAccess {
		if !strings.EqualFold(rra.ResourceAppID, res.SP.AppID) {
			continue
		}
		ok = true
		for _, ra := range rra.ResourceAccess {
			if ra.Type != "Scope" {
				continue
			}
			for _, s := range res.SP.OAuth2PermissionScopes {
				if strings.EqualFold(s.ID, ra.ID) {
					values = append(values, s.Value)
				}
			}
		}
	}
	return values, ok
}

// resourceNotListed is 650057, shaped as Entra words it.
func resourceNotListed(d *tenant.Directory, c *client, res *resource) *oauthError {
	var valid []string
	if c.App != nil {
		for _, rra := range c.App.RequiredResourceAccess {
			valid = append(valid, rra.ResourceAppID)
		}
	}
	return badRequest(errInvalidClient, codeResourceNotInRRA, "Invalid resource. The client has requested access to a resource which is not listed "+
		"in the requested permissions in the client's application registration. Client app ID: %s(%s). Resource value from request: %s. "+
		"Resource app ID: %s. List of valid resources from app registration: %s.", c.AppID, c.DisplayName, sanitize(res.Display), res.SP.AppID, strings.Join(valid, ", "))
}
