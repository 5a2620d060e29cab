package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/dicomreg/dicomreg/plugin/certs"
	"github.com/dicomreg/dicomreg/plugin/directory"
)

// The DICOM resource as the portal's "Azure API for DICOM" picker finds it.
const (
	dicomResourceURI    = "https://dicom.healthcareapis.azure.com"
	dicomDisplayName    = "Azure API for DICOM"
	dicomScopeValue     = "Dicom.ReadWrite"
	postmanRedirectURI  = "https://www.getpostman.com/oauth2/callback"
	dicomregCredName    = "dicomreg" // display name of the secrets dicomreg adds, so re-runs find them
	certValidity        = 365 * 24 * time.Hour
	platformMobile      = "mobile"
	platformWeb         = "web"
	platformSPA         = "spa"
	signInAudienceMyOrg = "AzureADMyOrg"
)

// registration is what `register` converges an app to; flags and the -f manifest both fill it.
type registration struct {
	Name              string          `yaml:"name" json:"name"`
	PublicClient      bool            `yaml:"publicClient" json:"publicClient"`
	RedirectURIs      []redirectEntry `yaml:"redirectUris" json:"redirectUris"`
	Postman           bool            `yaml:"postman" json:"postman"`
	Secret            bool            `yaml:"secret" json:"secret"`
	NewSecret         bool            `yaml:"newSecret" json:"newSecret"`
	SecretOut         string          `yaml:"secretOut" json:"secretOut"`
	Cert              bool            `yaml:"cert" json:"cert"`
	CertOut           string          `yaml:"certOut" json:"certOut"`
	CertFile          string          `yaml:"certFile" json:"certFile"`
	API               string          `yaml:"api" json:"api"`
	Scope             string          `yaml:"scope" json:"scope"`
	NoDICOMPermission bool            `yaml:"noDicomPermission" json:"noDicomPermission"`
	GrantAdminConsent bool            `yaml:"grantAdminConsent" json:"grantAdminConsent"`
	Role              string          `yaml:"role" json:"role"`
	DicomService      string          `yaml:"dicomService" json:"dicomService"`
}

type redirectEntry struct {
	URI      string `yaml:"uri" json:"uri"`
	Platform string `yaml:"platform" json:"platform"`
}

type registerOptions struct {
	registration
	File         string
	redirectURIs []string
	platform     string
	flags        *pflag.FlagSet
}

// registerResult is register's output.
type registerResult struct {
	DisplayName        string   `json:"displayName"`
	AppID              string   `json:"appId"`
	ObjectID           string   `json:"objectId"`
	TenantID           string   `json:"tenantId"`
	ServicePrincipalID string   `json:"servicePrincipalId"`
	PublicClient       bool     `json:"publicClient"`
	ClientSecret       string   `json:"clientSecret,omitempty"`
	SecretFile         string   `json:"secretFile,omitempty"`
	CertificateFile    string   `json:"certificateFile,omitempty"`
	Thumbprint         string   `json:"certificateThumbprint,omitempty"`
	Changes            []string `json:"changes"`
}

func newCmdRegister(f *Factory) *Command {
	opts := &registerOptions{}
	return &Command{
		Name:  "register",
		Short: "Register a DICOM client application in one idempotent command",
		Long: `Converges an app registration to what the flags (or a -f manifest) ask, creating or updating only
what is missing: a single-tenant app, public or confidential, redirect URIs, a client secret or
certificate, the Azure API for DICOM / Dicom.ReadWrite permission, the service principal, admin
consent, and a DICOM data role on a DICOM service. Re-running it changes nothing. It never removes
what it did not create, and refuses to guess when two apps share the name.

--secret adds a client secret only when the app has no valid secret dicomreg made (use --new-secret
to force one). The secret is shown once in the output, or with --secret-out written to a 0600
dotenv file (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET) and left out of the output.
The file names the secret before Graph makes it, so if a run is killed in between, the next run
removes the secret whose value was lost and makes a new one.`,
		Example: `dicomreg register --name my-viewer --postman --secret --secret-out viewer.env \
	--grant-admin-consent --role owner --dicom-service /subscriptions/…/dicomservices/my-dicom
dicomreg register --name my-mobile-app --public-client --redirect-uri msauth://my.app/callback --platform mobile
dicomreg register --name my-daemon --cert --cert-out daemon.pem --role reader --dicom-service "$DICOM_SERVICE_ID"
dicomreg register -f registration.yaml`,
		Flags: func(fs *pflag.FlagSet) {
			opts.flags = fs
			fs.StringVar(&opts.Name, "name", "", "display name of the app registration")
			fs.StringVarP(&opts.File, "file", "f", "", "YAML or JSON manifest with the same settings (flags override it)")
			fs.BoolVar(&opts.PublicClient, "public-client", false, `allow public client flows (the portal's "Allow public client flows")`)
			fs.StringArrayVar(&opts.redirectURIs, "redirect-uri", nil, "redirect URI (repeatable)")
			fs.StringVar(&opts.platform, "platform", platformMobile, "platform of the --redirect-uri values: mobile, web or spa")
			fs.BoolVar(&opts.Postman, "postman", false, "add Postman's redirect URI ("+postmanRedirectURI+", Mobile and desktop)")
			fs.BoolVar(&opts.Secret, "secret", false, "make sure the app has a client secret dicomreg created")
			fs.BoolVar(&opts.NewSecret, "new-secret", false, "add a new client secret even if one exists")
			fs.StringVar(&opts.SecretOut, "secret-out", "", "write a new secret to this dotenv file (mode 0600) instead of the output")
			fs.BoolVar(&opts.Cert, "cert", false, "create a self-signed certificate and upload its public key")
			fs.StringVar(&opts.CertOut, "cert-out", "", "where --cert writes the certificate and private key (default <name>.pem, mode 0600)")
			fs.StringVar(&opts.CertFile, "cert-file", "", "upload this certificate (PEM or DER) instead")
			fs.StringVar(&opts.API, "api", "", "resource app (appId or identifier URI) instead of Azure API for DICOM")
			fs.StringVar(&opts.Scope, "scope", "", "delegated permission of --api (default "+dicomScopeValue+")")
			fs.BoolVar(&opts.NoDICOMPermission, "no-dicom-permission", false, "do not add the API permission")
			fs.BoolVar(&opts.GrantAdminConsent, "grant-admin-consent", false, "grant tenant-wide admin consent for the permission")
			fs.StringVar(&opts.Role, "role", "", "DICOM data role for the app: owner, reader, or a role name or id")
			fs.StringVar(&opts.DicomService, "dicom-service", f.Getenv(EnvDICOMServiceID), "ARM id of the DICOM service for --role ($"+EnvDICOMServiceID+")")
		},
		Run: func(ctx context.Context, _ []string) error {
			reg, err := opts.resolve()
			if err != nil {
				return err
			}
			res, err := runRegister(ctx, f, reg)
			if res != nil {
				if len(res.Changes) == 0 {
					f.Progress("%s is already as asked: nothing to change.", res.DisplayName)
				}
				if perr := f.Print(res); perr != nil && err == nil {
					err = perr
				}
			}
			return err
		},
	}
}

// resolve merges the manifest with the flags that were set, then checks the result.
func (o *registerOptions) resolve() (*registration, error) {
	reg := registration{}
	if o.File != "" {
		data, err := os.ReadFile(o.File)
		if err != nil {
			return nil, usageErrorf("-f: %v", err)
		}
		if err := loadManifest(data, &reg); err != nil {
			return nil, usageErrorf("-f %s: %v", o.File, err)
		}
	}
	changed := func(name string) bool { return o.flags == nil || o.flags.Changed(name) }
	set := func(name string, dst *string, v string) {
		if changed(name) && v != "" {
			*dst = v
		}
	}
	setBool := func(name string, dst *bool, v bool) {
		if changed(name) {
			*dst = *dst || v
		}
	}
	set("name", &reg.Name, o.Name)
	setBool("public-client", &reg.PublicClient, o.PublicClient)
	setBool("postman", &reg.Postman, o.Postman)
	setBool("secret", &reg.Secret, o.Secret)
	setBool("new-secret", &reg.NewSecret, o.NewSecret)
	set("secret-out", &reg.SecretOut, o.SecretOut)
	setBool("cert", &reg.Cert, o.Cert)
	set("cert-out", &reg.CertOut, o.CertOut)
	set("cert-file", &reg.CertFile, o.CertFile)
	set("api", &reg.API, o.API)
	set("scope", &reg.Scope, o.Scope)
	setBool("no-dicom-permission", &reg.NoDICOMPermission, o.NoDICOMPermission)
	setBool("grant-admin-consent", &reg.GrantAdminConsent, o.GrantAdminConsent)
	set("role", &reg.Role, o.Role)
	if reg.DicomService == "" || changed("dicom-service") {
		reg.DicomService = o.DicomService
	}
	for _, u := range o.redirectURIs {
		reg.RedirectURIs = append(reg.RedirectURIs, redirectEntry{URI: u, Platform: o.platform})
	}
	return &reg, reg.validate()
}

// loadManifest reads YAML (JSON is YAML too) and refuses unknown keys, so a typo is not ignored.
func loadManifest(data []byte, reg *registration) error {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(reg); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

func (r *registration) validate() error {
	if strings.TrimSpace(r.Name) == "" {
		return usageErrorf("--name is required (the app registration's display name)")
	}
	if r.SecretOut != "" {
		r.Secret = true
	}
	if r.NewSecret {
		r.Secret = true
	}
	if r.Cert && r.CertFile != "" {
		return usageErrorf("--cert makes a certificate and --cert-file uploads one: give only one")
	}
	if r.Role != "" && r.DicomService == "" {
		return usageErrorf("--role needs --dicom-service (the DICOM service's ARM id)")
	}
	if r.NoDICOMPermission && r.GrantAdminConsent {
		return usageErrorf("--grant-admin-consent needs the API permission (drop --no-dicom-permission)")
	}
	for i, e := range r.RedirectURIs {
		if e.Platform == "" {
			r.RedirectURIs[i].Platform = platformMobile
		}
		switch r.RedirectURIs[i].Platform {
		case platformMobile, platformWeb, platformSPA:
		default:
			return usageErrorf("--platform %q: use mobile, web or spa", e.Platform)
		}
		if !strings.Contains(e.URI, ":") {
			return usageErrorf("--redirect-uri %q is not a URI", e.URI)
		}
	}
	if r.Postman {
		r.RedirectURIs = append(r.RedirectURIs, redirectEntry{URI: postmanRedirectURI, Platform: platformMobile})
	}
	return nil
}

// resourceGrant is the API permission a registration asks for.
type resourceGrant struct {
	sp      *directory.ServicePrincipal
	scopeID string
	scope   string
}

func runRegister(ctx context.Context, f *Factory, reg *registration) (*registerResult, error) {
	client, err := f.Directory()
	if err != nil {
		return nil, err
	}
	res := &registerResult{DisplayName: reg.Name, Changes: []string{}}
	change := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		res.Changes = append(res.Changes, msg)
		f.Progress("%s", msg)
	}
	apps, err := client.FindApplications(ctx, reg.Name)
	if err != nil {
		return nil, err
	}
	if len(apps) > 1 {
		return nil, duplicateAppsError(reg.Name, apps)
	}
	var grant *resourceGrant
	if !reg.NoDICOMPermission {
		if grant, err = findResource(ctx, client, reg.API, reg.Scope); err != nil {
			return nil, err
		}
	}
	var newCert *directory.KeyCredential
	if reg.Cert || reg.CertFile != "" {
		if newCert, err = certificateFor(reg, res, apps); err != nil {
			return nil, err
		}
	}
	var app *directory.Application
	justCreated := len(apps) == 0
	if justCreated {
		app, err = client.CreateApplication(ctx, newApplication(reg, grant, newCert))
		if err != nil {
			return nil, err
		}
		change("created application %s (appId %s)", app.DisplayName, app.AppID)
	} else {
		app = &apps[0]
		patch, what := applicationPatch(app, reg, grant)
		if newCert != nil {
			full, err := client.GetApplicationKeys(ctx, app.ID)
			if err != nil {
				return nil, err
			}
			patch["keyCredentials"] = append(full, *newCert)
			what = append(what, "uploaded certificate "+res.Thumbprint)
		}
		if len(patch) > 0 {
			if err := client.PatchApplication(ctx, app.ID, patch); err != nil {
				return nil, err
			}
			for _, w := range what {
				change("%s", w)
			}
		}
	}
	res.AppID, res.ObjectID = app.AppID, app.ID
	res.PublicClient = app.IsFallbackPublicClient != nil && *app.IsFallbackPublicClient || reg.PublicClient
	if res.TenantID, err = tenantOf(ctx, f, client); err != nil {
		return res, err
	}
	lost := ""
	if reg.Secret && reg.SecretOut != "" {
		if lost, err = removeLostSecret(ctx, client, app, reg.SecretOut, change); err != nil {
			return res, err
		}
	}
	if reg.Secret && (reg.NewSecret || justCreated || lost != "" || !hasValidDicomregSecret(app, f.Now())) {
		name := dicomregCredName
		if reg.SecretOut != "" {
			// Announced in the file before Graph makes it: see removeLostSecret.
			name = dicomregCredName + "-" + randomSuffix()
			if err := writePendingSecretFile(reg.SecretOut, res.TenantID, app.AppID, name); err != nil {
				return res, err
			}
		}
		cred, err := client.AddPassword(ctx, app.ID, name, time.Time{})
		if err != nil {
			return res, err
		}
		change("added client secret %s… (keyId %s, expires %s)", cred.Hint, cred.KeyID, cred.EndDateTime.Format("2006-01-02"))
		if res.ClientSecret, res.SecretFile, err = deliverSecret(f, reg.SecretOut, res.TenantID, app.AppID, cred.SecretText); err != nil {
			return res, err
		}
	}
	sp, spCreated, err := ensureServicePrincipal(ctx, client, app.AppID, justCreated)
	if err != nil {
		return res, err
	}
	res.ServicePrincipalID = sp.ID
	if spCreated {
		change("created service principal %s", sp.ID)
	}
	if reg.GrantAdminConsent {
		msg, err := ensureAdminConsent(ctx, client, sp.ID, grant, spCreated)
		if err != nil {
			return res, err
		}
		if msg != "" {
			change("%s", msg)
		}
	}
	if reg.Role != "" {
		msg, err := ensureRole(ctx, client, reg.DicomService, reg.Role, sp.ID, spCreated)
		if err != nil {
			return res, err
		}
		if msg != "" {
			change("%s", msg)
		}
	}
	return res, nil
}

func duplicateAppsError(name string, apps []directory.Application) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d app registrations are named %q; dicomreg will not guess which one to change:", len(apps), name)
	for _, a := range apps {
		created := ""
		if a.CreatedDateTime != nil {
			created = a.CreatedDateTime.Format(time.RFC3339)
		}
		fmt.Fprintf(&b, "\n  appId %s  objectId %s  created %s", a.AppID, a.ID, created)
	}
	b.WriteString("\nRename or delete the extra ones (dicomreg app delete --app <objectId>), then run register again.")
	return &ConflictError{Msg: b.String()}
}

// findResource finds the resource's service principal in the tenant and the id of its scope,
// by name, never by a hard-coded id.
func findResource(ctx context.Context, client *directory.Client, api, scope string) (*resourceGrant, error) {
	spn, display := dicomResourceURI, dicomDisplayName
	if api != "" {
		spn, display = api, ""
	}
	if scope == "" {
		scope = dicomScopeValue
	}
	sp, err := client.ServicePrincipalByName(ctx, spn, display)
	if err != nil {
		return nil, err
	}
	if sp == nil && api != "" {
		sp, err = client.ServicePrincipalByAppID(ctx, api)
		if err != nil {
			return nil, err
		}
	}
	if sp == nil {
		if api == "" {
			return nil, notFoundf("this tenant has no %q service principal (%s): no DICOM service has been deployed in it yet. Deploy a DICOM service in an Azure Health Data Services workspace first (the portal adds the principal then), or pass --no-dicom-permission, or --api for another resource", dicomDisplayName, dicomResourceURI)
		}
		return nil, notFoundf("no service principal for --api %q in this tenant", api)
	}
	for _, s := range sp.OAuth2PermissionScopes {
		if strings.EqualFold(s.Value, scope) {
			return &resourceGrant{sp: sp, scopeID: s.ID, scope: s.Value}, nil
		}
	}
	return nil, notFoundf("%s exposes no delegated permission %q", sp.DisplayName, scope)
}

func newApplication(reg *registration, grant *resourceGrant, cert *directory.KeyCredential) *directory.Application {
	a := &directory.Application{DisplayName: reg.Name, SignInAudience: signInAudienceMyOrg}
	if reg.PublicClient {
		t := true
		a.IsFallbackPublicClient = &t
	}
	for _, e := range reg.RedirectURIs {
		target := &a.PublicClient
		switch e.Platform {
		case platformWeb:
			target = &a.Web
		case platformSPA:
			target = &a.Spa
		}
		if *target == nil {
			*target = &directory.RedirectURIs{}
		}
		if !slices.Contains((*target).RedirectURIs, e.URI) {
			(*target).RedirectURIs = append((*target).RedirectURIs, e.URI)
		}
	}
	if grant != nil {
		a.RequiredResourceAccess = []directory.RequiredResourceAccess{{ResourceAppID: grant.sp.AppID,
			ResourceAccess: []directory.ResourceAccess{{ID: grant.scopeID, Type: "Scope"}}}}
	}
	if cert != nil {
		a.KeyCredentials = []directory.KeyCredential{*cert}
	}
	return a
}

// applicationPatch is what an existing app lacks: only additions, never removals.
func applicationPatch(app *directory.Application, reg *registration, grant *resourceGrant) (map[string]any, []string) {
	patch := map[string]any{}
	var what []string
	if reg.PublicClient && (app.IsFallbackPublicClient == nil || !*app.IsFallbackPublicClient) {
		patch["isFallbackPublicClient"] = true
		what = append(what, "allowed public client flows")
	}
	platforms := map[string]**directory.RedirectURIs{platformMobile: &app.PublicClient, platformWeb: &app.Web, platformSPA: &app.Spa}
	property := map[string]string{platformMobile: "publicClient", platformWeb: "web", platformSPA: "spa"}
	for _, p := range []string{platformMobile, platformWeb, platformSPA} {
		var have []string
		if cur := *platforms[p]; cur != nil {
			have = cur.RedirectURIs
		}
		next := slices.Clone(have)
		for _, e := range reg.RedirectURIs {
			if e.Platform == p && !slices.Contains(next, e.URI) {
				next = append(next, e.URI)
				what = append(what, fmt.Sprintf("added %s redirect URI %s", p, e.URI))
			}
		}
		if len(next) != len(have) {
			patch[property[p]] = map[string]any{"redirectUris": next}
		}
	}
	if grant != nil {
		rra := slices.Clone(app.RequiredResourceAccess)
		i := slices.IndexFunc(rra, func(r directory.RequiredResourceAccess) bool {
			return strings.EqualFold(r.ResourceAppID, grant.sp.AppID)
		})
		if i < 0 {
			rra = append(rra, directory.RequiredResourceAccess{ResourceAppID: grant.sp.AppID})
			i = len(rra) - 1
		}
		if !slices.ContainsFunc(rra[i].ResourceAccess, func(a directory.ResourceAccess) bool { return strings.EqualFold(a.ID, grant.scopeID) }) {
			rra[i].ResourceAccess = append(slices.Clone(rra[i].ResourceAccess), directory.ResourceAccess{ID: grant.scopeID, Type: "Scope"})
			patch["requiredResourceAccess"] = rra
			what = append(what, fmt.Sprintf("added API permission %s / %s", grant.sp.DisplayName, grant.scope))
		}
	}
	return patch, what
}

// certificateFor makes or loads the certificate to upload, or nil when the app already has it.
func certificateFor(reg *registration, res *registerResult, apps []directory.Application) (*directory.KeyCredential, error) {
	var have []directory.KeyCredential
	if len(apps) == 1 {
		have = apps[0].KeyCredentials
	}
	displayName := "CN=" + reg.Name
	if reg.Cert {
		for _, k := range have {
			if k.DisplayName == displayName && k.EndDateTime != nil && k.EndDateTime.After(time.Now()) {
				return nil, nil // made by an earlier run and still valid
			}
		}
		pair, err := certs.SelfSigned(reg.Name, certValidity)
		if err != nil {
			return nil, err
		}
		out := reg.CertOut
		if out == "" {
			out = reg.Name + ".pem"
		}
		if err := certs.WritePEM(out, pair); err != nil {
			return nil, err
		}
		res.CertificateFile = out
		return newKeyCredential(pair.Cert.Raw, certs.Thumbprint(pair.Cert), displayName, pair.Cert.NotBefore, pair.Cert.NotAfter, res), nil
	}
	cert, err := certs.LoadCertificate(reg.CertFile)
	if err != nil {
		return nil, usageErrorf("--cert-file: %v", err)
	}
	thumb := certs.Thumbprint(cert)
	for _, k := range have {
		if string(k.CustomKeyIdentifier) == string(thumb) {
			res.Thumbprint = fmt.Sprintf("%X", thumb)
			return nil, nil
		}
	}
	return newKeyCredential(cert.Raw, thumb, "CN="+cert.Subject.CommonName, cert.NotBefore, cert.NotAfter, res), nil
}

func newKeyCredential(der, thumb []byte, name string, start, end time.Time, res *registerResult) *directory.KeyCredential {
	res.Thumbprint = fmt.Sprintf("%X", thumb)
	return &directory.KeyCredential{Type: "AsymmetricX509Cert", Usage: "Verify", Key: der, CustomKeyIdentifier: thumb,
		DisplayName: name, StartDateTime: &start, EndDateTime: &end}
}

func hasValidDicomregSecret(app *directory.Application, now time.Time) bool {
	for _, p := range app.PasswordCredentials {
		if isDicomregSecret(p.DisplayName) && p.EndDateTime.After(now) {
			return true
		}
	}
	return false
}

// tenantOf is the tenant from --tenant or AZURE_TENANT_ID, else asked of Graph.
func tenantOf(ctx context.Context, f *Factory, client *directory.Client) (string, error) {
	if f.Global.Tenant != "" {
		return f.Global.Tenant, nil
	}
	if t := f.Getenv("AZURE_TENANT_ID"); t != "" {
		return t, nil
	}
	return client.Organization(ctx)
}

func ensureServicePrincipal(ctx context.Context, client *directory.Client, appID string, appJustCreated bool) (*directory.ServicePrincipal, bool, error) {
	if !appJustCreated {
		sp, err := client.ServicePrincipalByAppID(ctx, appID)
		if err != nil || sp != nil {
			return sp, false, err
		}
	}
	sp, err := client.CreateServicePrincipal(ctx, appID)
	if directory.IsConflict(err) {
		// It exists (an earlier run made it) but Graph has not replicated it to reads yet.
		sp, err = client.AwaitServicePrincipal(ctx, appID)
		return sp, false, err
	}
	return sp, err == nil, err
}

// ensureAdminConsent makes sure a tenant-wide grant holds the scope, merging into an existing
// grant rather than deleting and recreating it.
func ensureAdminConsent(ctx context.Context, client *directory.Client, spID string, grant *resourceGrant, spJustCreated bool) (string, error) {
	if !spJustCreated {
		grants, err := client.Grants(ctx, spID)
		if err != nil {
			return "", err
		}
		for _, g := range grants {
			if g.ConsentType != "AllPrincipals" || !strings.EqualFold(g.ResourceID, grant.sp.ID) {
				continue
			}
			if slices.Contains(strings.Fields(g.Scope), grant.scope) {
				return "", nil
			}
			scope := strings.TrimSpace(g.Scope + " " + grant.scope)
			if err := client.UpdateGrantScope(ctx, g.ID, scope); err != nil {
				return "", err
			}
			return fmt.Sprintf("added %s to the admin consent for %s", grant.scope, grant.sp.DisplayName), nil
		}
	}
	if _, err := client.CreateGrant(ctx, &directory.Grant{ClientID: spID, ConsentType: "AllPrincipals", ResourceID: grant.sp.ID, Scope: grant.scope}); err != nil {
		return "", err
	}
	return fmt.Sprintf("granted admin consent for %s / %s", grant.sp.DisplayName, grant.scope), nil
}

// roleID turns owner/reader, a role name or a GUID into a role definition GUID.
func roleID(ctx context.Context, client *directory.Client, scope, role string) (string, error) {
	if id, ok := directory.BuiltInRoles[strings.ToLower(role)]; ok {
		return id, nil
	}
	if isGUID(role) {
		return strings.ToLower(role), nil
	}
	return client.RoleDefinitionByName(ctx, scope, role)
}

func ensureRole(ctx context.Context, client *directory.Client, scope, role, spID string, spJustCreated bool) (string, error) {
	id, err := roleID(ctx, client, scope, role)
	if err != nil {
		return "", err
	}
	if !spJustCreated {
		existing, err := client.RoleAssignments(ctx, scope, spID)
		if err != nil {
			return "", err
		}
		for _, ra := range existing {
			if ra.RoleDefinitionGUID() == id && (strings.EqualFold(ra.Properties.Scope, scope) || strings.HasPrefix(strings.ToLower(scope), strings.ToLower(ra.Properties.Scope)+"/")) {
				return "", nil
			}
		}
	}
	if _, err := client.CreateRoleAssignment(ctx, scope, newGUID(), id, spID, "ServicePrincipal"); err != nil {
		return "", err
	}
	return fmt.Sprintf("assigned role %s to the service principal on %s", role, scope), nil
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", c):
			return false
		}
	}
	return true
}

func newGUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
