package graphapi

import (
	"iter"
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

const resAppRoleAssignment = "AppRoleAssignment"

var (
	assignmentWritable = []string{"principalId", "resourceId", "appRoleId"}
	assignmentReadOnly = []string{"id", "principalType", "principalDisplayName", "resourceDisplayName", "createdDateTime"}
)

// assignmentSet is the @odata.context set of a service principal's assignments.
func assignmentSet(sp *tenant.ServicePrincipal, assignedTo bool) string {
	nav := "appRoleAssignments"
	if assignedTo {
		nav = "appRoleAssignedTo"
	}
	return "servicePrincipals('" + sp.ID + "')/" + nav
}

// ofSP reports whether x belongs to sp's collection: as its principal (appRoleAssignments) or
// as its resource (appRoleAssignedTo).
func ofSP(x *tenant.AppRoleAssignment, sp *tenant.ServicePrincipal, assignedTo bool) bool {
	if assignedTo {
		return strings.EqualFold(x.ResourceID, sp.ID)
	}
	return strings.EqualFold(x.PrincipalID, sp.ID)
}

// listAssignments lists the app roles a service principal holds, or (assignedTo) the
// assignments of its own app roles to others.
func (a *API) listAssignments(assignedTo bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := require(r, permAssignRead); err != nil {
			return err
		}
		var sp *tenant.ServicePrincipal
		rep := a.replica()
		if err := a.cfg.Store.View(func(d *tenant.Directory) error {
			var err error
			sp, err = a.lookupSP(d, r, rep)
			return err
		}); err != nil {
			return err
		}
		return list(a, w, r, collection[tenant.AppRoleAssignment]{
			set: assignmentSet(sp, assignedTo), schema: assignmentSchema, props: assignmentProps,
			all: func(d *tenant.Directory) iter.Seq[*tenant.AppRoleAssignment] {
				var out []*tenant.AppRoleAssignment
				for _, x := range d.AppRoleAssignments() {
					if ofSP(x, sp, assignedTo) {
						out = append(out, x)
					}
				}
				return slices.Values(out)
			},
		})
	}
}

func (a *API) getAssignment(assignedTo bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := require(r, permAssignRead); err != nil {
			return err
		}
		var sp *tenant.ServicePrincipal
		var x *tenant.AppRoleAssignment
		rep := a.replica()
		if err := a.cfg.Store.View(func(d *tenant.Directory) error {
			var err error
			sp, x, err = a.lookupAssignment(d, r, rep, assignedTo)
			return err
		}); err != nil {
			return err
		}
		writeEntity(w, r, http.StatusOK, assignmentSet(sp, assignedTo), x, nil)
		return nil
	}
}

func (a *API) lookupAssignment(d *tenant.Directory, r *http.Request, rep replica, assignedTo bool) (*tenant.ServicePrincipal, *tenant.AppRoleAssignment, error) {
	sp, err := a.lookupSP(d, r, rep)
	if err != nil {
		return nil, nil, err
	}
	id := mux.Vars(r)["assignment"]
	x := d.AppRoleAssignment(id)
	if x == nil || !ofSP(x, sp, assignedTo) {
		return nil, nil, notFound(id)
	}
	return sp, x, nil
}

func (a *API) deleteAssignment(assignedTo bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := require(r, permAssignWrite); err != nil {
			return err
		}
		rep := a.replica()
		err := a.cfg.Store.Update(func(d *tenant.Directory) error {
			_, x, err := a.lookupAssignment(d, r, rep, assignedTo)
			if err != nil {
				return err
			}
			d.DeleteAppRoleAssignment(x.ID)
			return nil
		})
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// createAssignment grants an app role (an application permission, once admin-consented) to a
// principal: through the principal's appRoleAssignments or the resource's appRoleAssignedTo.
func (a *API) createAssignment(assignedTo bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := require(r, permAssignWrite); err != nil {
			return err
		}
		body, err := readBody(w, r)
		if err != nil {
			return err
		}
		var in tenant.AppRoleAssignment
		if _, err := decodeObject(body, resAppRoleAssignment, assignmentWritable, assignmentReadOnly, &in); err != nil {
			return err
		}
		rep := a.replica()
		var sp *tenant.ServicePrincipal
		var x *tenant.AppRoleAssignment
		err = a.cfg.Store.Update(func(d *tenant.Directory) error {
			var err error
			if sp, err = a.lookupSP(d, r, rep); err != nil {
				return err
			}
			if (assignedTo && !strings.EqualFold(in.ResourceID, sp.ID)) || (!assignedTo && !strings.EqualFold(in.PrincipalID, sp.ID)) {
				prop := "principalId"
				if assignedTo {
					prop = "resourceId"
				}
				return invalidValue(prop, resAppRoleAssignment)
			}
			x, err = a.assignment(d, in)
			return err
		})
		if err != nil {
			return err
		}
		writeEntity(w, r, http.StatusCreated, assignmentSet(sp, assignedTo), x, nil)
		return nil
	}
}

// assignment validates and stores a new app role assignment.
func (a *API) assignment(d *tenant.Directory, in tenant.AppRoleAssignment) (*tenant.AppRoleAssignment, error) {
	res := d.ServicePrincipal(in.ResourceID)
	if res == nil {
		return nil, invalidValue("resourceId", resAppRoleAssignment)
	}
	x := &tenant.AppRoleAssignment{ID: a.cfg.Rand.Token(32), AppRoleID: in.AppRoleID, ResourceID: res.ID,
		ResourceDisplayName: res.DisplayName, CreatedDateTime: a.cfg.Clock.Now()}
	memberType := "Application"
	if p := d.ServicePrincipal(in.PrincipalID); p != nil {
		x.PrincipalID, x.PrincipalType, x.PrincipalDisplayName = p.ID, "ServicePrincipal", p.DisplayName
	} else if u := d.User(in.PrincipalID); u != nil {
		x.PrincipalID, x.PrincipalType, x.PrincipalDisplayName = u.ID, "User", u.DisplayName
		memberType = "User"
	} else {
		return nil, invalidValue("principalId", resAppRoleAssignment)
	}
	found := false
	for _, role := range res.AppRoles {
		if strings.EqualFold(role.ID, in.AppRoleID) && role.IsEnabled && containsFold(role.AllowedMemberTypes, memberType) {
			found = true
		}
	}
	if !found {
		return nil, badRequest("Permission being assigned was not found on application '%s'.", res.AppID)
	}
	for _, old := range d.AppRoleAssignments() {
		if strings.EqualFold(old.PrincipalID, x.PrincipalID) && strings.EqualFold(old.ResourceID, x.ResourceID) && strings.EqualFold(old.AppRoleID, x.AppRoleID) {
			return nil, newErr(http.StatusConflict, codeConflict, "Permission being assigned already exists on the object")
		}
	}
	d.PutAppRoleAssignment(x)
	return x, nil
}

func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}
