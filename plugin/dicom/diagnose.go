package dicom

import (
	"fmt"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/plugin/auth"
)

// Diagnosis checks, by name.
const (
	CheckServicePrincipal = "service-principal"
	CheckDICOMPrincipal   = "dicom-principal"
	CheckPermission       = "permission"
	CheckConsent          = "admin-consent"
	CheckClientType       = "client-type"
	CheckSecret           = "secret"
	CheckCertificate      = "certificate"
	CheckRole             = "role-assignment"
	CheckFederated        = "federated-credential"
)

// ExpiryWarning is how close to its end a secret or certificate earns a warning.
const ExpiryWarning = 30 * 24 * time.Hour

// Data-plane role definitions of the DICOM service (built-in-roles/integration.md).
const (
	RoleDataOwner  = "58a3b984-7adf-4c20-983a-32417c86fbc8"
	RoleDataReader = "e89c7a3c-2f64-4fa1-a847-3e4c9ba4283a"
)

// Registration is what Diagnose looks at: an app registration and what the tenant holds for it.
type Registration struct {
	App              App
	ServicePrincipal *Principal // the app's own; nil when it has none
	DICOMPrincipal   *Principal // "Azure API for DICOM" in the tenant; nil when absent
	Grants           []Grant    // oauth2PermissionGrants whose client is the app's principal
	// DICOMServiceID is the ARM id of the DICOM service to check roles on; "" skips that check.
	DICOMServiceID string
	// Roles are the role definition ids assigned to the app's principal at (or above) the service.
	Roles []string
	// RolesAssigned is when each of Roles was assigned (zero: not known), same order.
	RolesAssigned []time.Time
	Now           time.Time
}

// Role propagation on Azure: "it can take up to 10 minutes for changes to take effect"
// (role-based-access-control/troubleshooting.md) and "the DICOM service will cache decisions for
// up to five minutes" (dicom/dicom-configure-azure-rbac.md).
const (
	RBACPropagation = 10 * time.Minute
	DICOMCache      = 5 * time.Minute
	// RoleSettles is how long after an assignment the DICOM service may still answer 403.
	RoleSettles = RBACPropagation + DICOMCache
)

// settling says, for a role assigned at assigned, how long ago that was and whether the DICOM
// service may not honour it yet.
func settling(assigned, now time.Time) (time.Duration, bool) {
	if assigned.IsZero() || now.IsZero() {
		return 0, false
	}
	ago := now.Sub(assigned)
	return ago, ago >= 0 && ago < RoleSettles
}

// propagationNote is what a finding adds about a role assigned ago.
func propagationNote(ago time.Duration) string {
	return fmt.Sprintf("; it was assigned %s ago: Azure RBAC takes up to %s and the DICOM service caches decisions for up to %s, so calls may get 403 for up to %s more",
		ago.Round(time.Second), RBACPropagation, DICOMCache, (RoleSettles - ago).Round(time.Second))
}

// App is the part of a Graph application object Diagnose needs.
type App struct {
	AppID                  string
	DisplayName            string
	IsFallbackPublicClient bool
	PublicClientRedirects  []string // "Mobile and desktop applications"
	WebRedirects           []string
	SPARedirects           []string
	RequiredResourceAccess []ResourceAccess
	Secrets                []Credential
	Certificates           []Credential
	Federated              []Federated
}

// Federated is a federated identity credential: the external tokens the app trusts.
type Federated struct {
	Name, Issuer, Subject string
	Audiences             []string
}

// ResourceAccess is one requested permission.
type ResourceAccess struct {
	ResourceAppID string
	ID            string
	Type          string // "Scope" or "Role"
}

// Credential is a secret or certificate's identity and lifetime.
type Credential struct {
	KeyID       string
	DisplayName string
	Thumbprint  string // certificates only, hex
	End         time.Time
}

// Principal is a service principal: its object id, app id and the delegated scopes it exposes.
type Principal struct {
	ID     string
	AppID  string
	Scopes map[string]string // scope value → id
}

// Grant is a delegated-permission grant.
type Grant struct {
	ConsentType string // "AllPrincipals" or "Principal"
	ResourceID  string
	Scope       string // space separated
}

// Diagnose checks a registration against what a DICOM client needs, in a fixed order.
func Diagnose(r Registration) []Finding {
	d := &diagnosis{r: r, app: r.App.AppID}
	if d.app == "" {
		d.app = "<app>"
	}
	d.principals()
	d.permission()
	d.clientType()
	d.credentials(CheckSecret, r.App.Secrets, "secret")
	d.credentials(CheckCertificate, r.App.Certificates, "cert")
	d.federated()
	d.role()
	return d.fs
}

type diagnosis struct {
	r   Registration
	app string
	fs  []Finding
}

func (d *diagnosis) add(sev Severity, check, msg, fix string) {
	d.fs = append(d.fs, Finding{Severity: sev, Check: check, Message: msg, Fix: fix})
}

func (d *diagnosis) principals() {
	if sp := d.r.ServicePrincipal; sp != nil {
		d.add(OK, CheckServicePrincipal, "service principal "+sp.ID, "")
	} else {
		d.add(Error, CheckServicePrincipal, "the app has no service principal in this tenant: it cannot sign in or hold roles",
			fmt.Sprintf("dicomreg register --name %q", d.r.App.DisplayName))
	}
	if d.r.DICOMPrincipal != nil {
		d.add(OK, CheckDICOMPrincipal, "Azure API for DICOM is in the tenant ("+d.r.DICOMPrincipal.ID+")", "")
	} else {
		d.add(Error, CheckDICOMPrincipal, "Azure API for DICOM is not in this tenant: no DICOM service has been deployed",
			"deploy a DICOM service in an Azure Health Data Services workspace, then run doctor again")
	}
}

// scopeID is the Dicom.ReadWrite id the tenant's DICOM principal exposes.
func (d *diagnosis) scopeID() string {
	if d.r.DICOMPrincipal == nil {
		return ""
	}
	return d.r.DICOMPrincipal.Scopes[ReadWriteScope]
}

func (d *diagnosis) permission() {
	dp := d.r.DICOMPrincipal
	if dp == nil {
		return
	}
	id := d.scopeID()
	requested := false
	for _, ra := range d.r.App.RequiredResourceAccess {
		if strings.EqualFold(ra.ResourceAppID, dp.AppID) && strings.EqualFold(ra.ID, id) && ra.Type == "Scope" {
			requested = true
		}
	}
	if requested {
		d.add(OK, CheckPermission, ReadWriteScope+" is in the app's API permissions", "")
	} else {
		d.add(Error, CheckPermission, ReadWriteScope+" is not in the app's API permissions: user sign-in for DICOM fails (AADSTS650057)",
			auth.Fix(auth.CodeResourceNotRequested, d.r.App.AppID))
	}
	if d.r.ServicePrincipal == nil {
		return
	}
	user := false
	for _, g := range d.r.Grants {
		if !strings.EqualFold(g.ResourceID, dp.ID) || !containsField(g.Scope, ReadWriteScope) {
			continue
		}
		if g.ConsentType == "AllPrincipals" {
			d.add(OK, CheckConsent, "admin consent granted for "+ReadWriteScope, "")
			return
		}
		user = true
	}
	if user {
		d.add(Warn, CheckConsent, "only some users consented to "+ReadWriteScope+"; others get AADSTS65001 in the password flow",
			auth.Fix(auth.CodeConsentRequired, d.r.App.AppID))
		return
	}
	d.add(Error, CheckConsent, "no admin consent for "+ReadWriteScope+": non-interactive user sign-in fails (AADSTS65001)",
		auth.Fix(auth.CodeConsentRequired, d.r.App.AppID))
}

func (d *diagnosis) clientType() {
	a := d.r.App
	hasCred := len(a.Secrets) > 0 || len(a.Certificates) > 0
	switch {
	case a.IsFallbackPublicClient:
		d.add(OK, CheckClientType, "public client flows allowed: device code and password sign-in work without a secret", "")
	case len(a.PublicClientRedirects) > 0:
		d.add(Warn, CheckClientType, "mobile/desktop redirect URIs but public client flows are off: device code and password sign-in fail (AADSTS7000218)",
			auth.Fix(auth.CodeConfidentialNoSecret, d.r.App.AppID))
	}
	if len(a.WebRedirects) > 0 && !hasCred {
		d.add(Error, CheckClientType, "web redirect URIs but no secret or certificate: redeeming a code for them fails (AADSTS7000218)",
			fmt.Sprintf("dicomreg app secret add --app %s (or register the URI on the mobile platform)", d.app))
	}
	if !hasCred && !a.IsFallbackPublicClient && len(a.PublicClientRedirects) == 0 && len(a.SPARedirects) == 0 {
		d.add(Error, CheckClientType, "no secret, certificate, redirect URI or public client flows: the app cannot get a token",
			fmt.Sprintf("dicomreg app secret add --app %s (app-only) or dicomreg app update --app %s --public-client (user sign-in)", d.app, d.app))
	}
}

func (d *diagnosis) credentials(check string, creds []Credential, noun string) {
	valid := 0
	for _, c := range d.r.App.Secrets {
		if c.End.After(d.r.Now) {
			valid++
		}
	}
	for _, c := range d.r.App.Certificates {
		if c.End.After(d.r.Now) {
			valid++
		}
	}
	for _, c := range creds {
		name := c.KeyID
		if c.DisplayName != "" {
			name = fmt.Sprintf("%q (%s)", c.DisplayName, c.KeyID)
		}
		left := c.End.Sub(d.r.Now)
		end := c.End.UTC().Format(time.RFC3339)
		switch {
		case left <= 0 && valid == 0:
			d.add(Error, check, fmt.Sprintf("%s %s expired at %s and no other secret or certificate is valid (AADSTS7000222)", noun, name, end),
				fmt.Sprintf("dicomreg app %s %s --app %s", noun, renewVerb(noun), d.app))
		case left <= 0:
			d.add(Warn, check, fmt.Sprintf("%s %s expired at %s", noun, name, end),
				fmt.Sprintf("dicomreg app %s remove --app %s --key-id %s", noun, d.app, c.KeyID))
		case left < ExpiryWarning:
			d.add(Warn, check, fmt.Sprintf("%s %s expires at %s (in %d days)", noun, name, end, int(left.Hours()/24)),
				fmt.Sprintf("dicomreg app %s %s --app %s", noun, renewVerb(noun), d.app))
		default:
			d.add(OK, check, fmt.Sprintf("%s %s valid until %s", noun, name, end), "")
		}
	}
}

// renewVerb is the command that replaces an expiring credential of the kind.
func renewVerb(noun string) string {
	if noun == "secret" {
		return "rotate"
	}
	return "create"
}

func (d *diagnosis) role() {
	if d.r.DICOMServiceID == "" {
		d.add(Warn, CheckRole, "DICOM data role not checked: pass --dicom-service RESOURCE_ID", "")
		return
	}
	if d.r.ServicePrincipal == nil {
		return
	}
	fix := fmt.Sprintf("dicomreg role assign --assignee %s --role owner --dicom-service %s", d.app, d.r.DICOMServiceID)
	for i, id := range d.r.Roles {
		var msg string
		switch strings.ToLower(id) {
		case RoleDataOwner:
			msg = "DICOM Data Owner on the DICOM service"
		case RoleDataReader:
			msg = "DICOM Data Reader on the DICOM service (read only: stores and deletes get 403)"
		default:
			continue
		}
		var assigned time.Time
		if i < len(d.r.RolesAssigned) {
			assigned = d.r.RolesAssigned[i]
		}
		if ago, recent := settling(assigned, d.r.Now); recent {
			d.add(Warn, CheckRole, msg+propagationNote(ago), "wait, then `dicomreg verify` again")
			return
		}
		d.add(OK, CheckRole, msg, "")
		return
	}
	d.add(Error, CheckRole, "no DICOM data role on the DICOM service for the app: app-only calls get 403 (users signing in need their own role)", fix)
}

func containsField(s, want string) bool {
	for _, f := range strings.Fields(s) {
		if f == want {
			return true
		}
	}
	return false
}
