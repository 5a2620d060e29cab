package cli

import (
	"net/http"
	"strings"
	"testing"

	"github.com/dicomreg/dicomreg/mockgraph"
	"github.com/dicomreg/dicomreg/plugin/directory"
)

// role list names each assignment's principal — display name and type — with one Graph
// getByIds for all of them. A principal Graph no longer has (deleted) keeps its id and an empty
// name, not an error; -o table has a Name column; json keeps its fields and adds principalName.
func TestRoleListNamesPrincipals(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(61))
	c := cliRun{t, srv}
	svc := srv.Seeded().DicomServiceID
	addMockApp(t, srv, mockApp{name: "named-viewer", role: mockgraph.RoleDICOMDataOwner})
	user := srv.Seeded().TestUserID
	const deleted = "0f0e0d0c-0b0a-4908-8706-050403020100"
	c.must(nil, "role", "assign", "--assignee-object-id", user, "--assignee-principal-type", "User", "--role", "reader", "--dicom-service", svc)
	c.must(nil, "role", "assign", "--assignee-object-id", deleted, "--assignee-principal-type", "ServicePrincipal", "--role", "reader", "--dicom-service", svc)

	srv.ResetRequests()
	var rows []roleRow
	c.must(&rows, "role", "list", "--dicom-service", svc)
	if n := srv.Requests().ByRoute["POST /v1.0/directoryObjects/getByIds"]; n != 1 {
		t.Errorf("%d getByIds requests, want one for all %d assignments", n, len(rows))
	}
	byID := map[string]roleRow{}
	for _, r := range rows {
		byID[r.PrincipalID] = r
	}
	sp := srv.ServicePrincipals(appIDNamed(t, srv, "named-viewer"))
	if len(sp) != 1 {
		t.Fatalf("service principals of named-viewer: %+v", sp)
	}
	for id, want := range map[string]struct{ name, typ string }{
		sp[0].ID:               {"named-viewer", directory.PrincipalTypeServicePrincipal},
		user:                   {"", directory.PrincipalTypeUser}, // name checked below
		deleted:                {"", directory.PrincipalTypeServicePrincipal},
		srv.Seeded().AdminSPID: {"", directory.PrincipalTypeServicePrincipal},
	} {
		got, ok := byID[id]
		if !ok {
			t.Errorf("no assignment of %s in %+v", id, rows)
			continue
		}
		if got.PrincipalType != want.typ || (want.name != "" && got.PrincipalName != want.name) {
			t.Errorf("%s: name %q type %q, want %q %q", id, got.PrincipalName, got.PrincipalType, want.name, want.typ)
		}
		if id != deleted && got.PrincipalName == "" {
			t.Errorf("%s has no name: %+v", id, got)
		}
		if got.Role == "" || got.Scope == "" || got.ID == "" || got.RoleDefinitionID == "" {
			t.Errorf("%s lost a field: %+v", id, got)
		}
	}
	if got := byID[deleted].PrincipalName; got != "" {
		t.Errorf("the deleted principal is named %q", got)
	}

	printed := c.must(nil, "role", "list", "--dicom-service", svc, "-o", "table")
	header := strings.Fields(strings.SplitN(printed, "\n", 2)[0])
	if strings.Join(header, " ") != "Principal PrincipalName PrincipalType Role Scope" || !strings.Contains(printed, "named-viewer") {
		t.Errorf("-o table:\n%s", printed)
	}
	printed = c.must(nil, "role", "list", "--dicom-service", svc, "-o", "tsv", "--query", "[?principalId=='"+deleted+"'].[principalId,principalName]")
	if strings.TrimSpace(printed) != deleted {
		t.Errorf("the deleted principal as tsv: %q", printed)
	}

	// Graph refusing the lookup is a warning; the assignments are still listed, by id.
	if err := srv.QueueError("graph", "POST /v1.0/directoryObjects/getByIds", http.StatusForbidden, 1); err != nil {
		t.Fatal(err)
	}
	code, printed := c.do(&rows, "role", "list", "--dicom-service", svc)
	if code != ExitOK || len(rows) != len(byID) || !strings.Contains(printed, "names") {
		t.Errorf("lookup refused: exit %d, %d rows:\n%s", code, len(rows), printed)
	}
	for _, r := range rows {
		if r.PrincipalName != "" {
			t.Errorf("a name without a lookup: %+v", r)
		}
	}
}

func appIDNamed(t *testing.T, srv *mockgraph.Server, name string) string {
	t.Helper()
	apps := srv.Applications(name)
	if len(apps) != 1 {
		t.Fatalf("apps named %s: %+v", name, apps)
	}
	return apps[0].AppID
}
