// Package conformance is one suite of behaviours, written once and run against a Target: the
// bundled mock (mock_test.go, part of `make test`) or a real Microsoft Entra tenant with an Azure
// DICOM service (live_test.go). Each behaviour is a subtest that creates what it needs, names
// every object it creates with the prefix "dicomreg-conf-" and deletes it again with t.Cleanup,
// also when the behaviour fails; a behaviour the target cannot support is skipped with the reason.
//
// The behaviours cover every step of the portal page "Register a client application for the
// DICOM service" through the dicomreg binary, every token flow through azidentity (client secret,
// client certificate, device code, username/password, authorization code with PKCE) for
// https://dicom.healthcareapis.azure.com, Graph CRUD through the official msgraph-sdk-go (built with
// -tags graphsdk, as make check-graph-sdk does: the SDK takes minutes to compile), a real
// DICOMweb call with each token, and the negative cases: Entra's AADSTS errors as a client sees
// them, and forged, expired and wrong-audience tokens at the DICOM endpoint.
//
// The live suite runs when these variables are set, and skips with a message otherwise:
//
//	DICOMREG_LIVE_TENANT_ID          the tenant (GUID)
//	DICOMREG_LIVE_CLIENT_ID          an admin app: Graph Application.ReadWrite.All,
//	DICOMREG_LIVE_CLIENT_SECRET      DelegatedPermissionGrant.ReadWrite.All, Directory.Read.All
//	                                 (getByIds), and Owner or User Access Administrator on the
//	                                 DICOM service (role assignments)
//	DICOMREG_LIVE_DICOM_URL          the DICOMweb base, https://<workspace>-<service>.dicom.azurehealthcareapis.com
//	DICOMREG_LIVE_DICOM_SERVICE_ID   the DICOM service's ARM resource id (/subscriptions/…/dicomservices/…);
//	                                 without it, behaviours that assign roles are skipped
//	DICOMREG_LIVE_USERNAME           optional: a cloud-only test user without MFA, for the
//	DICOMREG_LIVE_PASSWORD           password and delegated flows (skipped without it)
//	DICOMREG_LIVE_AUTHORITY_HOST     optional: default https://login.microsoftonline.com/
//	DICOMREG_LIVE_GRAPH_URL          optional: default https://graph.microsoft.com/v1.0
//	DICOMREG_LIVE_ARM_URL            optional: default https://management.azure.com
//	DICOMREG_LIVE_PROPAGATION        optional: how long to wait for replication and role
//	                                 assignments to take effect (a Go duration), default 5m
//
// A real tenant cannot approve a device code, fast-forward its clock or be signed in to without a
// browser, so those behaviours skip there. Leftovers of an interrupted live run can be found by
// their display name prefix, dicomreg-conf-.
package conformance
