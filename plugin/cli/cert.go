package cli

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dicomreg/dicomreg/plugin/certs"
	"github.com/dicomreg/dicomreg/plugin/converge"
	"github.com/dicomreg/dicomreg/plugin/directory"
	"github.com/dicomreg/dicomreg/plugin/secretfile"
)

// defaultYears is a new certificate's validity, New-SelfSignedCertificate's default.
const defaultYears = 1

// keyCredential is a Graph keyCredential (an uploaded certificate).
type keyCredential = directory.KeyCredential

// appKeys is an app and its certificates, keys included: Graph replaces keyCredentials as a
// whole, so an update must send back every certificate it keeps.
type appKeys struct {
	ObjectID    string
	AppID       string
	DisplayName string
	Keys        []keyCredential
}

// keyCredentialStore reads and writes an app's keyCredentials.
type keyCredentialStore interface {
	// AppKeys finds the app by display name or app id and reads its keyCredentials with their key.
	AppKeys(ctx context.Context, app string) (*appKeys, error)
	// SetKeys PATCHes the app's whole keyCredentials collection.
	SetKeys(ctx context.Context, objectID string, keys []keyCredential) error
}

// certRow is one certificate as `app cert` commands print it.
type certRow struct {
	KeyID         string `json:"keyId"`
	Thumbprint    string `json:"thumbprint"`
	DisplayName   string `json:"displayName"`
	StartDateTime string `json:"startDateTime"`
	EndDateTime   string `json:"endDateTime"`
}

func rowOf(k keyCredential) certRow {
	r := certRow{KeyID: k.KeyID, Thumbprint: strings.ToUpper(hex.EncodeToString(k.CustomKeyIdentifier)), DisplayName: k.DisplayName}
	if k.StartDateTime != nil {
		r.StartDateTime = k.StartDateTime.UTC().Format(time.RFC3339)
	}
	if k.EndDateTime != nil {
		r.EndDateTime = k.EndDateTime.UTC().Format(time.RFC3339)
	}
	return r
}

// addCertificate uploads c unless the app already has it (same thumbprint): repeating a command
// converges instead of piling up copies.
func addCertificate(ctx context.Context, store keyCredentialStore, ak *appKeys, c *x509.Certificate) (certRow, error) {
	if k, ok := converge.HasCertificate(ak.Keys, c); ok {
		return rowOf(k), nil
	}
	nk := converge.KeyOf(c)
	if err := store.SetKeys(ctx, ak.ObjectID, append(ak.Keys, nk)); err != nil {
		return certRow{}, err
	}
	return rowOf(nk), nil
}

// CertCreateOptions are `app cert create`'s.
type CertCreateOptions struct {
	IO      Console
	Now     func() time.Time
	App     string
	Subject string // default: the app's display name
	Years   int
	Out     string // PEM file for certificate and private key, written 0600
	Force   bool   // replace an existing --cert-out file
	Store   func() (keyCredentialStore, error)
}

func (o *CertCreateOptions) bind(fs *pflag.FlagSet) {
	fs.StringVar(&o.App, "app", "", appFlagHelp)
	fs.StringVar(&o.Subject, "subject", "", "certificate subject CN (default: the app's display name)")
	fs.IntVar(&o.Years, "years", defaultYears, "validity in years")
	fs.StringVar(&o.Out, "cert-out", "", "PEM file to write the certificate and its private key to (mode 0600)")
	fs.StringVar(&o.Out, "out", "", "same as --cert-out")
	fs.BoolVar(&o.Force, "force", false, "let --cert-out replace an existing file")
}

func certCreateRun(ctx context.Context, opts *CertCreateOptions) error {
	if opts.App == "" {
		return usageErrorf("--app NAME|APPID is required")
	}
	if opts.Out == "" {
		return usageErrorf("--cert-out FILE is required: the private key is written there (mode 0600) and nowhere else")
	}
	if opts.Years <= 0 {
		return usageErrorf("--years %d must be positive", opts.Years)
	}
	store, err := opts.Store()
	if err != nil {
		return err
	}
	ak, err := store.AppKeys(ctx, opts.App)
	if err != nil {
		return err
	}
	subject := opts.Subject
	if subject == "" {
		subject = ak.DisplayName
	}
	pair, err := certs.SelfSignedAt(subject, opts.Now(), time.Duration(opts.Years)*365*24*time.Hour)
	if err != nil {
		return err
	}
	// The key is on disk before the certificate is on the app, so a failed upload never leaves
	// the app trusting a certificate whose key is lost.
	data, err := certs.PEM(pair)
	if err != nil {
		return err
	}
	if err := secretfile.Write(opts.Out, data, secretfile.Options{Force: opts.Force}); err != nil {
		return err
	}
	opts.IO.Progress("Wrote the certificate and its private key to %s (mode 0600).", opts.Out)
	row, err := addCertificate(ctx, store, ak, pair.Cert)
	if err != nil {
		return err
	}
	return opts.IO.Print(row)
}

// CertUploadOptions are `app cert upload`'s.
type CertUploadOptions struct {
	IO       Console
	App      string
	CertFile string
	Store    func() (keyCredentialStore, error)
}

func (o *CertUploadOptions) bind(fs *pflag.FlagSet) {
	fs.StringVar(&o.App, "app", "", appFlagHelp)
	fs.StringVar(&o.CertFile, "cert-file", "", "certificate to upload: PEM (a private key in it is ignored) or DER")
}

func certUploadRun(ctx context.Context, opts *CertUploadOptions) error {
	if opts.App == "" || opts.CertFile == "" {
		return usageErrorf("--app and --cert-file are required")
	}
	c, err := certs.LoadCertificate(opts.CertFile)
	if err != nil {
		return usageErrorf("%v", err)
	}
	store, err := opts.Store()
	if err != nil {
		return err
	}
	ak, err := store.AppKeys(ctx, opts.App)
	if err != nil {
		return err
	}
	row, err := addCertificate(ctx, store, ak, c)
	if err != nil {
		return err
	}
	return opts.IO.Print(row)
}

// CertListOptions are `app cert list`'s.
type CertListOptions struct {
	IO    Console
	App   string
	Store func() (keyCredentialStore, error)
}

func (o *CertListOptions) bind(fs *pflag.FlagSet) {
	fs.StringVar(&o.App, "app", "", appFlagHelp)
}

func certListRun(ctx context.Context, opts *CertListOptions) error {
	if opts.App == "" {
		return usageErrorf("--app NAME|APPID is required")
	}
	store, err := opts.Store()
	if err != nil {
		return err
	}
	ak, err := store.AppKeys(ctx, opts.App)
	if err != nil {
		return err
	}
	rows := make([]certRow, 0, len(ak.Keys))
	for _, k := range ak.Keys {
		rows = append(rows, rowOf(k))
	}
	return opts.IO.Print(rows)
}

// CertRemoveOptions are `app cert remove`'s.
type CertRemoveOptions struct {
	IO    Console
	App   string
	ID    string // keyId or thumbprint (hex, any case, colons allowed)
	Store func() (keyCredentialStore, error)
}

func (o *CertRemoveOptions) bind(fs *pflag.FlagSet) {
	fs.StringVar(&o.App, "app", "", appFlagHelp)
	fs.StringVar(&o.ID, "key-id", "", "the certificate's keyId or SHA-1 thumbprint (hex, colons allowed)")
	fs.StringVar(&o.ID, "thumbprint", "", "same as --key-id")
}

func certRemoveRun(ctx context.Context, opts *CertRemoveOptions) error {
	if opts.App == "" || opts.ID == "" {
		return usageErrorf("--app and --key-id (or --thumbprint) are required")
	}
	store, err := opts.Store()
	if err != nil {
		return err
	}
	ak, err := store.AppKeys(ctx, opts.App)
	if err != nil {
		return err
	}
	want := strings.ToLower(strings.ReplaceAll(opts.ID, ":", ""))
	keep := make([]keyCredential, 0, len(ak.Keys))
	var removed *keyCredential
	for i, k := range ak.Keys {
		if strings.EqualFold(k.KeyID, opts.ID) || hex.EncodeToString(k.CustomKeyIdentifier) == want {
			removed = &ak.Keys[i]
			continue
		}
		keep = append(keep, k)
	}
	if removed == nil {
		return notFoundf("app %s has no certificate with key id or thumbprint %q", opts.App, opts.ID)
	}
	if err := store.SetKeys(ctx, ak.ObjectID, keep); err != nil {
		return err
	}
	return opts.IO.Print(rowOf(*removed))
}

func newCmdAppCert(f *Factory) *cobra.Command {
	cmd := newGroup("cert", "Manage an app's client certificates",
		`Certificates are kept in the app's keyCredentials, which Graph replaces as a whole: every
command here reads the collection and writes it back with the certificates it keeps, so other
certificates are never lost. Uploading a certificate the app already has changes nothing.`)
	cmd.AddCommand(NewCmdCertCreate(f, nil), NewCmdCertUpload(f, nil), NewCmdCertList(f, nil), NewCmdCertRemove(f, nil))
	return cmd
}

// keyStore is the app's keyCredentials through this run's directory client.
func keyStore(f *Factory) func() (keyCredentialStore, error) {
	return func() (keyCredentialStore, error) { return newDirectoryReader(f) }
}

// NewCmdCertCreate is `app cert create`.
func NewCmdCertCreate(f *Factory, runF func(context.Context, *CertCreateOptions) error) *cobra.Command {
	opts := &CertCreateOptions{IO: f, Now: f.Now, Store: keyStore(f)}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Make a self-signed certificate (RSA 2048, SHA-256, client auth), save it with its key, upload it",
		Long: `Like PowerShell's New-SelfSignedCertificate: CN=<subject> (default the app's name), valid for
--years. The certificate and its PKCS#8 private key are written to --cert-out with mode 0600, the form
AZURE_CLIENT_CERTIFICATE_PATH and 'dicomreg token get --flow certificate --cert-file' read; only
the public certificate is uploaded.`,
		Example: `dicomreg app cert create --app my-viewer --cert-out my-viewer.pem`,
		RunE:    runner(opts, runF, certCreateRun),
	}
	opts.bind(cmd.Flags())
	return cmd
}

// NewCmdCertUpload is `app cert upload`.
func NewCmdCertUpload(f *Factory, runF func(context.Context, *CertUploadOptions) error) *cobra.Command {
	opts := &CertUploadOptions{IO: f, Store: keyStore(f)}
	cmd := &cobra.Command{
		Use:     "upload",
		Short:   "Upload an existing certificate (PEM or DER; a private key in the file is not sent)",
		Example: `dicomreg app cert upload --app my-viewer --cert-file client.crt`,
		RunE:    runner(opts, runF, certUploadRun),
	}
	opts.bind(cmd.Flags())
	return cmd
}

// NewCmdCertList is `app cert list`.
func NewCmdCertList(f *Factory, runF func(context.Context, *CertListOptions) error) *cobra.Command {
	opts := &CertListOptions{IO: f, Store: keyStore(f)}
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the app's certificates: key id, SHA-1 thumbprint, validity",
		Example: `dicomreg app cert list --app my-viewer -o table`,
		RunE:    runner(opts, runF, certListRun),
	}
	opts.bind(cmd.Flags())
	return cmd
}

// NewCmdCertRemove is `app cert remove`.
func NewCmdCertRemove(f *Factory, runF func(context.Context, *CertRemoveOptions) error) *cobra.Command {
	opts := &CertRemoveOptions{IO: f, Store: keyStore(f)}
	cmd := &cobra.Command{
		Use:     "remove",
		Short:   "Remove a certificate by key id or thumbprint",
		Example: `dicomreg app cert remove --app my-viewer --thumbprint 3A:5F:…`,
		RunE:    runner(opts, runF, certRemoveRun),
	}
	opts.bind(cmd.Flags())
	return cmd
}
