package graphapi

import (
	"iter"
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

const setOrganization = "organization"

func (a *API) listOrganization(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permOrgRead); err != nil {
		return err
	}
	return list(a, w, r, collection[tenant.Organization]{
		set: setOrganization, schema: orgSchema, props: orgProps,
		all: func(d *tenant.Directory) iter.Seq[*tenant.Organization] {
			org := d.Organization
			return slices.Values([]*tenant.Organization{&org})
		},
	})
}

func (a *API) getOrganization(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permOrgRead); err != nil {
		return err
	}
	sel, err := orgSchema.ParseSelect(r.URL.Query().Get("$select"))
	if err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	var org tenant.Organization
	_ = a.cfg.Store.View(func(d *tenant.Directory) error {
		org = d.Organization
		return nil
	})
	if !strings.EqualFold(org.ID, id) {
		return notFound(id)
	}
	writeEntity(w, r, http.StatusOK, setOrganization, org, sel)
	return nil
}
