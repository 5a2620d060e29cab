package graphapi

import (
	"iter"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/graphapi/odata"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// Federated identity credentials: /applications/{id}/federatedIdentityCredentials, addressed
// by id or by the alternate key (name='…') (resources/federatedidentitycredential.md,
// application-post-federatedidentitycredentials.md, federatedidentitycredential-upsert.md).
const (
	pathFederated    = "/federatedIdentityCredentials"
	pathFederatedID  = pathFederated + "/{fic}"
	pathFederatedKey = pathFederated + `{ficKey:\([^/]*\)}`

	setFederated = "federatedIdentityCredentials"
	resFederated = "FederatedIdentityCredential"

	// maxFederatedPerApp: "Maximum of 20 objects can be added to an application."
	maxFederatedPerApp = 20
	// maxFederatedNameLen and maxFederatedValueLen are the documented property limits.
	maxFederatedNameLen  = 120
	maxFederatedValueLen = 600
	// minFederatedNameLen and the character rule follow the Azure portal and ARM's managed
	// identity credentials (3–120, alphanumerics, '-' and '_', alphanumeric first); Graph's page
	// only says "URL friendly": unverified for Graph.
	minFederatedNameLen = 3
)

var (
	federatedSchema = &odata.Schema{Entity: "federatedIdentityCredential", All: jsonNames(reflect.TypeFor[tenant.FederatedIdentityCredential]()),
		Props: map[string]odata.Kind{"name": odata.KindString, "subject": odata.KindString, "issuer": odata.KindString, "id": odata.KindString}}
	federatedWritable      = []string{"name", "issuer", "subject", "audiences", "description"}
	federatedReadOnly      = []string{"id"}
	federatedPatchWritable = []string{"issuer", "subject", "audiences", "description"}
)

func federatedProps(f *tenant.FederatedIdentityCredential) odata.Getter {
	return func(prop string) any {
		switch prop {
		case "id":
			return f.ID
		case "name":
			return f.Name
		case "issuer":
			return f.Issuer
		case "subject":
			return f.Subject
		}
		return nil
	}
}

// registerFederated adds the federated identity credential routes under both application
// addressings.
func (a *API) registerFederated(sub *mux.Router) {
	for _, app := range []string{pathApplicationKey, pathApplication} {
		sub.Handle(app+pathFederated, a.dispatch(methods{http.MethodGet: a.listFederated, http.MethodPost: a.createFederated}))
		sub.Handle(app+pathFederatedKey, a.dispatch(methods{http.MethodGet: a.getFederated, http.MethodPatch: a.patchFederated, http.MethodDelete: a.deleteFederated}))
		sub.Handle(app+pathFederatedID, a.dispatch(methods{http.MethodGet: a.getFederated, http.MethodPatch: a.patchFederated, http.MethodDelete: a.deleteFederated}))
	}
}

// federatedRef is how a request names one credential: by id, or by name='…'.
type federatedRef struct {
	byName bool
	value  string
}

func parseFederatedRef(r *http.Request) (federatedRef, error) {
	v := mux.Vars(r)
	if id, ok := v["fic"]; ok {
		return federatedRef{value: id}, nil
	}
	prop, value, err := odata.ParseKey(v["ficKey"])
	if err != nil {
		return federatedRef{}, err
	}
	if !strings.EqualFold(prop, "name") {
		return federatedRef{}, newErr(http.StatusBadRequest, codeBadRequest, "'%s' is not a key property of type 'microsoft.graph.federatedIdentityCredential'.", prop)
	}
	return federatedRef{byName: true, value: value}, nil
}

func (ref federatedRef) index(creds []tenant.FederatedIdentityCredential) int {
	return slices.IndexFunc(creds, func(f tenant.FederatedIdentityCredential) bool {
		if ref.byName {
			return strings.EqualFold(f.Name, ref.value)
		}
		return strings.EqualFold(f.ID, ref.value)
	})
}

func federatedSet(app *tenant.Application) string {
	return setApplications + "('" + app.ID + "')/" + setFederated
}

func (a *API) listFederated(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permAppRead); err != nil {
		return err
	}
	var app *tenant.Application
	rep := a.replica()
	if err := a.cfg.Store.View(func(d *tenant.Directory) (err error) {
		app, err = a.lookupApp(d, r, rep)
		return err
	}); err != nil {
		return err
	}
	return list(a, w, r, collection[tenant.FederatedIdentityCredential]{
		set: federatedSet(app), schema: federatedSchema, props: federatedProps,
		all: func(d *tenant.Directory) iter.Seq[*tenant.FederatedIdentityCredential] {
			creds := d.FederatedCredentials(app.ID)
			return func(yield func(*tenant.FederatedIdentityCredential) bool) {
				for i := range creds {
					if !yield(&creds[i]) {
						return
					}
				}
			}
		},
	})
}

func (a *API) getFederated(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permAppRead); err != nil {
		return err
	}
	sel, err := federatedSchema.ParseSelect(r.URL.Query().Get("$select"))
	if err != nil {
		return err
	}
	ref, err := parseFederatedRef(r)
	if err != nil {
		return err
	}
	var app *tenant.Application
	var cred tenant.FederatedIdentityCredential
	rep := a.replica()
	if err := a.cfg.Store.View(func(d *tenant.Directory) error {
		if app, err = a.lookupApp(d, r, rep); err != nil {
			return err
		}
		creds := d.FederatedCredentials(app.ID)
		i := ref.index(creds)
		if i < 0 {
			return notFound(ref.value)
		}
		cred = creds[i]
		return nil
	}); err != nil {
		return err
	}
	writeEntity(w, r, http.StatusOK, federatedSet(app), cred, sel)
	return nil
}

func (a *API) createFederated(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permAppWrite); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in tenant.FederatedIdentityCredential
	if _, err := decodeObject(body, resFederated, federatedWritable, federatedReadOnly, &in); err != nil {
		return err
	}
	app, cred, err := a.putFederated(r, nil, in)
	if err != nil {
		return err
	}
	writeEntity(w, r, http.StatusCreated, federatedSet(app), cred, nil)
	return nil
}

// patchFederated updates a credential (204), or, addressed by name, creates it when missing
// (201 with the new object): the upsert of federatedidentitycredential-upsert.md. The name
// cannot change.
func (a *API) patchFederated(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permAppWrite); err != nil {
		return err
	}
	ref, err := parseFederatedRef(r)
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in tenant.FederatedIdentityCredential
	set, err := decodeObject(body, resFederated, federatedWritable, federatedReadOnly, &in)
	if err != nil {
		return err
	}
	if slices.Contains(set, "name") && !strings.EqualFold(in.Name, ref.value) || slices.Contains(set, "name") && !ref.byName {
		// unverified: Graph's exact text for an attempt to rename.
		return badRequest("Property 'name' is read-only and cannot be set.")
	}
	app, cred, err := a.putFederated(r, &ref, in, set...)
	if err != nil {
		return err
	}
	if cred != nil {
		writeEntity(w, r, http.StatusCreated, federatedSet(app), cred, nil)
		return nil
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// putFederated creates (ref nil, or a name not yet present) or updates the credential; it
// returns the created credential, or nil after an update.
func (a *API) putFederated(r *http.Request, ref *federatedRef, in tenant.FederatedIdentityCredential, set ...string) (*tenant.Application, *tenant.FederatedIdentityCredential, error) {
	var app *tenant.Application
	var created *tenant.FederatedIdentityCredential
	rep := a.replica()
	err := a.cfg.Store.Update(func(d *tenant.Directory) error {
		var err error
		if app, err = a.lookupApp(d, r, rep); err != nil {
			return err
		}
		creds := slices.Clone(d.FederatedCredentials(app.ID))
		i := -1
		if ref != nil {
			i = ref.index(creds)
		}
		if i < 0 {
			if ref != nil && !ref.byName {
				return notFound(ref.value)
			}
			if ref != nil {
				in.Name = ref.value
			}
			if in.Audiences == nil {
				in.Audiences = []string{}
			}
			if err := checkFederated(in, creds, -1); err != nil {
				return err
			}
			if len(creds) >= maxFederatedPerApp {
				// unverified: Graph's exact code and text at the documented limit of 20.
				return badRequest("The application '%s' already has the maximum of %d federated identity credentials.", app.AppID, maxFederatedPerApp)
			}
			in.ID = a.cfg.Rand.GUID()
			creds = append(creds, in)
			created = &in
		} else {
			cur := creds[i]
			for _, p := range set {
				switch p {
				case "issuer":
					cur.Issuer = in.Issuer
				case "subject":
					cur.Subject = in.Subject
				case "audiences":
					cur.Audiences = in.Audiences
				case "description":
					cur.Description = in.Description
				}
			}
			if err := checkFederated(cur, creds, i); err != nil {
				return err
			}
			creds[i] = cur
		}
		d.PutFederatedCredentials(app.ID, creds)
		return nil
	})
	return app, created, err
}

// checkFederated applies the documented rules to c, which is (or will be) creds[self].
func checkFederated(c tenant.FederatedIdentityCredential, creds []tenant.FederatedIdentityCredential, self int) error {
	if !validFederatedName(c.Name) {
		return invalidValue("name", resFederated)
	}
	if u, err := url.Parse(c.Issuer); err != nil || c.Issuer == "" || len(c.Issuer) > maxFederatedValueLen || u.Scheme != "https" || u.Host == "" {
		return invalidValue("issuer", resFederated)
	}
	if strings.TrimSpace(c.Subject) == "" || len(c.Subject) > maxFederatedValueLen {
		return invalidValue("subject", resFederated)
	}
	// "This field can only accept a single value and has a limit of 600 characters."
	if len(c.Audiences) != 1 || strings.TrimSpace(c.Audiences[0]) == "" || len(c.Audiences[0]) > maxFederatedValueLen {
		return invalidValue("audiences", resFederated)
	}
	if c.Description != nil && len(*c.Description) > maxFederatedValueLen {
		return invalidValue("description", resFederated)
	}
	for i, o := range creds {
		if i == self {
			continue
		}
		if strings.EqualFold(o.Name, c.Name) {
			// unverified: Graph's exact code and text for a second credential with one name.
			return newErr(http.StatusConflict, codeConflict, "Another object with the same value for property name already exists.")
		}
		if o.Issuer == c.Issuer && o.Subject == c.Subject {
			// "The combination of the values of issuer and subject must be unique within the app."
			return newErr(http.StatusConflict, codeConflict, "Another object with the same value for property issuer and subject already exists.")
		}
	}
	return nil
}

func validFederatedName(n string) bool {
	if len(n) < minFederatedNameLen || len(n) > maxFederatedNameLen {
		return false
	}
	for i, c := range n {
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '-' && c != '_') {
			return false
		}
	}
	return true
}

func (a *API) deleteFederated(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permAppWrite); err != nil {
		return err
	}
	ref, err := parseFederatedRef(r)
	if err != nil {
		return err
	}
	rep := a.replica()
	err = a.cfg.Store.Update(func(d *tenant.Directory) error {
		app, err := a.lookupApp(d, r, rep)
		if err != nil {
			return err
		}
		creds := d.FederatedCredentials(app.ID)
		i := ref.index(creds)
		if i < 0 {
			return notFound(ref.value)
		}
		d.PutFederatedCredentials(app.ID, slices.Delete(slices.Clone(creds), i, i+1))
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
