package graphapi

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

const (
	setGrants = "oauth2PermissionGrants"
	resGrant  = "OAuth2PermissionGrant"

	consentAll       = "AllPrincipals"
	consentPrincipal = "Principal"
)

var (
	grantWritable      = []string{"clientId", "consentType", "principalId", "resourceId", "scope"}
	grantReadOnly      = []string{"id"}
	grantPatchWritable = []string{"scope"}
	grantPatchReadOnly = []string{"id", "clientId", "consentType", "principalId", "resourceId"}
)

func (a *API) listGrants(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permGrantRead); err != nil {
		return err
	}
	return list(a, w, r, collection[tenant.OAuth2PermissionGrant]{
		set: setGrants, schema: grantSchema, all: (*tenant.Directory).EachGrant, props: grantProps,
	})
}

func lookupGrant(d *tenant.Directory, r *http.Request) (*tenant.OAuth2PermissionGrant, error) {
	id := mux.Vars(r)["id"]
	g := d.Grant(id)
	if g == nil {
		return nil, notFound(id)
	}
	return g, nil
}

func (a *API) getGrant(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permGrantRead); err != nil {
		return err
	}
	sel, err := grantSchema.ParseSelect(r.URL.Query().Get("$select"))
	if err != nil {
		return err
	}
	var g *tenant.OAuth2PermissionGrant
	if err := a.cfg.Store.View(func(d *tenant.Directory) error {
		g, err = lookupGrant(d, r)
		return err
	}); err != nil {
		return err
	}
	writeEntity(w, r, http.StatusOK, setGrants, g, sel)
	return nil
}

// createGrant records delegated consent: for every user (AllPrincipals, the portal's "Grant
// admin consent") or for one (Principal).
func (a *API) createGrant(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permGrantWrite); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in tenant.OAuth2PermissionGrant
	if _, err := decodeObject(body, resGrant, grantWritable, grantReadOnly, &in); err != nil {
		return err
	}
	g := &tenant.OAuth2PermissionGrant{ID: a.cfg.Rand.Token(32), ConsentType: in.ConsentType, Scope: normalizeScope(in.Scope)}
	err = a.cfg.Store.Update(func(d *tenant.Directory) error {
		client, res := d.ServicePrincipal(in.ClientID), d.ServicePrincipal(in.ResourceID)
		switch {
		case client == nil:
			return invalidValue("clientId", resGrant)
		case res == nil:
			return invalidValue("resourceId", resGrant)
		case in.ConsentType != consentAll && in.ConsentType != consentPrincipal:
			return invalidValue("consentType", resGrant)
		case in.ConsentType == consentAll && in.PrincipalID != nil:
			return invalidValue("principalId", resGrant)
		case in.ConsentType == consentPrincipal && (in.PrincipalID == nil || d.User(*in.PrincipalID) == nil):
			return invalidValue("principalId", resGrant)
		}
		g.ClientID, g.ResourceID = client.ID, res.ID
		if in.PrincipalID != nil {
			id := d.User(*in.PrincipalID).ID
			g.PrincipalID = &id
		}
		for _, old := range d.Grants() {
			if strings.EqualFold(old.ClientID, g.ClientID) && strings.EqualFold(old.ResourceID, g.ResourceID) &&
				old.ConsentType == g.ConsentType && equalFoldPtr(old.PrincipalID, g.PrincipalID) {
				return newErr(http.StatusConflict, codeConflict, "Permission entry already exists.")
			}
		}
		d.PutGrant(g)
		return nil
	})
	if err != nil {
		return err
	}
	writeEntity(w, r, http.StatusCreated, setGrants, g, nil)
	return nil
}

func equalFoldPtr(x, y *string) bool {
	return x == nil && y == nil || x != nil && y != nil && strings.EqualFold(*x, *y)
}

// normalizeScope keeps scope values space separated, as Graph stores them.
func normalizeScope(s string) string { return strings.Join(strings.Fields(s), " ") }

// patchGrant changes a grant's scope, the only property Graph lets a client update.
func (a *API) patchGrant(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permGrantWrite); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	err = a.cfg.Store.Update(func(d *tenant.Directory) error {
		cur, err := lookupGrant(d, r)
		if err != nil {
			return err
		}
		g := *cur
		if _, err := decodeObject(body, resGrant, grantPatchWritable, grantPatchReadOnly, &g); err != nil {
			return err
		}
		g.Scope = normalizeScope(g.Scope)
		d.PutGrant(&g)
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) deleteGrant(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permGrantWrite); err != nil {
		return err
	}
	err := a.cfg.Store.Update(func(d *tenant.Directory) error {
		g, err := lookupGrant(d, r)
		if err != nil {
			return err
		}
		d.DeleteGrant(g.ID)
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
