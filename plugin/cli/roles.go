package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dicomreg/dicomreg/plugin/auth"
	"github.com/dicomreg/dicomreg/plugin/converge"
	"github.com/dicomreg/dicomreg/plugin/directory"
)

// RoleOptions are `role assign`'s, `list`'s and `remove`'s.
type RoleOptions struct {
	IO           Console
	Directory    func() (*directory.Client, error)
	Assignee     string
	Role         string
	DicomService string
	// ObjectID and PrincipalType name any principal (a user, a group) without a Graph lookup, as
	// az role assignment create --assignee-object-id --assignee-principal-type does.
	ObjectID      string
	PrincipalType string
}

func newRoleCommand(f *Factory, cmd *cobra.Command, withRole bool, runF, run func(context.Context, *RoleOptions) error) *cobra.Command {
	opts := &RoleOptions{IO: f, Directory: f.Directory}
	cmd.RunE = runner(opts, runF, run)
	fs := cmd.Flags()
	fs.StringVar(&opts.Assignee, "assignee", "", "app registration (display name or app id) or service principal object id")
	fs.StringVar(&opts.Assignee, "app", "", "same as --assignee")
	if withRole {
		fs.StringVar(&opts.Role, "role", "", "owner (DICOM Data Owner), reader (DICOM Data Reader), or a role name or id")
	}
	fs.StringVar(&opts.DicomService, "dicom-service", f.Getenv(EnvDICOMServiceID), "ARM id of the DICOM service ($"+EnvDICOMServiceID+")")
	fs.StringVar(&opts.ObjectID, "assignee-object-id", "", "object id of any principal (a user, a group), used as is")
	fs.StringVar(&opts.PrincipalType, "assignee-principal-type", "", "type of --assignee-object-id: User, Group or ServicePrincipal")
	return cmd
}

// roleRow is one role assignment as role commands print it.
type roleRow struct {
	PrincipalID string `json:"principalId"`
	// PrincipalName is the principal's display name from Graph; "" when Graph does not know the
	// id (a deleted principal). az role assignment list names the field so.
	PrincipalName    string `json:"principalName"`
	PrincipalType    string `json:"principalType"`
	Role             string `json:"role"`
	RoleDefinitionID string `json:"roleDefinitionId"`
	Scope            string `json:"scope"`
	ID               string `json:"id"`
}

// builtInRoleNames names the DICOM data roles, and the general built-in roles a DICOM service
// inherits from its subscription or group, by definition id (the same in every tenant: "Azure
// built-in roles", learn.microsoft.com/azure/role-based-access-control/built-in-roles/general).
var builtInRoleNames = map[string]string{
	directory.BuiltInRoles["owner"]:        "DICOM Data Owner",
	directory.BuiltInRoles["reader"]:       "DICOM Data Reader",
	"8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
	"b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
	"acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
	"18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
}

func roleRowOf(ra directory.RoleAssignment) roleRow {
	id := ra.RoleDefinitionGUID()
	name := builtInRoleNames[id]
	if name == "" {
		name = id
	}
	return roleRow{PrincipalID: ra.Properties.PrincipalID, PrincipalType: ra.Properties.PrincipalType, Role: name,
		RoleDefinitionID: id, Scope: ra.Properties.Scope, ID: ra.ID}
}

func newCmdRole(f *Factory) *cobra.Command {
	cmd := newGroup("role", "Assign DICOM data roles (Azure RBAC) on a DICOM service",
		`A token the DICOM service accepts still gets 403 until its principal holds a data role on the
service: DICOM Data Owner (read, write, delete) or DICOM Data Reader (search and retrieve). The
role goes to the app's service principal (created if missing); assigning a role the principal
already holds at that scope or above changes nothing.`)
	cmd.AddCommand(NewCmdRoleAssign(f, nil), NewCmdRoleList(f, nil), NewCmdRoleRemove(f, nil))
	return cmd
}

// NewCmdRoleAssign is `role assign`.
func NewCmdRoleAssign(f *Factory, runF func(context.Context, *RoleOptions) error) *cobra.Command {
	return newRoleCommand(f, &cobra.Command{
		Use:   "assign",
		Short: "Assign a DICOM data role to an app's service principal",
		Example: `dicomreg role assign --assignee my-viewer --role owner --dicom-service "$DICOM_SERVICE_ID"
dicomreg role assign --assignee 0d5c…-appid --role reader`,
	}, true, runF, roleAssignRun)
}

// NewCmdRoleList is `role list`.
func NewCmdRoleList(f *Factory, runF func(context.Context, *RoleOptions) error) *cobra.Command {
	return newRoleCommand(f, &cobra.Command{
		Use:   "list",
		Short: "List role assignments on the DICOM service (optionally of one --assignee)",
		Long: `Lists the role assignments on the DICOM service (inherited ones too), each with its principal's
id, display name (principalName) and type, the role by name, and the scope. The names come from
one Graph lookup of all principals (directoryObjects/getByIds, which needs Directory.Read.All); a
principal Graph no longer has, deleted, is listed with its id and an empty name.`,
		Example: `dicomreg role list --dicom-service "$DICOM_SERVICE_ID" -o table
dicomreg role list --assignee my-viewer`,
	}, false, runF, roleListRun)
}

// NewCmdRoleRemove is `role remove`.
func NewCmdRoleRemove(f *Factory, runF func(context.Context, *RoleOptions) error) *cobra.Command {
	return newRoleCommand(f, &cobra.Command{
		Use:     "remove",
		Short:   "Remove an app's role assignments on the DICOM service (of --role, or all)",
		Example: `dicomreg role remove --assignee my-viewer --role owner --dicom-service "$DICOM_SERVICE_ID"`,
	}, true, runF, roleRemoveRun)
}

func (o *RoleOptions) check(needAssignee, needRole bool) error {
	if o.DicomService == "" {
		return usageErrorf("--dicom-service is required (the DICOM service's ARM id, or set $%s)", EnvDICOMServiceID)
	}
	if err := converge.CheckDICOMServiceID(o.DicomService); err != nil {
		return err
	}
	if o.ObjectID != "" || o.PrincipalType != "" {
		switch {
		case o.Assignee != "":
			return usageErrorf("give --assignee or --assignee-object-id, not both")
		case !auth.IsGUID(o.ObjectID):
			return usageErrorf("--assignee-object-id %q is not an object id (a GUID)", o.ObjectID)
		case o.PrincipalType != converge.PrincipalUser && o.PrincipalType != converge.PrincipalGroup && o.PrincipalType != converge.PrincipalServicePrincipal:
			return usageErrorf("--assignee-principal-type %q: use User, Group or ServicePrincipal", o.PrincipalType)
		}
		if needRole && o.Role == "" {
			return usageErrorf("--role is required: owner, reader, or a role name or id")
		}
		return nil
	}
	if needAssignee && o.Assignee == "" {
		return usageErrorf("--assignee is required (an app's name or app id, or a service principal's object id)")
	}
	if needRole && o.Role == "" {
		return usageErrorf("--role is required: owner, reader, or a role name or id")
	}
	return nil
}

// assigneePrincipal finds the service principal a role goes to: by service principal object
// id, by app id, else through the app (--assignee as app name or object id); create says
// whether a missing one is created.
func assigneePrincipal(ctx context.Context, client *directory.Client, assignee string, create bool) (sp *directory.ServicePrincipal, created bool, err error) {
	if auth.IsGUID(assignee) {
		if sp, err = client.ServicePrincipalByID(ctx, assignee); err != nil || sp != nil {
			return sp, false, err
		}
		if sp, err = client.ServicePrincipalByAppID(ctx, assignee); err != nil || sp != nil {
			return sp, false, err
		}
	}
	app, err := converge.ResolveApp(ctx, client, assignee)
	if err != nil {
		return nil, false, err
	}
	if !create {
		if sp, err = client.ServicePrincipalByAppID(ctx, app.AppID); err == nil && sp == nil {
			err = notFoundf("app %s has no service principal, so no role assignments", app.DisplayName)
		}
		return sp, false, err
	}
	return converge.EnsureServicePrincipal(ctx, client, app.AppID, false)
}

func roleAssignRun(ctx context.Context, opts *RoleOptions) error {
	if err := opts.check(true, true); err != nil {
		return err
	}
	client, err := opts.Directory()
	if err != nil {
		return err
	}
	if opts.ObjectID != "" {
		msg, err := converge.EnsurePrincipalRole(ctx, client, opts.DicomService, opts.Role, opts.ObjectID, opts.PrincipalType, false)
		if err != nil {
			return err
		}
		if msg == "" {
			msg = fmt.Sprintf("%s already holds %s there: nothing to change.", opts.ObjectID, opts.Role)
		}
		opts.IO.Progress("%s", msg)
		return printRoles(ctx, opts.IO, client, opts.DicomService, opts.ObjectID)
	}
	sp, created, err := assigneePrincipal(ctx, client, opts.Assignee, true)
	if err != nil {
		return err
	}
	if created {
		opts.IO.Progress("Created service principal %s.", sp.ID)
	}
	msg, err := converge.EnsureRole(ctx, client, opts.DicomService, opts.Role, sp.ID, created)
	if err != nil {
		return err
	}
	if msg == "" {
		opts.IO.Progress("%s already holds %s there: nothing to change.", sp.DisplayName, opts.Role)
	} else {
		opts.IO.Progress("%s", msg)
	}
	return printRoles(ctx, opts.IO, client, opts.DicomService, sp.ID)
}

func roleListRun(ctx context.Context, opts *RoleOptions) error {
	if err := opts.check(false, false); err != nil {
		return err
	}
	client, err := opts.Directory()
	if err != nil {
		return err
	}
	principal := ""
	if opts.Assignee != "" {
		sp, _, err := assigneePrincipal(ctx, client, opts.Assignee, false)
		if err != nil {
			return err
		}
		principal = sp.ID
	}
	return printRoles(ctx, opts.IO, client, opts.DicomService, principal)
}

func printRoles(ctx context.Context, io Console, client *directory.Client, scope, principalID string) error {
	all, err := client.RoleAssignments(ctx, scope, principalID)
	if err != nil {
		return err
	}
	rows := make([]roleRow, 0, len(all))
	for _, ra := range all {
		rows = append(rows, roleRowOf(ra))
	}
	nameRoles(ctx, io, client, rows)
	table := make([]roleTableRow, 0, len(rows))
	for _, row := range rows {
		table = append(table, roleTableRow{Principal: row.PrincipalID, PrincipalName: row.PrincipalName, PrincipalType: row.PrincipalType, Role: row.Role, Scope: shortScope(row.Scope, scope)})
	}
	return io.PrintTable(rows, table)
}

// nameRoles fills in each row's principal name (and its type, when ARM left it out) with one
// Graph lookup for all of them. A principal Graph does not return keeps an empty name; a lookup
// Graph refuses (no Directory.Read.All, say) is a warning, and the list is printed without names.
func nameRoles(ctx context.Context, io Console, client *directory.Client, rows []roleRow) {
	if len(rows) == 0 {
		return
	}
	ids := make([]string, 0, len(rows))
	for _, row := range rows {
		ids = append(ids, row.PrincipalID)
	}
	found, err := client.Principals(ctx, ids)
	if err != nil {
		io.Warn("could not look up the principals' names in Graph (%v); listing their ids only", err)
		return
	}
	for i := range rows {
		p, ok := found[strings.ToLower(rows[i].PrincipalID)]
		if !ok {
			continue
		}
		rows[i].PrincipalName = p.DisplayName
		if rows[i].PrincipalType == "" {
			rows[i].PrincipalType = p.Type
		}
	}
}

// roleTableRow is a role assignment as -o table shows it: who (id and name), which role by name,
// where — the columns of az role assignment list's table (Principal, Role, Scope), the scope short.
type roleTableRow struct {
	Principal     string `json:"principal"`
	PrincipalName string `json:"principalName"`
	PrincipalType string `json:"principalType"`
	Role          string `json:"role"`
	Scope         string `json:"scope"`
}

// shortScope names an assignment's scope by its last type/name pair ("dicomservices/mydicom",
// "resourceGroups/rg"), or "this DICOM service" when it is the one asked about.
func shortScope(scope, service string) string {
	if strings.EqualFold(scope, service) {
		return "this DICOM service"
	}
	parts := strings.Split(strings.Trim(scope, "/"), "/")
	if len(parts) >= 2 {
		return parts[len(parts)-2] + "/" + parts[len(parts)-1]
	}
	return scope
}

func roleRemoveRun(ctx context.Context, opts *RoleOptions) error {
	if err := opts.check(true, false); err != nil {
		return err
	}
	client, err := opts.Directory()
	if err != nil {
		return err
	}
	sp, _, err := assigneePrincipal(ctx, client, opts.Assignee, false)
	if err != nil {
		return err
	}
	want := ""
	if opts.Role != "" {
		if want, err = converge.RoleID(ctx, client, opts.DicomService, opts.Role); err != nil {
			return err
		}
	}
	all, err := client.RoleAssignments(ctx, opts.DicomService, sp.ID)
	if err != nil {
		return err
	}
	removed := []roleRow{}
	for _, ra := range all {
		// Only assignments made at this service: one inherited from a resource group or the
		// subscription is not this command's to remove.
		if !strings.EqualFold(ra.Properties.Scope, opts.DicomService) || (want != "" && ra.RoleDefinitionGUID() != want) {
			continue
		}
		if err := client.DeleteRoleAssignment(ctx, ra.ID); err != nil {
			return err
		}
		row := roleRowOf(ra)
		opts.IO.Progress("Removed %s from %s.", row.Role, sp.DisplayName)
		removed = append(removed, row)
	}
	if len(removed) == 0 {
		return notFoundf("%s holds no such role assignment on %s", sp.DisplayName, opts.DicomService)
	}
	return opts.IO.Print(removed)
}
