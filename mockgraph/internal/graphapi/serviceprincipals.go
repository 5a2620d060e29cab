package graphapi

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/graphapi/odata"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

const (
	setServicePrincipals = "servicePrincipals"
	resServicePrincipal  = "ServicePrincipal"
)

var (
	spWritable = []string{"appId", "accountEnabled", "tags", "appRoleAssignmentRequired"}
	spReadOnly = func() []string {
		var out []string
		for _, n := range spSchema.All {
			if !slices.Contains(spWritable, n) {
				out = append(out, n)
			}
		}
		return out
	}()
)

// lookupSP finds the addressed service principal: by object id or by (appId='…').
func (a *API) lookupSP(d *tenant.Directory, r *http.Request, rep replica) (*tenant.ServicePrincipal, error) {
	v := mux.Vars(r)
	var sp *tenant.ServicePrincipal
	ref, ok := v["id"]
	if ok {
		sp = d.ServicePrincipal(ref)
	} else {
		prop, value, err := odata.ParseKey(v["key"])
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(prop, "appId") {
			return nil, newErr(http.StatusBadRequest, codeBadRequest, "'%s' is not a key property of type 'microsoft.graph.servicePrincipal'.", prop)
		}
		ref, sp = value, d.ServicePrincipalByAppID(value)
	}
	if sp == nil || !rep.visible(sp.CreatedDateTime) {
		return nil, notFound(ref)
	}
	return sp, nil
}

func (a *API) listServicePrincipals(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permAppRead); err != nil {
		return err
	}
	rep := a.replica()
	return list(a, w, r, collection[tenant.ServicePrincipal]{
		set: setServicePrincipals, schema: spSchema, all: (*tenant.Directory).EachServicePrincipal,
		index: func(d *tenant.Directory, f odata.Node) ([]*tenant.ServicePrincipal, bool) {
			if v, ok := odata.EqualityKey(f, "appId"); ok {
				return one(d.ServicePrincipalByAppID(v))
			}
			if v, ok := odata.EqualityKey(f, "id"); ok {
				return one(d.ServicePrincipal(v))
			}
			if v, ok := odata.EqualityKey(f, "servicePrincipalNames"); ok {
				return one(d.ServicePrincipalByName(v))
			}
			return nil, false
		},
		props:   spProps,
		visible: func(sp *tenant.ServicePrincipal) bool { return rep.visible(sp.CreatedDateTime) },
		name:    func(sp *tenant.ServicePrincipal) string { return sp.DisplayName },
	})
}

func (a *API) getServicePrincipal(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permAppRead); err != nil {
		return err
	}
	sel, err := spSchema.ParseSelect(r.URL.Query().Get("$select"))
	if err != nil {
		return err
	}
	var sp *tenant.ServicePrincipal
	rep := a.replica()
	if err := a.cfg.Store.View(func(d *tenant.Directory) error {
		sp, err = a.lookupSP(d, r, rep)
		return err
	}); err != nil {
		return err
	}
	writeEntity(w, r, http.StatusOK, setServicePrincipals, sp, sel)
	return nil
}

// noBackingApp is Graph's answer when a service principal's appId names no application it can
// see (yet: replication lag gives the same answer).
func noBackingApp(appID string) *apiError {
	msg := "The appId '" + appID + "' of the service principal does not reference a valid application object."
	e := badRequest("%s", msg)
	e.details = []errorDetail{{Code: codeNoBackingApp, Message: msg, Target: "appId"}}
	return e
}

// createServicePrincipal instantiates an application in the tenant, copying what Graph copies.
func (a *API) createServicePrincipal(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permAppWrite); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	in := tenant.ServicePrincipal{AccountEnabled: true}
	if _, err := decodeObject(body, resServicePrincipal, spWritable, spReadOnly, &in); err != nil {
		return err
	}
	rep := a.replica()
	var sp *tenant.ServicePrincipal
	err = a.cfg.Store.Update(func(d *tenant.Directory) error {
		if in.AppID != "" && d.ServicePrincipalByAppID(in.AppID) != nil {
			return newErr(http.StatusConflict, codeConflict,
				"The service principal cannot be created, updated, or restored because the service principal name %s is already in use.", in.AppID)
		}
		app := d.ApplicationByAppID(in.AppID)
		if in.AppID == "" || app == nil || !rep.visible(app.CreatedDateTime) {
			return noBackingApp(in.AppID)
		}
		if err := namesInUse(d, "", servicePrincipalNames(app)); err != nil {
			return err
		}
		sp = &tenant.ServicePrincipal{
			ID: a.cfg.Rand.GUID(), AppID: app.AppID, DisplayName: app.DisplayName, AccountEnabled: in.AccountEnabled,
			AppOwnerOrganizationID: d.TenantID, AppRoleAssignmentRequired: in.AppRoleAssignmentRequired,
			ServicePrincipalNames: servicePrincipalNames(app), ServicePrincipalType: "Application",
			SignInAudience: app.SignInAudience, Tags: slices.Clone(in.Tags), AppRoles: slices.Clone(app.AppRoles),
			OAuth2PermissionScopes: slices.Clone(app.API.OAuth2PermissionScopes), CreatedDateTime: rep.now,
		}
		d.PutServicePrincipal(sp)
		return nil
	})
	if err != nil {
		return err
	}
	writeEntity(w, r, http.StatusCreated, setServicePrincipals, sp, nil)
	return nil
}

func (a *API) deleteServicePrincipal(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permAppWrite); err != nil {
		return err
	}
	rep := a.replica()
	err := a.cfg.Store.Update(func(d *tenant.Directory) error {
		sp, err := a.lookupSP(d, r, rep)
		if err != nil {
			return err
		}
		d.DeleteServicePrincipal(sp.ID)
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
