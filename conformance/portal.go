package conformance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// pluginBehaviours walk the portal page "Register a client application for the DICOM service"
// through the dicomreg binary, and read every step back through Graph and ARM.
var pluginBehaviours = []behaviour{
	{"plugin/register-confidential", NeedPlugin | NeedDICOMService, pluginRegisterConfidential},
	{"plugin/register-public-client", NeedPlugin | NeedUser, pluginRegisterPublic},
	{"plugin/register-twice-changes-nothing", NeedPlugin | NeedDICOMService, pluginRegisterTwice},
	{"plugin/portal-steps-one-by-one", NeedPlugin | NeedDICOMService, pluginSteps},
}

// registration is an app registration as Graph shows it.
type registration struct {
	ID                     string                          `json:"id"`
	AppID                  string                          `json:"appId"`
	DisplayName            string                          `json:"displayName"`
	SignInAudience         string                          `json:"signInAudience"`
	IsFallbackPublicClient *bool                           `json:"isFallbackPublicClient"`
	PublicClient           struct{ RedirectURIs []string } `json:"publicClient"`
	Web                    struct{ RedirectURIs []string } `json:"web"`
	RequiredResourceAccess []requiredResourceAccess        `json:"requiredResourceAccess"`
	PasswordCredentials    []struct {
		KeyID string `json:"keyId"`
	} `json:"passwordCredentials"`
	KeyCredentials []struct {
		KeyID string `json:"keyId"`
	} `json:"keyCredentials"`
}

// registrationNamed reads the one app called name, with its service principal id.
// Graph's lists lag its writes, so it reads until both are there.
func (c *Case) registrationNamed(name string) (registration, string) {
	c.t.Helper()
	var apps struct{ Value []registration }
	var sps struct{ Value []struct{ ID string } }
	c.eventually("find the app by name, and its service principal", func() error {
		if err := c.graph(http.MethodGet, "/applications?$filter="+url.QueryEscape("displayName eq '"+name+"'"), nil, &apps); err != nil {
			return err
		}
		if len(apps.Value) != 1 {
			return fmt.Errorf("want exactly one application named %s, found %d", name, len(apps.Value))
		}
		if err := c.graph(http.MethodGet, "/servicePrincipals?$filter="+url.QueryEscape("appId eq '"+apps.Value[0].AppID+"'"), nil, &sps); err != nil {
			return err
		}
		if len(sps.Value) != 1 {
			return fmt.Errorf("want one service principal for %s, found %d", apps.Value[0].AppID, len(sps.Value))
		}
		return nil
	})
	return apps.Value[0], sps.Value[0].ID
}

// cleanupRegistrations deletes, when the behaviour ends, every app named name (and what the
// plugin made for it): the plugin may fail halfway, so they are found by name.
func (c *Case) cleanupRegistrations(name string) {
	c.Cleanup("apps named "+name, func(ctx context.Context) error {
		var apps struct{ Value []registration }
		filter := url.QueryEscape("displayName eq '" + name + "'")
		if err := c.call(ctx, graphScope, http.MethodGet, c.tgt().GraphURL+"/applications?$filter="+filter, nil, &apps); err != nil {
			return err
		}
		for _, a := range apps.Value {
			c.deleteRoleAssignmentsOf(ctx, a.AppID)
			if err := ignoreNotFound(c.call(ctx, graphScope, http.MethodDelete, c.tgt().GraphURL+"/applications/"+a.ID, nil, nil)); err != nil {
				return err
			}
		}
		return nil
	})
}

// deleteRoleAssignmentsOf removes the role assignments of appID's principal on the DICOM service.
func (c *Case) deleteRoleAssignmentsOf(ctx context.Context, appID string) {
	var sps struct{ Value []struct{ ID string } }
	if c.call(ctx, graphScope, http.MethodGet, c.tgt().GraphURL+"/servicePrincipals?$filter="+url.QueryEscape("appId eq '"+appID+"'"), nil, &sps) != nil {
		return
	}
	for _, sp := range sps.Value {
		for _, ra := range c.roleAssignments(ctx, sp.ID) {
			if err := ignoreNotFound(c.call(ctx, armScope, http.MethodDelete, c.tgt().ARMURL+ra.ID+"?api-version="+roleAssignmentsAPI, nil, nil)); err != nil {
				c.Logf("cleanup role assignment %s: %v", ra.ID, err)
			}
		}
		_ = ignoreNotFound(c.call(ctx, graphScope, http.MethodDelete, c.tgt().GraphURL+"/servicePrincipals/"+sp.ID, nil, nil))
	}
}

// roleAssignment is an ARM role assignment.
type roleAssignment struct {
	ID         string `json:"id"`
	Properties struct {
		RoleDefinitionID string `json:"roleDefinitionId"`
		PrincipalID      string `json:"principalId"`
	} `json:"properties"`
}

// roleAssignments lists principalID's role assignments at the DICOM service.
func (c *Case) roleAssignments(ctx context.Context, principalID string) []roleAssignment {
	var list struct{ Value []roleAssignment }
	path := c.tgt().DICOMServiceID + "/providers/Microsoft.Authorization/roleAssignments"
	u := c.tgt().ARMURL + path + "?api-version=" + roleAssignmentsAPI + "&$filter=" + url.QueryEscape("principalId eq '"+principalID+"'")
	if err := c.call(ctx, armScope, http.MethodGet, u, nil, &list); err != nil {
		c.Logf("list role assignments: %v", err)
	}
	return list.Value
}

// wantRegistration checks what a finished registration must look like in Graph and ARM.
type wantRegistration struct {
	public    bool
	mobile    []string
	secrets   int
	certs     int
	consent   bool
	roleID    string
	principal string // the service principal's id
}

func (c *Case) checkRegistration(r registration, w wantRegistration) {
	c.t.Helper()
	if r.SignInAudience != "AzureADMyOrg" {
		c.Errorf("signInAudience = %q, want AzureADMyOrg (this organizational directory only)", r.SignInAudience)
	}
	if got := r.IsFallbackPublicClient != nil && *r.IsFallbackPublicClient; got != w.public {
		c.Errorf("isFallbackPublicClient = %v, want %v", got, w.public)
	}
	for _, u := range w.mobile {
		if !slices.Contains(r.PublicClient.RedirectURIs, u) {
			c.Errorf("publicClient.redirectUris %v lacks %s", r.PublicClient.RedirectURIs, u)
		}
	}
	if len(r.PasswordCredentials) != w.secrets || len(r.KeyCredentials) != w.certs {
		c.Errorf("app has %d secrets and %d certificates, want %d and %d", len(r.PasswordCredentials), len(r.KeyCredentials), w.secrets, w.certs)
	}
	p := c.dicomSP()
	if !hasScope(r.RequiredResourceAccess, p.AppID, p.scopeID()) {
		c.Errorf("requiredResourceAccess %+v lacks Azure API for DICOM / Dicom.ReadWrite", r.RequiredResourceAccess)
	}
	if w.consent {
		var grants struct {
			Value []struct{ ConsentType, ResourceID, Scope string }
		}
		c.must(c.graph(http.MethodGet, "/oauth2PermissionGrants?$filter="+url.QueryEscape("clientId eq '"+w.principal+"'"), nil, &grants), "list grants")
		ok := false
		for _, g := range grants.Value {
			ok = ok || g.ConsentType == "AllPrincipals" && g.ResourceID == p.ID && slices.Contains(strings.Fields(g.Scope), dicomReadWriteValue)
		}
		if !ok || len(grants.Value) != 1 {
			c.Errorf("want one admin-consent grant for Dicom.ReadWrite, got %+v", grants.Value)
		}
	}
	if w.roleID != "" {
		ras := c.roleAssignments(c.ctx, w.principal)
		if len(ras) != 1 || !strings.HasSuffix(ras[0].Properties.RoleDefinitionID, "/"+w.roleID) {
			c.Errorf("want one role assignment of %s on the DICOM service, got %+v", w.roleID, ras)
		}
	}
}

func hasScope(rra []requiredResourceAccess, resourceAppID, scopeID string) bool {
	for _, r := range rra {
		if !strings.EqualFold(r.ResourceAppID, resourceAppID) {
			continue
		}
		for _, a := range r.ResourceAccess {
			if strings.EqualFold(a.ID, scopeID) && a.Type == "Scope" {
				return true
			}
		}
	}
	return false
}

// readDotenv reads the NAME=value lines of a secret file.
func readDotenv(data []byte) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "export "))
		name, value, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		value = strings.TrimSpace(value)
		if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		m[strings.TrimSpace(name)] = value
	}
	return m
}

// secretFile checks a --secret-out file: owner-only, and the three variables azidentity's
// EnvironmentCredential reads; it returns the secret.
func (c *Case) secretFile(path, appID string, stdout string) string {
	c.t.Helper()
	st, err := os.Stat(path)
	c.must(err, "secret file")
	if st.Mode().Perm() != 0o600 {
		c.Errorf("secret file mode %v, want 0600", st.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	c.must(err, "read secret file")
	env := readDotenv(data)
	if env[envTenantID] != c.tgt().TenantID || env[envClientID] != appID || env[envClientSecret] == "" {
		c.Fatalf("secret file should set %s, %s and %s for app %s; it sets %v", envTenantID, envClientID, envClientSecret, appID, keys(env))
	}
	if strings.Contains(stdout, env[envClientSecret]) {
		c.Errorf("the secret is in stdout although --secret-out was given")
	}
	return env[envClientSecret]
}

func keys(m map[string]string) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	slices.Sort(k)
	return k
}

// registerOutput checks what register prints: the IDs the portal's Overview page shows.
func (c *Case) registerOutput(r run, want registration, spID string) map[string]any {
	c.t.Helper()
	out := c.jsonOut(r)
	for name, v := range map[string]string{"appId": want.AppID, "objectId": want.ID, "tenantId": c.tgt().TenantID, "servicePrincipalId": spID} {
		if got := stringField(out, name); got != v {
			c.Errorf("register output %s = %q, want %q", name, got, v)
		}
	}
	return out
}

func pluginRegisterConfidential(c *Case) {
	dir := c.t.TempDir()
	secretOut, certOut := filepath.Join(dir, "secret.env"), filepath.Join(dir, "cert.pem")
	c.cleanupRegistrations(c.prefix)
	r := c.mustDicomreg("register", "--name", c.prefix, "--secret", "--secret-out", secretOut, "--cert", "--cert-out", certOut,
		"--postman", "--grant-admin-consent", "--role", "owner", "--dicom-service", c.tgt().DICOMServiceID, "-o", "json")
	reg, spID := c.registrationNamed(c.prefix)
	c.registerOutput(r, reg, spID)
	c.checkRegistration(reg, wantRegistration{mobile: []string{postmanRedirectURI}, secrets: 1, certs: 1, consent: true, roleID: roleDICOMDataOwner, principal: spID})

	// The secret and the certificate the plugin made each get a DICOM token that works.
	sec := c.secretFile(secretOut, reg.AppID, r.Stdout)
	sc, err := azidentity.NewClientSecretCredential(c.tgt().TenantID, reg.AppID, sec, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: c.tgt().clientOptions(), DisableInstanceDiscovery: true})
	c.must(err, "ClientSecretCredential")
	var tok string
	c.eventually("token with the plugin's secret", func() (err error) { tok, err = tokenFor(c, sc, dicomScope); return err })
	c.checkDICOMToken(tok, wantToken{appID: reg.AppID, appidacr: "1"})
	c.wantDICOMAccess(tok)

	if st, err := os.Stat(certOut); err != nil || st.Mode().Perm() != 0o600 {
		c.Errorf("certificate key file: %v, mode %v, want 0600", err, st)
	}
	pemData, err := os.ReadFile(certOut)
	c.must(err, "read certificate file")
	certs, key, err := azidentity.ParseCertificates(pemData, nil)
	c.must(err, "parse the plugin's certificate file")
	cc, err := azidentity.NewClientCertificateCredential(c.tgt().TenantID, reg.AppID, certs, key,
		&azidentity.ClientCertificateCredentialOptions{ClientOptions: c.tgt().clientOptions(), DisableInstanceDiscovery: true})
	c.must(err, "ClientCertificateCredential")
	c.eventually("token with the plugin's certificate", func() (err error) { tok, err = tokenFor(c, cc, dicomScope); return err })
	c.checkDICOMToken(tok, wantToken{appID: reg.AppID, appidacr: "2"})
	c.wantDICOMAccess(tok)
}

func pluginRegisterPublic(c *Case) {
	c.cleanupRegistrations(c.prefix)
	r := c.mustDicomreg("register", "--name", c.prefix, "--public-client", "--redirect-uri", loopbackRedirectURI, "--platform", "mobile",
		"--grant-admin-consent", "-o", "json")
	reg, spID := c.registrationNamed(c.prefix)
	c.registerOutput(r, reg, spID)
	c.checkRegistration(reg, wantRegistration{public: true, mobile: []string{loopbackRedirectURI}, consent: true, principal: spID})
	//lint:ignore SA1019 the password flow is deprecated by Microsoft but still a flow users run
	cred, err := azidentity.NewUsernamePasswordCredential(c.tgt().TenantID, reg.AppID, c.tgt().Username, c.tgt().Password,
		&azidentity.UsernamePasswordCredentialOptions{ClientOptions: c.tgt().clientOptions(), DisableInstanceDiscovery: true})
	c.must(err, "UsernamePasswordCredential")
	var tok string
	c.eventually("password-flow token for the public client", func() (err error) { tok, err = tokenFor(c, cred, dicomDelegatedScope); return err })
	c.checkDICOMToken(tok, wantToken{appID: reg.AppID, appidacr: "0", delegated: true})
}

// pluginRegisterTwice: a second identical run finds everything in place, says so and writes
// nothing.
func pluginRegisterTwice(c *Case) {
	c.cleanupRegistrations(c.prefix)
	args := []string{"register", "--name", c.prefix, "--postman", "--redirect-uri", loopbackRedirectURI, "--platform", "mobile",
		"--grant-admin-consent", "--role", "owner", "--dicom-service", c.tgt().DICOMServiceID, "-o", "json"}
	c.mustDicomreg(args...)
	first, spID := c.registrationNamed(c.prefix)
	writes := c.graphWrites()
	again := c.mustDicomreg(args...)
	if n := c.graphWrites() - writes; n > 0 {
		c.Errorf("the second identical register made %d Graph/ARM writes, want none", n)
	}
	second, _ := c.registrationNamed(c.prefix)
	c.registerOutput(again, second, spID)
	if !slices.Equal(first.PublicClient.RedirectURIs, second.PublicClient.RedirectURIs) || second.ID != first.ID {
		c.Errorf("the second run changed the app: redirect URIs %v then %v", first.PublicClient.RedirectURIs, second.PublicClient.RedirectURIs)
	}
	c.checkRegistration(second, wantRegistration{mobile: []string{postmanRedirectURI, loopbackRedirectURI}, consent: true, roleID: roleDICOMDataOwner, principal: spID})
	if ch := changes(c.jsonOut(again)); ch != "" {
		c.Errorf("the second run's output should say nothing changed; it says %s", ch)
	}
}

// graphWrites is the target's write count, or 0 when it cannot count.
func (c *Case) graphWrites() int {
	if c.tgt().GraphWrites == nil {
		return 0
	}
	return c.tgt().GraphWrites()
}

// changes is what register's output says it changed, empty for nothing.
func changes(out map[string]any) string {
	v, ok := lookup(out, "changes", "changed")
	if !ok {
		return "(no changes field)"
	}
	switch v := v.(type) {
	case []any:
		if len(v) == 0 {
			return ""
		}
	case bool:
		if !v {
			return ""
		}
	case nil:
		return ""
	}
	return strings.TrimSpace(strings.ReplaceAll(jsonString(v), "\n", " "))
}

// pluginSteps does the portal page one screen at a time with the granular commands.
func pluginSteps(c *Case) {
	dir := c.t.TempDir()
	c.cleanupRegistrations(c.prefix)
	app := c.jsonOut(c.mustDicomreg("app", "create", "--name", c.prefix, "-o", "json"))
	appID := stringField(app, "appId")
	// Right after the create Graph may not know the app yet: a person would run it again.
	var shownRun run
	c.eventually("dicomreg app show of the new app", func() error {
		if shownRun = c.dicomreg("app", "show", "--app", appID, "-o", "json"); shownRun.Code != 0 {
			return errors.New(shownRun.String())
		}
		return nil
	})
	shown := c.jsonOut(shownRun)
	if stringField(shown, "appId") != appID || stringField(shown, "displayName") != c.prefix {
		c.Errorf("app show: want appId %s and displayName %s, got %v", appID, c.prefix, shown)
	}
	c.mustDicomreg("app", "redirect", "add", "--app", appID, "--postman")
	c.mustDicomreg("app", "secret", "add", "--app", appID, "--secret-out", filepath.Join(dir, "secret.env"))
	c.mustDicomreg("app", "cert", "create", "--app", appID, "--cert-out", filepath.Join(dir, "cert.pem"))
	c.mustDicomreg("app", "permission", "add", "--app", appID)
	c.mustDicomreg("app", "permission", "grant", "--app", appID)
	c.mustDicomreg("role", "assign", "--app", appID, "--role", "owner", "--dicom-service", c.tgt().DICOMServiceID)
	reg, spID := c.registrationNamed(c.prefix)
	c.checkRegistration(reg, wantRegistration{mobile: []string{postmanRedirectURI}, secrets: 1, certs: 1, consent: true, roleID: roleDICOMDataOwner, principal: spID})
	c.secretFile(filepath.Join(dir, "secret.env"), appID, "")
}
