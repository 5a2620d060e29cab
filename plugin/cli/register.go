package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/dicomreg/dicomreg/plugin/auth"
	"github.com/dicomreg/dicomreg/plugin/converge"
	"github.com/dicomreg/dicomreg/plugin/directory"
	"github.com/dicomreg/dicomreg/plugin/federated"
	"github.com/dicomreg/dicomreg/plugin/postman"
)

// RegisterOptions are `register`'s: a manifest and the flags that override it.
type RegisterOptions struct {
	IO        Console
	Directory func() (*directory.Client, error)
	Engine    func(converge.Directory) *converge.Engine

	converge.Registration
	File         string
	RedirectURIs []string
	// Federated adds a federated identity credential (--federated SPEC and its preset flags).
	Federated FederatedFlags
	// PostmanEnv writes a Postman environment there and the DICOMweb collection beside it.
	PostmanEnv    string
	PostmanSecret bool
	EnvOut        EnvOutFlags
	Tenant        func() string
	Getenv        func(string) string
	Platform      string
	// Changed says whether a flag was set on the command line (nil: all were).
	Changed func(name string) bool
	// AuthorityHost is the sign-in host next steps name (--authority-host, AZURE_AUTHORITY_HOST).
	AuthorityHost string
	// PrintManifest prints the manifest the flags (and -f) amount to, and does nothing else.
	PrintManifest bool
}

// NewCmdRegister is `register`.
func NewCmdRegister(f *Factory, runF func(context.Context, *RegisterOptions) error) *cobra.Command {
	opts := &RegisterOptions{IO: f, Directory: f.Directory, Engine: f.Engine, Getenv: f.Getenv, Tenant: f.namedTenant}
	cmd := &cobra.Command{
		Use:   "register",
		Short: "Register a DICOM client application in one idempotent command",
		Long: `Converges an app registration to what the flags (or a -f manifest) ask, creating or updating only
what is missing: a single-tenant app, public or confidential, redirect URIs, a client secret or
certificate, the Azure API for DICOM / Dicom.ReadWrite permission, the service principal, admin
consent, and a DICOM data role on a DICOM service. Re-running it changes nothing. It never removes
what it did not create, and refuses to guess when two apps share the name.

--secret adds a client secret only when the app has no valid secret dicomreg made (use --new-secret
to force one). The secret is shown once in the output, or with --secret-out written to a 0600
dotenv file (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET) and left out of the output,
as it is with --postman-env FILE --postman-secret and with --env-out FILE (the output names the file
instead, as secretFile; if the file cannot be written, the value stays in the output).
The file names the secret before Graph makes it, so if a run is killed in between, the next run
removes the secret whose value was lost and makes a new one.`,
		Example: `dicomreg register --name my-viewer --postman --secret --secret-out viewer.env \
	--grant-admin-consent --role owner --dicom-service /subscriptions/…/dicomservices/my-dicom
dicomreg register --name my-mobile-app --public-client --redirect-uri msauth://my.app/callback --platform mobile
dicomreg register --name my-daemon --cert --cert-out daemon.pem --role reader --dicom-service "$DICOM_SERVICE_ID"
dicomreg register -f registration.yaml
dicomreg register --name my-viewer --postman --secret --print-manifest > registration.yaml`,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Changed = c.Flags().Changed
			opts.AuthorityHost = firstNonEmpty(f.Global.AuthorityHost, f.Getenv("AZURE_AUTHORITY_HOST"))
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return registerRun(c.Context(), opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.Name, "name", "", "display name of the app registration")
	fs.StringVarP(&opts.File, "file", "f", "", "YAML or JSON manifest with the same settings (flags override it)")
	fs.BoolVar(&opts.PublicClient, "public-client", false, `allow public client flows (the portal's "Allow public client flows")`)
	fs.StringArrayVar(&opts.RedirectURIs, "redirect-uri", nil, "redirect URI (repeatable)")
	fs.StringVar(&opts.Platform, "platform", converge.PlatformMobile, "platform of the --redirect-uri values: mobile, web or spa")
	fs.BoolVar(&opts.Postman, "postman", false, "add Postman's redirect URI ("+converge.PostmanRedirectURI+", Mobile and desktop)")
	fs.BoolVar(&opts.Secret, "secret", false, "make sure the app has a client secret dicomreg created")
	fs.BoolVar(&opts.NewSecret, "new-secret", false, "add a new client secret even if one exists")
	fs.StringVar(&opts.SecretOut, "secret-out", "", "write a new secret to this dotenv file (mode 0600) instead of the output")
	fs.BoolVar(&opts.PrintManifest, "print-manifest", false, "print the -f manifest (YAML) these flags amount to, and change nothing")
	fs.BoolVar(&opts.Force, "force", false, "let --secret-out, --cert-out and --postman-env replace files that hold something else")
	fs.BoolVar(&opts.Cert, "cert", false, "create a self-signed certificate and upload its public key")
	fs.StringVar(&opts.CertOut, "cert-out", "", "where --cert writes the certificate and private key (default <name>.pem, mode 0600)")
	fs.StringVar(&opts.CertFile, "cert-file", "", "upload this certificate (PEM or DER) instead")
	fs.StringVar(&opts.API, "api", "", "resource app (appId or identifier URI) instead of Azure API for DICOM")
	fs.StringVar(&opts.Scope, "scope", "", "delegated permission of --api (default "+converge.DICOMScope+")")
	fs.BoolVar(&opts.NoDICOMPermission, "no-dicom-permission", false, "do not add the API permission")
	fs.BoolVar(&opts.GrantAdminConsent, "grant-admin-consent", false, "grant tenant-wide admin consent for the permission")
	fs.StringVar(&opts.Role, "role", "", "DICOM data role for the app: owner, reader, or a role name or id")
	fs.StringVar(&opts.DicomService, "dicom-service", f.Getenv(EnvDICOMServiceID), "ARM id of the DICOM service for --role ($"+EnvDICOMServiceID+")")
	opts.Federated.bind(fs)
	opts.EnvOut.bind(fs)
	fs.StringVar(&opts.PostmanEnv, "postman-env", "", "write a Postman environment here and the DICOMweb collection beside it (FILE.collection.json)")
	fs.BoolVar(&opts.PostmanSecret, "postman-secret", false, "put the secret this run makes into the Postman environment (file mode 0600) instead of the output")
	return cmd
}

func registerRun(ctx context.Context, opts *RegisterOptions) error {
	if opts.PostmanSecret && opts.PostmanEnv == "" {
		// the secret would go nowhere asked for: refused, not ignored
		return usageErrorf("usage error: --postman-secret requires --postman-env FILE (the Postman environment the secret is written into)")
	}
	if opts.PrintManifest {
		reg, err := opts.merge()
		if err != nil {
			return err
		}
		data, err := yaml.Marshal(reg)
		if err != nil {
			return err
		}
		return opts.IO.Write(data)
	}
	reg, err := opts.resolve()
	if err != nil {
		return err
	}
	client, err := opts.Directory()
	if err != nil {
		return err
	}
	want, hasFederated, ferr := opts.Federated.credential()
	if ferr != nil {
		return ferr
	}
	reg.Federated = hasFederated
	engine := opts.Engine(client)
	files := opts.filesAfter(reg.Name)
	for _, f := range files {
		if err := f.check(); err != nil {
			return err
		}
	}
	engine.SecretKeptIn = secretKeeper(files)
	res, err := engine.Register(ctx, reg)
	if err == nil && res != nil && hasFederated {
		created, ferr := federated.Ensure(ctx, client, res.ObjectID, want)
		if created {
			res.Changes = append(res.Changes, "added federated identity credential "+want.Name+" ("+want.Issuer+", "+want.Subject+")")
		}
		err = ferr
	}
	if err == nil && res != nil {
		err = writeFilesAfter(opts.IO, files, res)
	}
	if res != nil {
		if len(res.Changes) == 0 {
			opts.IO.Progress("%s is already as asked: nothing to change.", res.DisplayName)
		}
		if perr := opts.IO.Print(res); perr != nil && err == nil {
			err = perr
		}
	}
	if err == nil {
		for _, line := range nextSteps(reg, res, opts) {
			opts.IO.Progress("%s", line)
		}
	}
	return err
}

// fileAfter is a file register writes once the app exists, from the run's result; keepsSecret
// says whether it holds the new secret the run made (--secret-out's file the engine writes itself,
// claimed before the secret exists). check finds out, before the first remote write, what would
// stop the write.
type fileAfter struct {
	path        string
	keepsSecret bool
	check       func() error
	write       func(*converge.Result) error
}

// filesAfter are --postman-env and --env-out for the app named name, in the order they are
// written.
func (o *RegisterOptions) filesAfter(name string) []fileAfter {
	var files []fileAfter
	if o.PostmanEnv != "" {
		files = append(files, fileAfter{path: o.PostmanEnv, keepsSecret: o.PostmanSecret,
			check: func() error { return o.checkPostman(name) }, write: o.writePostman})
	}
	if o.EnvOut.Path != "" {
		files = append(files, fileAfter{path: o.EnvOut.Path, keepsSecret: true,
			check: func() error { return o.EnvOut.check(o.Force) },
			write: func(res *converge.Result) error {
				return o.EnvOut.write(res, o.authorityHost(), o.getenv(EnvDICOMURL), o.Force)
			}})
	}
	return files
}

// secretKeeper is the first of files that holds a new secret ("": none), the engine's
// SecretKeptIn: the secret is made whatever the output shows, without the warning to store it.
func secretKeeper(files []fileAfter) string {
	for _, f := range files {
		if f.keepsSecret {
			return f.path
		}
	}
	return ""
}

// writeFilesAfter writes files in order, up to the first error. Once one of them holds the new
// secret, the output leaves the value out and names that file as secretFile, as with
// --secret-out; when none could be written, the value stays in the output so it is not lost,
// with the warning to store it the engine left out.
func writeFilesAfter(console Console, files []fileAfter, res *converge.Result) error {
	kept := ""
	var err error
	for _, f := range files {
		if err = f.write(res); err != nil {
			break
		}
		if f.keepsSecret && kept == "" {
			kept = f.path
		}
	}
	switch {
	case res.ClientSecret == "":
	case kept != "":
		res.ClientSecret, res.SecretFile = "", kept
	case secretKeeper(files) != "":
		console.Warn("%s was not written: the client secret is in the output instead, once; store it now", secretKeeper(files))
	}
	return err
}

// nextSteps tells what to do with the registration: use its credentials, prove they work, and
// (for --postman) what Postman's OAuth 2.0 form needs.
func nextSteps(reg *converge.Registration, res *converge.Result, opts *RegisterOptions) []string {
	authority := strings.TrimSuffix(firstNonEmpty(opts.AuthorityHost, "https://login.microsoftonline.com"), "/") + "/" + res.TenantID
	out := []string{"Next steps:"}
	switch {
	case res.SecretFile != "" && res.SecretFile == opts.PostmanEnv && reg.SecretOut == "":
		out = append(out, fmt.Sprintf("  Postman: Import %s and %s; the environment holds the client secret", res.SecretFile, postmanCollectionPath(res.SecretFile)))
	case res.SecretFile != "" && res.SecretFile == opts.EnvOut.Path && opts.EnvOut.Format == "github":
		out = append(out, fmt.Sprintf("  cat %s >> \"$GITHUB_ENV\"   # the job's later steps get the app's variables, the client secret among them", res.SecretFile))
	case res.SecretFile != "":
		out = append(out, fmt.Sprintf("  source %s && dicomreg verify --dicom-url <DICOM service URL>   # a token from the new secret, tried on the service", res.SecretFile))
	case res.CertificateFile != "":
		out = append(out, fmt.Sprintf("  AZURE_TENANT_ID=%s AZURE_CLIENT_ID=%s AZURE_CLIENT_CERTIFICATE_PATH=%s dicomreg verify --dicom-url <DICOM service URL>", res.TenantID, res.AppID, res.CertificateFile))
	case res.PublicClient:
		out = append(out, fmt.Sprintf("  dicomreg token get --flow device-code --client-id %s --tenant %s   # sign in as a user", res.AppID, res.TenantID))
	}
	if reg.Postman {
		out = append(out, "  Postman, Authorization → OAuth 2.0 → Authorization Code:",
			"    Auth URL     "+authority+"/oauth2/v2.0/authorize",
			"    Token URL    "+authority+"/oauth2/v2.0/token",
			"    Client ID    "+res.AppID,
			"    Scope        "+converge.DICOMResourceURI+"/"+converge.DICOMScope,
			"    Callback URL "+converge.PostmanRedirectURI+" (with 'Authorize using browser' off)")
	}
	if len(out) == 1 {
		return nil
	}
	return out
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// resolve merges the manifest with the flags that were set, then checks the result.
func (o *RegisterOptions) resolve() (*converge.Registration, error) {
	reg, err := o.merge()
	if err != nil {
		return nil, err
	}
	return reg, reg.Validate()
}

// merge is the manifest (-f) with the flags that were set over it.
func (o *RegisterOptions) merge() (*converge.Registration, error) {
	reg := converge.Registration{}
	if o.File != "" {
		data, err := os.ReadFile(o.File)
		if err != nil {
			return nil, usageErrorf("-f: %v", err)
		}
		if err := converge.LoadManifest(data, &reg); err != nil {
			return nil, usageErrorf("-f %s: %v", o.File, err)
		}
	}
	changed := func(name string) bool { return o.Changed == nil || o.Changed(name) }
	set := func(name string, dst *string, v string) {
		if changed(name) && v != "" {
			*dst = v
		}
	}
	// A flag given on the command line wins over the manifest, false included
	// (--public-client=false over publicClient: true).
	setBool := func(name string, dst *bool, v bool) {
		if changed(name) {
			*dst = v
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
	reg.Force = o.Force
	for _, u := range o.RedirectURIs {
		reg.RedirectURIs = append(reg.RedirectURIs, converge.RedirectEntry{URI: u, Platform: o.Platform})
	}
	return &reg, nil
}

// postmanSetup is what register's Postman files are built from for the app appID named name,
// in tenant ("": the named tenant).
func (o *RegisterOptions) postmanSetup(name, appID, tenant string) (postman.Registration, error) {
	if tenant == "" && o.Tenant != nil {
		tenant = o.Tenant()
	}
	return postmanRegistration(&directory.Application{DisplayName: name, AppID: appID}, tenant, o.authorityHost(), "", o.getenv)
}

// postmanTargets are --postman-env and the collection beside it; register replaces without
// --force only the files it wrote for the same app.
func (o *RegisterOptions) postmanTargets() (env, collection string, p replacePolicy) {
	return o.PostmanEnv, postmanCollectionPath(o.PostmanEnv), replacePolicy{force: o.Force, ours: true}
}

// checkPostman finds out, before the first remote write, what would stop register writing the
// Postman files once the app and its secret exist: no DICOM URL, a missing directory, a file
// there it may not replace. The files are built for a stand-in app to check them.
func (o *RegisterOptions) checkPostman(name string) error {
	const standIn = "00000000-0000-0000-0000-000000000000"
	reg, err := o.postmanSetup(name, standIn, standIn)
	if err != nil {
		return err
	}
	reg.ClientSecret = standIn
	env, collection, p := o.postmanTargets()
	_, err = postmanFiles(reg, o.PostmanSecret, env, collection, p)
	return err
}

// writePostman writes --postman-env and the collection beside it for the registered app.
func (o *RegisterOptions) writePostman(res *converge.Result) error {
	reg, err := o.postmanSetup(res.DisplayName, res.AppID, res.TenantID)
	if err != nil {
		return err
	}
	if o.PostmanSecret {
		if res.ClientSecret == "" {
			return usageErrorf("--postman-secret: this run made no secret it can show (with --secret-out, use `dicomreg app postman export --secret-from FILE`)")
		}
		reg.ClientSecret = res.ClientSecret
	}
	env, collection, p := o.postmanTargets()
	return writePostman(o.IO, reg, o.PostmanSecret, env, collection, p)
}

func (o *RegisterOptions) getenv(name string) string {
	if o.Getenv == nil {
		return ""
	}
	return o.Getenv(name)
}

// authorityHost is --authority-host, else $AZURE_AUTHORITY_HOST ("" for the public cloud).
func (o *RegisterOptions) authorityHost() string {
	if o.AuthorityHost != "" {
		return o.AuthorityHost
	}
	return o.getenv(auth.EnvAuthorityHost)
}
