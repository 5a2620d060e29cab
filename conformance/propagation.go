package conformance

import (
	"net/http"
	"net/url"
	"slices"
	"time"
)

// propagationBehaviours show what a client sees between a write and the moment every reader
// knows of it: at once on a consistent target, the documented failure on a target whose delays
// always apply (the mock with --realistic), either on Azure; then success once it has waited.
var propagationBehaviours = []behaviour{
	{"propagation/app-then-token", 0, propagationAppThenToken},
	{"propagation/role-then-dicom", NeedDICOMService, propagationRoleThenDICOM},
}

// wantCodeAtOnce checks the error a call made right after a write got: on a realistic target it
// must be want (the service has not learnt of the write yet); elsewhere want or, when the write
// was already seen, otherwise.
func (c *Case) wantCodeAtOnce(what string, got int, want int, otherwise []int) {
	c.t.Helper()
	if got == want || (!c.tgt().Realistic && slices.Contains(otherwise, got)) {
		c.Logf("%s at once: %d", what, got)
		return
	}
	c.Errorf("%s at once: got %d, want %d (the write has not propagated yet)", what, got, want)
}

// aadstsCode is the first error code of a token answer, 0 for a token.
func aadstsCode(a tokenAnswer) int {
	if a.Status == http.StatusOK {
		return 0
	}
	e, err := parseTokenError(a.Body)
	if err != nil || len(e.ErrorCodes) == 0 {
		return -1
	}
	return e.ErrorCodes[0]
}

// propagationAppThenToken creates an app and asks for a token at once, as a CI job does: the
// token service may not know the app (AADSTS700016) or its new secret (AADSTS7000215) yet.
// Depends on delays: Graph replication, the token service's sign-in and credential delays.
func propagationAppThenToken(c *Case) {
	a := c.newApp(appSpec{})
	form := func(secret string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {a.AppID}, "client_secret": {secret}, "scope": {dicomScope}}
	}
	// newApp waited for Graph; the token service's view of a new app may lag that, and a secret
	// that does not exist is refused either way: 700016 while the app is unknown, 7000215 after.
	c.wantCodeAtOnce("token for a new app", aadstsCode(c.postToken(c.tgt().TenantID, form("not-the-secret"))), 7000215, []int{700016})

	s := c.addSecret(a, time.Time{})
	c.wantCodeAtOnce("token with a secret added this instant", aadstsCode(c.postToken(c.tgt().TenantID, form(s.SecretText))), 7000215, []int{0})
	c.eventually("token once the secret has propagated", func() error {
		if a := c.postToken(c.tgt().TenantID, form(s.SecretText)); a.Status != http.StatusOK {
			return &tokenStatusError{a}
		}
		return nil
	})
}

type tokenStatusError struct{ a tokenAnswer }

func (e *tokenStatusError) Error() string {
	return http.StatusText(e.a.Status) + ": " + firstLine(string(e.a.Body))
}

// propagationRoleThenDICOM assigns a DICOM data role and calls DICOMweb at once: Azure RBAC
// takes up to 10 minutes and the DICOM service caches its decisions for up to five, so the call
// may be refused (403) until then. Depends on delays: RBAC and the DICOM decision cache.
func propagationRoleThenDICOM(c *Case) {
	a := c.newApp(appSpec{})
	s := c.addSecret(a, time.Time{})
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {a.AppID}, "client_secret": {s.SecretText}, "scope": {dicomScope}}
	var tok string
	c.eventually("client-credentials token", func() error {
		ans := c.postToken(c.tgt().TenantID, form)
		if ans.Status != http.StatusOK {
			return &tokenStatusError{ans}
		}
		tok = c.accessToken(ans)
		return nil
	})
	c.assignRole(a.SPID, "ServicePrincipal", roleDICOMDataOwner)
	status := c.search(tok).Status
	if status == http.StatusNoContent {
		status = http.StatusOK
	}
	c.wantCodeAtOnce(dicomProbeMessage+" with a role assigned this instant", status, http.StatusForbidden, []int{http.StatusOK})
	c.wantDICOMAccess(tok)
}
