package graphapi

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// POST /directoryObjects/getByIds resolves object ids of any type in one request
// (learn.microsoft.com/graph/api/directoryobject-getbyids).
const (
	pathGetByIDs      = "/directoryObjects/getByIds"
	setDirectoryObjs  = "directoryObjects"
	resDirectoryObj   = "directoryObject"
	maxGetByIDs       = 1000 // "You can specify up to 1000 IDs."
	odataTypeUser     = "#microsoft.graph.user"
	odataTypeSP       = "#microsoft.graph.servicePrincipal"
	odataTypeApp      = "#microsoft.graph.application"
	typeDirectoryObjs = "directoryobject"
)

// permDirectoryRead is getByIds's: Directory.Read.All (Directory.ReadWrite.All and, delegated,
// Directory.AccessAsUser.All include it).
var permDirectoryRead = permission{
	roles:  []string{"Directory.Read.All", "Directory.ReadWrite.All"},
	scopes: []string{"Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"},
}

// directoryTypes are the types getByIds's "types" may name (any type derived from
// directoryObject, case-insensitive); the mock stores users, applications and service principals,
// so the others match nothing.
var directoryTypes = map[string]bool{
	typeDirectoryObjs: true, "user": true, "group": true, "device": true, "application": true,
	"serviceprincipal": true, "orgcontact": true, "directoryrole": true, "directoryroletemplate": true,
	"administrativeunit": true, "directoryobjectpartnerreference": true,
}

type getByIDsRequest struct {
	IDs   []string `json:"ids"`
	Types []string `json:"types"`
}

func (a *API) getByIDs(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, permDirectoryRead); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	ids, wants, err := parseGetByIDs(body)
	if err != nil {
		return err
	}

	rep := a.replica()
	var values []json.RawMessage
	seen := map[string]bool{}
	err = a.cfg.Store.View(func(d *tenant.Directory) error {
		for _, id := range ids {
			k := strings.ToLower(id)
			if seen[k] {
				continue
			}
			seen[k] = true
			obj, odataType := findDirectoryObject(d, id, rep, wants)
			if obj == nil {
				continue // an id that names nothing (of the types asked) is left out, not an error
			}
			raw, err := withODataType(obj, odataType)
			if err != nil {
				return err
			}
			values = append(values, raw)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if values == nil {
		values = []json.RawMessage{}
	}
	writePage(w, page{Context: contextURL(r, setDirectoryObjs, nil, false), Value: values})
	return nil
}

// parseGetByIDs reads getByIds's body: the ids (1 to 1000) and which types to look in (none:
// all); anything else is a Graph 400.
func parseGetByIDs(body []byte) (ids []string, wants func(string) bool, err error) {
	var req getByIDsRequest
	if _, err := decodeObject(body, resDirectoryObj, []string{"ids", "types"}, nil, &req); err != nil {
		return nil, nil, err
	}
	if len(req.IDs) == 0 {
		return nil, nil, badRequest("Invalid request: the 'ids' parameter is required and must list at least one id.")
	}
	if len(req.IDs) > maxGetByIDs {
		return nil, nil, badRequest("Invalid request: the 'ids' parameter lists %d ids; at most %d are allowed.", len(req.IDs), maxGetByIDs)
	}
	want := map[string]bool{}
	for _, t := range req.Types {
		t = strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(t, "#"), "microsoft.graph."))
		if !directoryTypes[t] {
			return nil, nil, badRequest("Invalid request: '%s' is not a directory object type.", t)
		}
		want[t] = true
	}
	return req.IDs, func(t string) bool { return len(want) == 0 || want[typeDirectoryObjs] || want[t] }, nil
}

// findDirectoryObject is the object id names among the types wants allows, visible on this
// replica; nil when none.
func findDirectoryObject(d *tenant.Directory, id string, rep replica, wants func(string) bool) (any, string) {
	if wants("user") {
		if u := d.User(id); u != nil {
			return u, odataTypeUser
		}
	}
	if wants("serviceprincipal") {
		if sp := d.ServicePrincipal(id); sp != nil && rep.visible(sp.CreatedDateTime) {
			return sp, odataTypeSP
		}
	}
	if wants("application") {
		if app := d.Application(id); app != nil && rep.visible(app.CreatedDateTime) {
			return app, odataTypeApp
		}
	}
	return nil, ""
}

// withODataType encodes obj with "@odata.type" first, as each object of a directoryObject
// collection carries it.
func withODataType(obj any, odataType string) (json.RawMessage, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	head, _ := json.Marshal(odataType)
	out := append([]byte(`{"@odata.type":`), head...)
	if len(b) > 2 {
		out = append(out, ',')
	}
	return append(out, b[1:]...), nil
}
