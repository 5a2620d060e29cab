package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dicomreg/dicomreg/plugin/atomicfile"
	"github.com/dicomreg/dicomreg/plugin/auth"
	"github.com/dicomreg/dicomreg/plugin/directory"
	"github.com/dicomreg/dicomreg/plugin/dotenv"
	"github.com/dicomreg/dicomreg/plugin/postman"
	"github.com/dicomreg/dicomreg/plugin/secretfile"
)

func newCmdAppPostman(f *Factory) *cobra.Command {
	cmd := newGroup("postman", "Export a Postman environment and DICOMweb collection for an app",
		`Postman's OAuth 2.0 helper, set up for the app: authorize and token URLs of its tenant, its
client id, the DICOM scope and Postman's callback; and a DICOMweb v2 collection (store, search,
retrieve, metadata) whose every request checks its answer. The client secret goes into the
environment only with --secret-from FILE (the dotenv file register --secret-out wrote); the
environment file is then 0600.`)
	cmd.AddCommand(NewCmdPostmanExport(f, nil))
	return cmd
}

// PostmanExportOptions are `app postman export`'s.
type PostmanExportOptions struct {
	IO            Console
	Directory     func() (*directory.Client, error)
	Getenv        func(string) string
	App           string
	Tenant        string
	AuthorityHost string
	DICOMURL      string
	EnvOut        string
	CollectionOut string
	SecretFrom    string
	Force         bool
}

// NewCmdPostmanExport is `app postman export`.
func NewCmdPostmanExport(f *Factory, runF func(context.Context, *PostmanExportOptions) error) *cobra.Command {
	opts := &PostmanExportOptions{IO: f, Directory: f.Directory, Getenv: f.Getenv}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the app's Postman environment and DICOMweb v2 collection",
		Example: `dicomreg app postman export --app my-viewer --env-out viewer.postman_environment.json --collection-out viewer.postman_collection.json
dicomreg app postman export --app my-viewer --env-out ci.json --collection-out dicom.json --secret-from viewer.env`,
	}
	cmd.RunE = runner(opts, runF, func(ctx context.Context, o *PostmanExportOptions) error {
		o.Tenant, o.AuthorityHost = f.namedTenant(), f.Global.AuthorityHost
		return postmanExportRun(ctx, o)
	})
	fl := cmd.Flags()
	fl.StringVar(&opts.App, "app", "", appFlagHelp)
	fl.StringVar(&opts.DICOMURL, "dicom-url", "", "the DICOM service's URL (default $"+EnvDICOMURL+")")
	fl.StringVar(&opts.EnvOut, "env-out", "", "write the Postman environment here")
	fl.StringVar(&opts.CollectionOut, "collection-out", "", "write the DICOMweb collection here")
	fl.StringVar(&opts.SecretFrom, "secret-from", "", "put the client secret of this dotenv file (register --secret-out) into the environment (file mode 0600)")
	fl.BoolVar(&opts.Force, "force", false, "replace files that exist")
	return cmd
}

func postmanExportRun(ctx context.Context, opts *PostmanExportOptions) error {
	if opts.EnvOut == "" && opts.CollectionOut == "" {
		return usageErrorf("give --env-out FILE, --collection-out FILE or both")
	}
	if opts.SecretFrom != "" && opts.EnvOut == "" {
		// the secret goes only into the environment: without one, --secret-from would be ignored
		return usageErrorf("usage error: --secret-from FILE requires --env-out FILE (the Postman environment the secret is written into)")
	}
	_, app, err := appFor(ctx, opts.Directory, opts.App)
	if err != nil {
		return err
	}
	reg, err := postmanRegistration(app, opts.Tenant, opts.AuthorityHost, opts.DICOMURL, opts.Getenv)
	if err != nil {
		return err
	}
	if opts.SecretFrom != "" {
		b, err := os.ReadFile(opts.SecretFrom)
		if err != nil {
			return usageErrorf("--secret-from: %v", err)
		}
		vars, err := dotenv.Parse(string(b))
		if err != nil {
			return usageErrorf("--secret-from %s: %v", opts.SecretFrom, err)
		}
		if !strings.EqualFold(vars[dotenv.ClientID], app.AppID) || vars[dotenv.ClientSecret] == "" {
			return usageErrorf("--secret-from %s holds no secret of app %s", opts.SecretFrom, app.AppID)
		}
		reg.ClientSecret = vars[dotenv.ClientSecret]
	}
	return writePostman(opts.IO, reg, opts.SecretFrom != "", opts.EnvOut, opts.CollectionOut, replacePolicy{force: opts.Force})
}

// postmanRegistration is what the Postman files are built from.
func postmanRegistration(app *directory.Application, tenant, authority, dicomURL string, getenv func(string) string) (postman.Registration, error) {
	if tenant == "" {
		return postman.Registration{}, usageErrorf("no tenant: pass --tenant or set %s", auth.EnvTenantID)
	}
	if dicomURL == "" {
		dicomURL = getenv(EnvDICOMURL)
	}
	if dicomURL == "" {
		return postman.Registration{}, usageErrorf("no DICOM service URL: pass --dicom-url or set %s", EnvDICOMURL)
	}
	for _, h := range []string{authority, getenv(auth.EnvAuthorityHost), auth.DefaultAuthorityHost} {
		if h != "" {
			authority = h
			break
		}
	}
	return postman.Registration{Name: app.DisplayName, TenantID: tenant, ClientID: app.AppID, AuthorityHost: authority, DICOMURL: dicomURL}, nil
}

// replacePolicy says when writePostman may replace a file that exists: with force anything;
// with ours what plugin/postman built for the same app (register run again).
type replacePolicy struct{ force, ours bool }

// postmanFile is one file writePostman writes.
type postmanFile struct {
	what, path string
	data       []byte
	mode       os.FileMode
}

// postmanFiles builds the environment (0600 when it holds the secret) and the collection and
// checks that each may be written, writing nothing: what would stop the write is found out at
// once, and register finds it out before its first remote write.
func postmanFiles(reg postman.Registration, withSecret bool, envOut, collectionOut string, p replacePolicy) ([]postmanFile, error) {
	var files []postmanFile
	if envOut != "" {
		env, err := postman.Environment(reg, withSecret)
		if err != nil {
			return nil, usageErrorf("%v", err)
		}
		mode := os.FileMode(0o644)
		if postman.HasSecret(reg, withSecret) {
			mode = secretfile.Mode
		}
		if err := p.check(envOut, func(b []byte) bool { return postman.EnvironmentOurs(b, reg.Name, withSecret) }); err != nil {
			return nil, err
		}
		files = append(files, postmanFile{"Postman environment", envOut, env, mode})
	}
	if collectionOut != "" {
		col, err := postman.Collection(reg)
		if err != nil {
			return nil, usageErrorf("%v", err)
		}
		if err := p.check(collectionOut, func(b []byte) bool { return postman.CollectionOurs(b, reg.Name) }); err != nil {
			return nil, err
		}
		files = append(files, postmanFile{"DICOMweb collection", collectionOut, col, 0o644})
	}
	return files, nil
}

// check says whether path may be written: its directory exists, and a file there may be
// replaced under p (ours recognises the files p.ours allows).
func (p replacePolicy) check(path string, ours func([]byte) bool) error {
	if !p.ours {
		ours = nil
	}
	err := secretfile.Check(path, secretfile.Options{Force: p.force, Ours: ours})
	var exists *secretfile.ExistsError
	switch {
	case errors.As(err, &exists) && !p.ours:
		return usageErrorf("%s exists; pass --force to replace it", path)
	case errors.As(err, &exists):
		return usageErrorf("%s exists and is not a Postman file dicomreg wrote for this app, or holds a client secret this run has no new one to replace with; choose another file, or pass --force to replace it", path)
	case err != nil:
		return usageErrorf("%v", err)
	}
	return nil
}

// writePostman writes the environment and the collection, neither unless both may be written.
func writePostman(io Console, reg postman.Registration, withSecret bool, envOut, collectionOut string, p replacePolicy) error {
	files, err := postmanFiles(reg, withSecret, envOut, collectionOut, p)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := atomicfile.WriteBytes(f.path, f.mode, true, f.data); err != nil { // replacing was checked by postmanFiles
			return err
		}
		io.Progress("wrote the %s to %s", f.what, f.path)
	}
	return nil
}

// postmanCollectionPath is where register --postman-env FILE puts the collection: beside FILE.
func postmanCollectionPath(envPath string) string {
	return strings.TrimSuffix(envPath, filepath.Ext(envPath)) + ".collection.json"
}
