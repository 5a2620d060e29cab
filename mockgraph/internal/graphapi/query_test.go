package graphapi

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// Query options Graph refuses or serves only as advanced queries, and the filter forms clients
// send (concepts/aad-advanced-queries.md, query-parameters.md, resources/application.md).
func TestQueryOptionsAsGraph(t *testing.T) {
	e := newEnv(t)
	e.createApp("DICOM Viewer", map[string]any{"description": "Reads studies"}).must(t, 201)
	e.clock.Advance(time.Hour)
	e.createApp("ohifViewer", nil).must(t, 201)
	e.createApp("Postman tests", nil).must(t, 201)
	made := []string{"DICOM Viewer", "ohifViewer", "Postman tests"}
	eventual := []string{"ConsistencyLevel", "eventual"}
	for _, tc := range []struct {
		name    string
		query   string
		headers []string
		status  int
		code    string // error code, or the displayNames found (sorted, comma separated)
		message string
	}{
		{"$skip refused", "$skip=1", nil, 400, "Request_BadRequest", "'$skip' is not supported by the service."},
		{"$search needs eventual", `$search="displayName:dicom"`, nil, 400, "Request_UnsupportedQuery", "ConsistencyLevel: eventual"},
		{"$search token prefix", `$search="displayName:vie"`, eventual, 200, "DICOM Viewer,ohifViewer", ""},
		{"$search camelCase token", `$search="displayName:ohif"`, eventual, 200, "ohifViewer", ""},
		{"$search not mid-token", `$search="displayName:iewer"`, eventual, 200, "", ""},
		{"$search OR description", `$search="displayName:postman" OR "description:studies"`, eventual, 200, "DICOM Viewer,Postman tests", ""},
		{"$search AND", `$search="displayName:dicom" AND "displayName:viewer"`, eventual, 200, "DICOM Viewer", ""},
		{"$search unquoted", `$search=displayName:dicom`, eventual, 400, "Request_BadRequest", "Invalid search query"},
		{"$search unsearchable property", `$search="appId:1"`, eventual, 400, "Request_UnsupportedQuery", "appId"},
		{"$expand unknown", "$expand=nothing", nil, 400, "Request_BadRequest", "Could not find a property named 'nothing'"},
		{"$expand navigation", "$expand=owners", nil, 400, "Request_BadRequest", "owners"},
		{"eq null", "$filter=uniqueName eq null", nil, 200, "DICOM Viewer,Postman tests,ohifViewer", ""},
		{"ge on a date", "$filter=createdDateTime ge " + e.clock.Now().Add(-time.Minute).Format(time.RFC3339), nil, 200, "Postman tests,ohifViewer", ""},
		{"le on a date", "$filter=createdDateTime le " + e.clock.Now().Add(-time.Minute).Format(time.RFC3339), nil, 200, "DICOM Viewer", ""},
		{"date not a date", "$filter=createdDateTime ge 'yesterday'", nil, 400, "Request_UnsupportedQuery", ""},
		{"ge on a string", "$filter=displayName ge 'a'", nil, 400, "Request_UnsupportedQuery", ""},
		{"any over a collection", "$filter=identifierUris/any(x:x eq 'api://none')", nil, 200, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.call("GET", "/v1.0/applications?"+escapeQuery(tc.query), nil, tc.headers...).must(t, tc.status)
			if tc.status != 200 {
				code, msg := r.errorCode()
				if code != tc.code || !strings.Contains(msg, tc.message) {
					t.Fatalf("got %s %q, want %s containing %q", code, msg, tc.code, tc.message)
				}
				return
			}
			var names []string
			for _, v := range r.values() {
				if n, _ := v["displayName"].(string); slices.Contains(made, n) { // not the seeded apps
					names = append(names, n)
				}
			}
			slices.Sort(names)
			if got := strings.Join(names, ","); got != tc.code {
				t.Fatalf("found %q, want %q", got, tc.code)
			}
		})
	}
}

func escapeQuery(q string) string {
	k, v, _ := strings.Cut(q, "=")
	return k + "=" + url.QueryEscape(v)
}
