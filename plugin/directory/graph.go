package directory

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// Application is the part of a Graph application the plugin reads and writes.
type Application struct {
	ID                     string                   `json:"id,omitempty"`
	AppID                  string                   `json:"appId,omitempty"`
	DisplayName            string                   `json:"displayName,omitempty"`
	SignInAudience         string                   `json:"signInAudience,omitempty"`
	IsFallbackPublicClient *bool                    `json:"isFallbackPublicClient,omitempty"`
	PublicClient           *RedirectURIs            `json:"publicClient,omitempty"`
	Web                    *RedirectURIs            `json:"web,omitempty"`
	Spa                    *RedirectURIs            `json:"spa,omitempty"`
	RequiredResourceAccess []RequiredResourceAccess `json:"requiredResourceAccess,omitempty"`
	PasswordCredentials    []PasswordCredential     `json:"passwordCredentials,omitempty"`
	KeyCredentials         []KeyCredential          `json:"keyCredentials,omitempty"`
	CreatedDateTime        *time.Time               `json:"createdDateTime,omitempty"`
}

// RedirectURIs is one platform's redirect URIs.
type RedirectURIs struct {
	RedirectURIs []string `json:"redirectUris"`
}

// RequiredResourceAccess is one resource's API permissions.
type RequiredResourceAccess struct {
	ResourceAppID  string           `json:"resourceAppId"`
	ResourceAccess []ResourceAccess `json:"resourceAccess"`
}

// ResourceAccess is one permission: Type "Scope" (delegated) or "Role" (application).
type ResourceAccess struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// PasswordCredential is a client secret; SecretText is set only in addPassword's answer.
type PasswordCredential struct {
	KeyID         string    `json:"keyId,omitempty"`
	DisplayName   string    `json:"displayName,omitempty"`
	Hint          string    `json:"hint,omitempty"`
	StartDateTime time.Time `json:"startDateTime,omitempty"`
	EndDateTime   time.Time `json:"endDateTime,omitempty"`
	SecretText    string    `json:"secretText,omitempty"`
}

// KeyCredential is an uploaded certificate.
type KeyCredential struct {
	KeyID               string     `json:"keyId,omitempty"`
	DisplayName         string     `json:"displayName,omitempty"`
	Type                string     `json:"type,omitempty"`
	Usage               string     `json:"usage,omitempty"`
	Key                 []byte     `json:"key,omitempty"`
	CustomKeyIdentifier []byte     `json:"customKeyIdentifier,omitempty"`
	StartDateTime       *time.Time `json:"startDateTime,omitempty"`
	EndDateTime         *time.Time `json:"endDateTime,omitempty"`
}

// ServicePrincipal is the part of a service principal the plugin reads.
type ServicePrincipal struct {
	ID                     string            `json:"id"`
	AppID                  string            `json:"appId"`
	DisplayName            string            `json:"displayName"`
	ServicePrincipalNames  []string          `json:"servicePrincipalNames"`
	OAuth2PermissionScopes []PermissionScope `json:"oauth2PermissionScopes"`
}

// PermissionScope is a delegated permission a resource exposes.
type PermissionScope struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

// Grant is an oauth2PermissionGrant (delegated consent).
type Grant struct {
	ID          string  `json:"id,omitempty"`
	ClientID    string  `json:"clientId"`
	ConsentType string  `json:"consentType"`
	PrincipalID *string `json:"principalId,omitempty"`
	ResourceID  string  `json:"resourceId"`
	Scope       string  `json:"scope"`
}

// appSelect is every application property the plugin reads, so one GET serves a whole run.
const appSelect = "id,appId,displayName,signInAudience,isFallbackPublicClient,publicClient,web,spa,requiredResourceAccess,passwordCredentials,keyCredentials,createdDateTime"

// FindApplications returns the applications with this display name.
func (c *Client) FindApplications(ctx context.Context, displayName string) ([]Application, error) {
	return graphList[Application](ctx, c, "/applications", url.Values{"$filter": {"displayName eq " + quote(displayName)}, "$select": {appSelect}})
}

// ListApplications returns the applications whose display name starts with prefix (every one
// when it is empty), paged through.
func (c *Client) ListApplications(ctx context.Context, prefix string) ([]Application, error) {
	q := url.Values{"$select": {appSelect}, "$top": {"999"}}
	if prefix != "" {
		q.Set("$filter", "startswith(displayName,"+quote(prefix)+")")
	}
	return graphList[Application](ctx, c, "/applications", q)
}

// GetApplication reads an application by object id.
func (c *Client) GetApplication(ctx context.Context, id string) (*Application, error) {
	var a Application
	return &a, c.graphGet(ctx, "/applications/"+url.PathEscape(id), url.Values{"$select": {appSelect}}, &a)
}

// GetApplicationByAppID reads an application by its client id.
func (c *Client) GetApplicationByAppID(ctx context.Context, appID string) (*Application, error) {
	var a Application
	return &a, c.graphGet(ctx, "/applications(appId="+quote(appID)+")", url.Values{"$select": {appSelect}}, &a)
}

// CreateApplication creates an application with everything in one body.
func (c *Client) CreateApplication(ctx context.Context, a *Application) (*Application, error) {
	var out Application
	return &out, c.do(ctx, c.graph, http.MethodPost, c.graphURL+"/applications", a, &out, nil)
}

// PatchApplication changes the given properties (JSON names) of an application; a just-created
// one is retried through replication lag.
func (c *Client) PatchApplication(ctx context.Context, id string, patch map[string]any) error {
	return c.retryLag(ctx, func() error {
		return c.do(ctx, c.graph, http.MethodPatch, c.graphURL+"/applications/"+url.PathEscape(id), patch, nil, nil)
	})
}

// DeleteApplication deletes an application (and with it its service principal).
func (c *Client) DeleteApplication(ctx context.Context, id string) error {
	return c.do(ctx, c.graph, http.MethodDelete, c.graphURL+"/applications/"+url.PathEscape(id), nil, nil, nil)
}

// AddPassword adds a client secret; its value is only in this answer.
func (c *Client) AddPassword(ctx context.Context, appObjectID, displayName string, end time.Time) (*PasswordCredential, error) {
	body := map[string]any{"passwordCredential": map[string]any{"displayName": displayName}}
	if !end.IsZero() {
		body["passwordCredential"].(map[string]any)["endDateTime"] = end.UTC().Format(time.RFC3339)
	}
	var out PasswordCredential
	err := c.retryLag(ctx, func() error {
		return c.do(ctx, c.graph, http.MethodPost, c.graphURL+"/applications/"+url.PathEscape(appObjectID)+"/addPassword", body, &out, nil)
	})
	return &out, err
}

// RemovePassword removes a client secret.
func (c *Client) RemovePassword(ctx context.Context, appObjectID, keyID string) error {
	return c.do(ctx, c.graph, http.MethodPost, c.graphURL+"/applications/"+url.PathEscape(appObjectID)+"/removePassword", map[string]string{"keyId": keyID}, nil, nil)
}

// ServicePrincipalByAppID finds an application's service principal; nil when it has none.
func (c *Client) ServicePrincipalByAppID(ctx context.Context, appID string) (*ServicePrincipal, error) {
	return c.firstSP(ctx, "appId eq "+quote(appID))
}

// ServicePrincipalByName finds a service principal by one of its servicePrincipalNames (e.g.
// https://dicom.healthcareapis.azure.com), else by display name; nil when none.
func (c *Client) ServicePrincipalByName(ctx context.Context, spn, displayName string) (*ServicePrincipal, error) {
	sp, err := c.firstSP(ctx, "servicePrincipalNames/any(c:c eq "+quote(spn)+")")
	if err != nil || sp != nil || displayName == "" {
		return sp, err
	}
	return c.firstSP(ctx, "displayName eq "+quote(displayName))
}

// ServicePrincipalByID finds a service principal by object id; nil when there is none.
func (c *Client) ServicePrincipalByID(ctx context.Context, id string) (*ServicePrincipal, error) {
	return c.firstSP(ctx, "id eq "+quote(id))
}

func (c *Client) firstSP(ctx context.Context, filter string) (*ServicePrincipal, error) {
	var page struct {
		Value []ServicePrincipal `json:"value"`
	}
	if err := c.graphGet(ctx, "/servicePrincipals", url.Values{"$filter": {filter}, "$select": {"id,appId,displayName,servicePrincipalNames,oauth2PermissionScopes"}}, &page); err != nil {
		return nil, err
	}
	if len(page.Value) == 0 {
		return nil, nil
	}
	return &page.Value[0], nil
}

// CreateServicePrincipal creates an application's service principal, waiting out replication
// lag (NoBackingApplicationObject) after the application was just created.
func (c *Client) CreateServicePrincipal(ctx context.Context, appID string) (*ServicePrincipal, error) {
	var out ServicePrincipal
	err := c.retryLag(ctx, func() error {
		return c.do(ctx, c.graph, http.MethodPost, c.graphURL+"/servicePrincipals", map[string]any{"appId": appID, "accountEnabled": true}, &out, nil)
	})
	return &out, err
}

// Grants lists the delegated-permission grants of a client service principal.
func (c *Client) Grants(ctx context.Context, clientSPID string) ([]Grant, error) {
	return graphList[Grant](ctx, c, "/oauth2PermissionGrants", url.Values{"$filter": {"clientId eq " + quote(clientSPID)}})
}

// CreateGrant creates a delegated-permission grant.
func (c *Client) CreateGrant(ctx context.Context, g *Grant) (*Grant, error) {
	var out Grant
	err := c.retryLag(ctx, func() error {
		return c.do(ctx, c.graph, http.MethodPost, c.graphURL+"/oauth2PermissionGrants", g, &out, nil)
	})
	return &out, err
}

// UpdateGrantScope replaces a grant's scope (space-separated values).
func (c *Client) UpdateGrantScope(ctx context.Context, id, scope string) error {
	return c.do(ctx, c.graph, http.MethodPatch, c.graphURL+"/oauth2PermissionGrants/"+url.PathEscape(id), map[string]string{"scope": scope}, nil, nil)
}

// DeleteGrant deletes a grant.
func (c *Client) DeleteGrant(ctx context.Context, id string) error {
	return c.do(ctx, c.graph, http.MethodDelete, c.graphURL+"/oauth2PermissionGrants/"+url.PathEscape(id), nil, nil, nil)
}

// Organization returns the tenant id the credential signs in to.
func (c *Client) Organization(ctx context.Context) (string, error) {
	var page struct {
		Value []struct {
			ID string `json:"id"`
		} `json:"value"`
	}
	if err := c.graphGet(ctx, "/organization", url.Values{"$select": {"id"}}, &page); err != nil {
		return "", err
	}
	if len(page.Value) == 0 {
		return "", &Error{Status: http.StatusNotFound, Code: "Request_ResourceNotFound", Message: "no organization"}
	}
	return page.Value[0].ID, nil
}

// GetApplicationKeys reads an application's keyCredentials with their keys (Graph returns `key`
// only on a single-object GET that selects keyCredentials), to PATCH the whole collection back.
func (c *Client) GetApplicationKeys(ctx context.Context, id string) ([]KeyCredential, error) {
	var a Application
	err := c.retryLag(ctx, func() error {
		return c.graphGet(ctx, "/applications/"+url.PathEscape(id), url.Values{"$select": {"keyCredentials"}}, &a)
	})
	return a.KeyCredentials, err
}

// AwaitServicePrincipal waits (through replication lag) until the application's service principal
// is visible: creating it answered 409 because it exists, but reads do not show it yet.
func (c *Client) AwaitServicePrincipal(ctx context.Context, appID string) (*ServicePrincipal, error) {
	var sp *ServicePrincipal
	err := c.retryLag(ctx, func() error {
		var err error
		if sp, err = c.ServicePrincipalByAppID(ctx, appID); err == nil && sp == nil {
			err = &Error{Status: http.StatusNotFound, Code: "Request_ResourceNotFound", Message: "service principal of " + appID + " not visible yet"}
		}
		return err
	})
	return sp, err
}

// IsConflict reports whether err is Graph's 409 for an object that already exists.
func IsConflict(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusConflict
}
