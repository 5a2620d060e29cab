package converge

import (
	"context"
	"fmt"
	"time"
)

// Result is what Register did and the ids a client of the registration needs.
type Result struct {
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

// register is one Register run: the engine, what was asked, and what was done so far.
type register struct {
	*Engine
	reg *Registration
	res *Result
}

func (r *register) change(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.res.Changes = append(r.res.Changes, msg)
	r.report("%s", msg)
}

// Register converges the app named reg.Name to reg (validated by the caller), creating or adding
// only what is missing, in the fewest requests: no GET it can do without. On an error it returns
// what it did so far with the error.
func (e *Engine) Register(ctx context.Context, reg *Registration) (*Result, error) {
	r := &register{Engine: e, reg: reg, res: &Result{DisplayName: reg.Name, Changes: []string{}}}
	apps, err := e.Dir.FindApplications(ctx, reg.Name)
	if err != nil {
		return nil, err
	}
	if len(apps) > 1 {
		return nil, duplicateAppsError(reg.Name, apps)
	}
	var perm *Permission
	if !reg.NoDICOMPermission {
		if perm, err = FindPermission(ctx, e.Dir, reg.API, reg.Scope); err != nil {
			return nil, err
		}
	}
	var existing *Application
	existingID := ""
	if len(apps) == 1 {
		existing, existingID = &apps[0], apps[0].AppID
	}
	// What can fail without a write fails before the first one: the DICOM service and role of a
	// new app (a later run converges an existing one anyway), and the secret file.
	if reg.Role != "" && existing == nil {
		if _, err := e.Dir.RoleAssignments(ctx, reg.DicomService, ""); err != nil {
			return nil, fmt.Errorf("--dicom-service %s: %w", reg.DicomService, err)
		}
		if _, err := RoleID(ctx, e.Dir, reg.DicomService, reg.Role); err != nil {
			return nil, err
		}
	}
	if reg.Secret && reg.SecretOut == "" && e.dropsSecret() &&
		(existing == nil || reg.NewSecret || !hasValidDicomregSecret(existing, e.now())) {
		return nil, errSecretNotShown
	}
	if reg.Secret {
		if err := (SecretFile{Path: reg.SecretOut, Force: reg.Force}).Check(existingID); err != nil {
			return nil, err
		}
	}
	cert, err := r.certificate(existing)
	if err != nil {
		return nil, err
	}
	app, err := r.application(ctx, existing, perm, cert)
	if err != nil {
		return nil, err
	}
	justCreated := existing == nil
	r.res.AppID, r.res.ObjectID = app.AppID, app.ID
	r.res.PublicClient = IsPublicClient(app) || reg.PublicClient
	if r.res.TenantID, err = e.TenantID(ctx); err != nil {
		return r.res, err
	}
	if err := r.secret(ctx, app, justCreated); err != nil {
		return r.res, err
	}
	if !r.res.PublicClient && len(app.PasswordCredentials) == 0 && len(app.KeyCredentials) == 0 && !reg.Secret && cert == nil && !reg.Federated {
		e.warn("%s has no client secret, certificate or federated credential, so as a confidential app it cannot get a token: add --secret (or --cert, or --federated for a workload), or --public-client for user sign-in", app.DisplayName)
	}
	sp, spCreated, err := EnsureServicePrincipal(ctx, e.Dir, app.AppID, justCreated)
	if err != nil {
		return r.res, err
	}
	r.res.ServicePrincipalID = sp.ID
	if spCreated {
		r.change("created service principal %s", sp.ID)
	}
	return r.res, r.access(ctx, sp.ID, spCreated, perm)
}

// access gives the app's principal what reg asks: admin consent for perm, a DICOM data role.
// spJustCreated skips the lookups: a new principal holds neither.
func (r *register) access(ctx context.Context, spID string, spJustCreated bool, perm *Permission) error {
	var steps []func() (string, error)
	if r.reg.GrantAdminConsent {
		steps = append(steps, func() (string, error) { return EnsureAdminConsent(ctx, r.Dir, spID, perm, spJustCreated) })
	}
	if r.reg.Role != "" {
		steps = append(steps, func() (string, error) {
			return EnsureRole(ctx, r.Dir, r.reg.DicomService, r.reg.Role, spID, spJustCreated)
		})
	}
	for _, step := range steps {
		msg, err := step()
		if err != nil {
			return err
		}
		if msg != "" {
			r.change("%s", msg)
		}
	}
	return nil
}

// application creates the app with everything in one body, or patches an existing one with what
// it lacks (a new certificate's PATCH carries every certificate the app keeps).
func (r *register) application(ctx context.Context, existing *Application, perm *Permission, cert *KeyCredential) (*Application, error) {
	if existing == nil {
		app, err := r.Dir.CreateApplication(ctx, NewApplication(r.reg, perm, cert))
		if err != nil {
			return nil, err
		}
		r.change("created application %s (appId %s)", app.DisplayName, app.AppID)
		return app, nil
	}
	c := Additions(existing, r.reg, perm)
	if cert != nil {
		full, err := r.Dir.GetApplicationKeys(ctx, existing.ID)
		if err != nil {
			return nil, err
		}
		c.Patch["keyCredentials"] = append(full, *cert)
		c.What = append(c.What, "uploaded certificate "+r.res.Thumbprint)
	}
	if c.Empty() {
		return existing, nil
	}
	if err := r.Dir.PatchApplication(ctx, existing.ID, c.Patch); err != nil {
		return nil, err
	}
	for _, w := range c.What {
		r.change("%s", w)
	}
	return existing, nil
}

// secret makes sure the app has a valid secret dicomreg made, when asked, following the secret
// file protocol (secretfile.go): a secret an interrupted run lost is removed and replaced.
func (r *register) secret(ctx context.Context, app *Application, justCreated bool) error {
	if !r.reg.Secret {
		return nil
	}
	lost := ""
	if r.reg.SecretOut != "" {
		var err error
		if lost, err = r.removeLostSecret(ctx, app, r.reg.SecretOut); err != nil {
			return err
		}
	}
	if !r.reg.NewSecret && !justCreated && lost == "" && hasValidDicomregSecret(app, r.now()) {
		return nil
	}
	name := SecretDisplayName
	sf := SecretFile{Path: r.reg.SecretOut, Force: r.reg.Force}
	if sf.Path != "" {
		// Announced in the file before Graph makes it: see removeLostSecret.
		name = SecretDisplayName + "-" + randomSuffix()
	}
	if sf.Path == "" && r.dropsSecret() {
		return errSecretNotShown
	}
	claim, err := sf.Claim(r.res.TenantID, app.AppID, name)
	if err != nil {
		return err
	}
	cred, err := r.Dir.AddPassword(ctx, app.ID, name, time.Time{})
	if err != nil {
		claim.Abandon(err)
		return err
	}
	r.change("added client secret %s… (keyId %s, expires %s)", cred.Hint, cred.KeyID, cred.EndDateTime.Format(time.DateOnly))
	r.res.ClientSecret, r.res.SecretFile, err = r.DeliverSecret(claim, r.res.TenantID, app.AppID, cred)
	return err
}

// errSecretNotShown refuses to make a secret whose value the output would drop.
var errSecretNotShown = Invalidf("the output (-o, --query) would not show the new client secret, whose value exists only in Graph's answer: use --secret-out FILE (or --postman-env FILE --postman-secret), or an output that shows clientSecret")

func hasValidDicomregSecret(app *Application, now time.Time) bool {
	for _, p := range app.PasswordCredentials {
		if IsDicomregSecret(p.DisplayName) && p.EndDateTime.After(now) {
			return true
		}
	}
	return false
}
