package conformance

import (
	"errors"
	"fmt"
	"net/http"
)

// directoryBehaviours read the directory the way `dicomreg role list` names principals.
var directoryBehaviours = []behaviour{
	{"graph/get-by-ids", 0, graphGetByIDs},
}

// graphGetByIDs: POST /directoryObjects/getByIds answers the objects it knows of the ids asked,
// each with its @odata.type, and leaves out an id it does not know (a deleted principal)
// (graph/api/directoryobject-getbyids).
func graphGetByIDs(c *Case) {
	a := c.newApp(appSpec{})
	unknown := newGUID()
	body := map[string]any{"ids": []string{a.SPID, unknown}, "types": []string{"servicePrincipal", "user"}}
	var got struct {
		Value []map[string]any `json:"value"`
	}
	c.eventually("getByIds finds the new service principal", func() error {
		if err := c.graph(http.MethodPost, "/directoryObjects/getByIds", body, &got); err != nil {
			return err
		}
		if len(got.Value) == 0 {
			return errors.New("the new service principal is not in the answer yet")
		}
		return nil
	})
	if len(got.Value) != 1 {
		c.Fatalf("getByIds of a service principal and an unknown id answered %d objects, want 1: %v", len(got.Value), got.Value)
	}
	o := got.Value[0]
	if o["id"] != a.SPID || o["@odata.type"] != "#microsoft.graph.servicePrincipal" || o["appId"] != a.AppID {
		c.Errorf("getByIds answered %v, want the service principal %s (@odata.type #microsoft.graph.servicePrincipal, appId %s)", o, a.SPID, a.AppID)
	}
	// Only the types asked for: the service principal is left out when only users are.
	body["types"] = []string{"user"}
	c.must(c.graph(http.MethodPost, "/directoryObjects/getByIds", body, &got), "getByIds for users only")
	if len(got.Value) != 0 {
		c.Errorf("getByIds for users answered %s", fmt.Sprint(got.Value))
	}
}
