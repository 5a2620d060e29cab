package directory

import (
	"context"
	"net/http"
	"strings"
)

// Principal types as ARM's role assignments spell principalType.
const (
	PrincipalTypeUser             = "User"
	PrincipalTypeServicePrincipal = "ServicePrincipal"
	PrincipalTypeGroup            = "Group"
)

// maxGetByIDs is how many ids one directoryObjects/getByIds request may carry
// (learn.microsoft.com/graph/api/directoryobject-getbyids).
const maxGetByIDs = 1000

// principalTypes are the @odata.type values getByIds answers with, and the types it is asked for.
var principalTypes = map[string]string{
	"#microsoft.graph.servicePrincipal": PrincipalTypeServicePrincipal,
	"#microsoft.graph.user":             PrincipalTypeUser,
	"#microsoft.graph.group":            PrincipalTypeGroup,
}

// Principal is a user, group or service principal a role assignment names.
type Principal struct {
	ID          string
	DisplayName string
	Type        string // PrincipalTypeUser, PrincipalTypeServicePrincipal, PrincipalTypeGroup
}

// Principals looks ids up in Graph with POST /directoryObjects/getByIds, up to 1000 ids a
// request, and returns what it found by lower-case id. An id Graph does not return (a deleted
// principal) is simply not in the map.
func (c *Client) Principals(ctx context.Context, ids []string) (map[string]Principal, error) {
	var unique []string
	seen := map[string]bool{}
	for _, id := range ids {
		if k := strings.ToLower(id); id != "" && !seen[k] {
			seen[k] = true
			unique = append(unique, id)
		}
	}
	found := make(map[string]Principal, len(unique))
	for start := 0; start < len(unique); start += maxGetByIDs {
		batch := unique[start:min(start+maxGetByIDs, len(unique))]
		var page struct {
			Value []struct {
				ODataType   string `json:"@odata.type"`
				ID          string `json:"id"`
				DisplayName string `json:"displayName"`
			} `json:"value"`
		}
		body := map[string]any{"ids": batch, "types": []string{"servicePrincipal", "user", "group"}}
		if err := c.do(ctx, c.graph, http.MethodPost, c.graphURL+"/directoryObjects/getByIds", body, &page, nil); err != nil {
			return nil, err
		}
		for _, o := range page.Value {
			found[strings.ToLower(o.ID)] = Principal{ID: o.ID, DisplayName: o.DisplayName, Type: principalTypes[o.ODataType]}
		}
	}
	return found, nil
}
