package graphapi

import (
	"reflect"

	"github.com/dicomreg/dicomreg/mockgraph/internal/graphapi/odata"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// The entity sets' filterable properties: the ones clients filter by, as far as Graph supports
// them on v1.0 without advanced queries.
var (
	appSchema = &odata.Schema{Entity: "application", All: jsonNames(reflect.TypeFor[tenant.Application]()), Props: map[string]odata.Kind{
		"id": odata.KindString, "appId": odata.KindString, "displayName": odata.KindString, "uniqueName": odata.KindNullString,
		"signInAudience": odata.KindString, "identifierUris": odata.KindStrings, "tags": odata.KindStrings,
		"createdDateTime": odata.KindDate, "description": odata.KindNullString,
	}}
	spSchema = &odata.Schema{Entity: "servicePrincipal", All: jsonNames(reflect.TypeFor[tenant.ServicePrincipal]()), Props: map[string]odata.Kind{
		"id": odata.KindString, "appId": odata.KindString, "displayName": odata.KindString, "accountEnabled": odata.KindBool,
		"servicePrincipalNames": odata.KindStrings, "servicePrincipalType": odata.KindString, "tags": odata.KindStrings,
		"appOwnerOrganizationId": odata.KindString,
	}}
	grantSchema = &odata.Schema{Entity: "oAuth2PermissionGrant", All: jsonNames(reflect.TypeFor[tenant.OAuth2PermissionGrant]()), Props: map[string]odata.Kind{
		"id": odata.KindString, "clientId": odata.KindString, "resourceId": odata.KindString, "consentType": odata.KindString,
		"principalId": odata.KindNullString,
	}}
	assignmentSchema = &odata.Schema{Entity: "appRoleAssignment", All: jsonNames(reflect.TypeFor[tenant.AppRoleAssignment]()), Props: map[string]odata.Kind{
		"id": odata.KindString, "principalId": odata.KindString, "resourceId": odata.KindString, "appRoleId": odata.KindString,
	}}
	orgSchema = &odata.Schema{Entity: "organization", All: jsonNames(reflect.TypeFor[tenant.Organization]()), Props: map[string]odata.Kind{
		"id": odata.KindString,
	}}
)

func appProps(a *tenant.Application) odata.Getter {
	return func(prop string) any {
		switch prop {
		case "id":
			return a.ID
		case "appId":
			return a.AppID
		case "displayName":
			return a.DisplayName
		case "uniqueName":
			return a.UniqueName
		case "signInAudience":
			return a.SignInAudience
		case "identifierUris":
			return a.IdentifierURIs
		case "tags":
			return a.Tags
		case "createdDateTime":
			return a.CreatedDateTime
		case "description":
			return a.Description
		}
		return nil
	}
}

func spProps(s *tenant.ServicePrincipal) odata.Getter {
	return func(prop string) any {
		switch prop {
		case "id":
			return s.ID
		case "appId":
			return s.AppID
		case "displayName":
			return s.DisplayName
		case "accountEnabled":
			return s.AccountEnabled
		case "servicePrincipalNames":
			return s.ServicePrincipalNames
		case "servicePrincipalType":
			return s.ServicePrincipalType
		case "tags":
			return s.Tags
		case "appOwnerOrganizationId":
			return s.AppOwnerOrganizationID
		}
		return nil
	}
}

func grantProps(g *tenant.OAuth2PermissionGrant) odata.Getter {
	return func(prop string) any {
		switch prop {
		case "id":
			return g.ID
		case "clientId":
			return g.ClientID
		case "resourceId":
			return g.ResourceID
		case "consentType":
			return g.ConsentType
		case "principalId":
			return g.PrincipalID
		}
		return nil
	}
}

func assignmentProps(x *tenant.AppRoleAssignment) odata.Getter {
	return func(prop string) any {
		switch prop {
		case "id":
			return x.ID
		case "principalId":
			return x.PrincipalID
		case "resourceId":
			return x.ResourceID
		case "appRoleId":
			return x.AppRoleID
		}
		return nil
	}
}

func orgProps(o *tenant.Organization) odata.Getter {
	return func(prop string) any {
		if prop == "id" {
			return o.ID
		}
		return nil
	}
}
