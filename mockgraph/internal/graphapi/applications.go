package graphapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/graphapi/odata"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

const (
	setApplications = "applications"
	resApplication  = "Application"

	// preferCreate is the Prefer value that turns PATCH /applications(uniqueName='…') into an upsert.
	preferCreate = "create-if-missing"

	// defaultSignInAudience is what Graph sets when a new application does not say.
	defaultSignInAudience = "AzureADandPersonalMicrosoftAccount"
)

var signInAudiences = []string{"AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"}

// appReadOnly are properties Graph sets itself; passwordCredentials change only through
// addPassword/removePassword.
var appReadOnly = []string{"id", "appId", "createdDateTime", "passwordCredentials"}

var appWritable = func() []string {
	var out []string
	for _, n := range appSchema.All {
		if !slices.Contains(appReadOnly, n) {
			out = append(out, n)
		}
	}
	return out
}()

// appRef is how a request addresses an application: by object id, or by appId or uniqueName.
type appRef struct{ prop, value string }

func parseAppRef(r *http.Request) (appRef, error) {
	v := mux.Vars(r)
	if id, ok := v["id"]; ok {
		return appRef{"id", id}, nil
	}
	prop, value, err := odata.ParseKey(v["key"])
	if err != nil {
		return appRef{}, err
	}
	for _, p := range []string{"appId", "uniqueName"} {
		if strings.EqualFold(prop, p) {
			return appRef{p, value}, nil
		}
	}
	return appRef{}, newErr(http.StatusBadRequest, codeBadRequest, "'%s' is not a key property of type 'microsoft.graph.application'.", prop)
}

func (ref appRef) find(d *tenant.Directory) *tenant.Application {
	switch ref.prop {
	case "appId":
		return d.ApplicationByAppID(ref.value)
	case "uniqueName":
		return d.ApplicationByUniqueName(ref.value)
	}
	return d.Application(ref.value)
}

// lookupApp finds the addressed application as the replica serving this request sees it.
func (a *API) lookupApp(d *tenant.Directory, r *http.Request, rep replica) (*tenant.Application, error) {
	ref, err := parseAppRef(r)
	if err != nil {
		return nil, err
	}
	app := ref.find(d)
	if app == nil || !rep.visible(app.CreatedDateTime) {
		return nil, notFound(ref.value)
	}
	return app, nil
}

// publicApp is an application as Graph shows it: certificate keys only when asked for by name.
func publicApp(app *tenant.Application, showKeys bool) *tenant.Application {
	if showKeys || len(app.KeyCredentials) == 0 {
		return app
	}
	c := *app
	c.KeyCredentials = slices.Clone(app.KeyCredentials)
	for i := range c.KeyCredentials {
		c.KeyCredentials[i].Key = nil
	}
	return &c
}

func (a *API) listApplications(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permAppRead); err != nil {
		return err
	}
	rep := a.replica()
	return list(a, w, r, collection[tenant.Application]{
		set: setApplications, schema: appSchema, all: (*tenant.Directory).EachApplication,
		index: func(d *tenant.Directory, f odata.Node) ([]*tenant.Application, bool) {
			if v, ok := odata.EqualityKey(f, "appId"); ok {
				return one(d.ApplicationByAppID(v))
			}
			if v, ok := odata.EqualityKey(f, "displayName"); ok {
				return d.ApplicationsByDisplayName(v), true
			}
			if v, ok := odata.EqualityKey(f, "id"); ok {
				return one(d.Application(v))
			}
			if v, ok := odata.EqualityKey(f, "uniqueName"); ok {
				return one(d.ApplicationByUniqueName(v))
			}
			return nil, false
		},
		props:   appProps,
		visible: func(app *tenant.Application) bool { return rep.visible(app.CreatedDateTime) },
		render:  func(app *tenant.Application) any { return publicApp(app, false) },
		name:    func(app *tenant.Application) string { return app.DisplayName },
	})
}

func (a *API) getApplication(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permAppRead); err != nil {
		return err
	}
	sel, err := appSchema.ParseSelect(r.URL.Query().Get("$select"))
	if err != nil {
		return err
	}
	var app *tenant.Application
	rep := a.replica()
	if err := a.cfg.Store.View(func(d *tenant.Directory) error {
		app, err = a.lookupApp(d, r, rep)
		return err
	}); err != nil {
		return err
	}
	writeEntity(w, r, http.StatusOK, setApplications, publicApp(app, slices.Contains(sel, "keyCredentials")), sel)
	return nil
}

func (a *API) createApplication(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permAppWrite); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	app, err := a.create(body, nil)
	if err != nil {
		return err
	}
	writeEntity(w, r, http.StatusCreated, setApplications, publicApp(app, false), nil)
	return nil
}

// create makes a new application from a request body; uniqueName, when the request addressed
// one (an upsert), is the new application's.
func (a *API) create(body []byte, uniqueName *string) (*tenant.Application, error) {
	app := &tenant.Application{}
	set, err := decodeObject(body, resApplication, appWritable, appReadOnly, app)
	if err != nil {
		return nil, err
	}
	if uniqueName != nil {
		if app.UniqueName != nil && *app.UniqueName != *uniqueName {
			return nil, invalidValue("uniqueName", resApplication)
		}
		app.UniqueName = uniqueName
	}
	if strings.TrimSpace(app.DisplayName) == "" {
		return nil, invalidValue("displayName", resApplication)
	}
	if app.SignInAudience == "" {
		app.SignInAudience = defaultSignInAudience
	}
	now := a.cfg.Clock.Now()
	app.ID, app.AppID, app.CreatedDateTime = a.cfg.Rand.GUID(), a.cfg.Rand.GUID(), now
	err = a.cfg.Store.Update(func(d *tenant.Directory) error {
		if err := a.checkApp(d, app, nil, set); err != nil {
			return err
		}
		d.PutApplication(app)
		return nil
	})
	return app, err
}

// checkApp validates the properties a write set on app (old: the stored version, nil on create)
// and completes the certificates it carries.
func (a *API) checkApp(d *tenant.Directory, app, old *tenant.Application, set []string) error {
	if err := checkLimits(app, set); err != nil {
		return err
	}
	for _, prop := range set {
		switch prop {
		case "uniqueName":
			if old != nil && !equalFoldPtr(old.UniqueName, app.UniqueName) {
				return badRequest("Property 'uniqueName' can only be set when the application is created.")
			}
			if app.UniqueName != nil {
				if *app.UniqueName == "" {
					return invalidValue("uniqueName", resApplication)
				}
				if other := d.ApplicationByUniqueName(*app.UniqueName); other != nil && other.ID != app.ID {
					return conflict("uniqueName")
				}
			}
		case "identifierUris":
			if err := checkIdentifierURIs(d, app, old); err != nil {
				return err
			}
		case "signInAudience":
			if !slices.Contains(signInAudiences, app.SignInAudience) {
				return invalidValue("signInAudience", resApplication)
			}
		case "requiredResourceAccess":
			for _, rra := range app.RequiredResourceAccess {
				for _, ra := range rra.ResourceAccess {
					if ra.Type != "Scope" && ra.Type != "Role" || ra.ID == "" || rra.ResourceAppID == "" {
						return invalidValue("requiredResourceAccess", resApplication)
					}
				}
			}
		case "keyCredentials":
			creds, err := a.checkKeyCredentials(app.KeyCredentials)
			if err != nil {
				return err
			}
			stampAdded(creds, old, a.cfg.Clock.Now())
			app.KeyCredentials = creds
		}
	}
	return nil
}

// stampAdded notes when each certificate was first uploaded: a certificate the app already had
// keeps its time, so rewriting the collection does not restart its propagation.
func stampAdded(creds []tenant.KeyCredential, old *tenant.Application, now time.Time) {
	for i := range creds {
		creds[i].AddedDateTime = now
		if old == nil {
			continue
		}
		for _, k := range old.KeyCredentials {
			if strings.EqualFold(k.KeyID, creds[i].KeyID) && bytes.Equal(k.Key, creds[i].Key) {
				creds[i].AddedDateTime = k.AddedDateTime
			}
		}
	}
}

// conflict is Graph's answer to a value another object already holds (unverified status: 400
// as for users' userPrincipalName).
func conflict(prop string) *apiError {
	e := newErr(http.StatusBadRequest, codeConflict, "Another object with the same value for property %s already exists.", prop)
	e.details = []errorDetail{{Code: "ObjectConflict", Target: prop}}
	return e
}

// patchApplication updates an application; addressed by uniqueName with `Prefer:
// create-if-missing` it creates one that is missing (application-upsert.md).
func (a *API) patchApplication(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permAppWrite); err != nil {
		return err
	}
	ref, err := parseAppRef(r)
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	rep := a.replica()
	var found bool
	err = a.cfg.Store.Update(func(d *tenant.Directory) error {
		cur := ref.find(d)
		if cur == nil || !rep.visible(cur.CreatedDateTime) {
			return notFound(ref.value)
		}
		found = true
		app, err := detached(cur)
		if err != nil {
			return err
		}
		set, err := decodeObject(body, resApplication, appWritable, appReadOnly, app)
		if err != nil {
			return err
		}
		if err := a.checkApp(d, app, cur, set); err != nil {
			return err
		}
		d.PutApplication(app)
		return syncServicePrincipalNames(d, app, set)
	})
	if !found && ref.prop == "uniqueName" && wantsUpsert(r) {
		app, err := a.create(body, &ref.value)
		if err != nil {
			return err
		}
		writeEntity(w, r, http.StatusCreated, setApplications, publicApp(app, false), nil)
		return nil
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// syncServicePrincipalNames keeps the app's service principal known by the app's identifier URIs
// when a write changed them, as Entra does.
func syncServicePrincipalNames(d *tenant.Directory, app *tenant.Application, set []string) error {
	sp := d.ServicePrincipalByAppID(app.AppID)
	if sp == nil || !slices.Contains(set, "identifierUris") {
		return nil
	}
	names := servicePrincipalNames(app)
	if err := namesInUse(d, sp.ID, names); err != nil {
		return err
	}
	sp = sp.Clone()
	sp.ServicePrincipalNames = names
	d.PutServicePrincipal(sp)
	return nil
}

// detached copies an application sharing no memory with the stored one: decoding a PATCH into
// it writes through pointers (uniqueName, web.homePageUrl), which must not reach the original.
func detached(app *tenant.Application) (*tenant.Application, error) {
	b, err := json.Marshal(app)
	if err != nil {
		return nil, err
	}
	out := &tenant.Application{}
	return out, json.Unmarshal(b, out)
}

func wantsUpsert(r *http.Request) bool {
	for _, h := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(h, ",") {
			if strings.EqualFold(strings.TrimSpace(p), preferCreate) {
				return true
			}
		}
	}
	return false
}

// deleteApplication deletes an application and, as Graph does, its service principal.
func (a *API) deleteApplication(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permAppWrite); err != nil {
		return err
	}
	rep := a.replica()
	err := a.cfg.Store.Update(func(d *tenant.Directory) error {
		app, err := a.lookupApp(d, r, rep)
		if err != nil {
			return err
		}
		if sp := d.ServicePrincipalByAppID(app.AppID); sp != nil {
			d.DeleteServicePrincipal(sp.ID)
		}
		d.DeleteApplication(app.ID)
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
