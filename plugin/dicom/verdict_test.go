package dicom

import (
	"strings"
	"testing"
	"time"
)

func TestExplain(t *testing.T) {
	challenge := &Challenge{Scheme: "Bearer", Params: map[string]string{
		"authorization_uri": "https://login.microsoftonline.com/" + tid, "resource_id": Resource}}
	tests := []struct {
		name      string
		res       ProbeResult
		edit      func(map[string]any)
		noToken   bool
		serviceID string
		check     string
		severity  Severity
		message   string
		fix       string
	}{
		{name: "ok", res: ProbeResult{Status: 204}, check: CheckProbe, severity: OK, message: "→ 204"},
		{name: "forbidden app", res: ProbeResult{Status: 403}, serviceID: serviceID, check: CheckRole, severity: Error,
			message: "the app app has no DICOM data role", fix: "dicomreg role assign --assignee app --role owner --dicom-service " + serviceID},
		{name: "forbidden user", res: ProbeResult{Status: 403}, edit: func(c map[string]any) { c["scp"] = "Dicom.ReadWrite"; c["upn"] = "u@x" },
			check: CheckRole, severity: Error, message: "the signed-in user u@x", fix: "--assignee-object-id oid-1 --assignee-principal-type User --role owner --dicom-service " + serviceIDPlaceholder},
		{name: "wrong audience", res: ProbeResult{Status: 401, Challenge: challenge}, edit: func(c map[string]any) { c["aud"] = "https://graph.microsoft.com" },
			check: CheckAudience, severity: Error, message: "is not the DICOM service"},
		{name: "expired", res: ProbeResult{Status: 401, Challenge: challenge}, edit: func(c map[string]any) { c["exp"] = now.Add(-time.Minute).Unix() },
			check: CheckExpiry, severity: Error, message: "expired at"},
		{name: "other tenant", res: ProbeResult{Status: 401, Challenge: &Challenge{Params: map[string]string{"authorization_uri": "https://login.microsoftonline.com/99999999-9999-9999-9999-999999999999"}}},
			check: CheckTenant, severity: Error, message: "the DICOM service is in tenant 99999999-9999-9999-9999-999999999999"},
		{name: "good claims, bad signature", res: ProbeResult{Status: 401, Challenge: challenge}, check: CheckSignature, severity: Error, message: "refused the signature", fix: "--tenant " + tid},
		{name: "not a JWT", res: ProbeResult{Status: 401}, noToken: true, check: CheckAudience, severity: Error, message: "not a JWT"},
		{name: "not found", res: ProbeResult{Status: 404}, check: CheckProbe, severity: Error, message: "no DICOM service answers", fix: "check --dicom-url"},
		{name: "server error", res: ProbeResult{Status: 500, Message: "boom"}, check: CheckProbe, severity: Error, message: `500 "boom"`},
		// The service's clock decides: a token this machine thinks is fresh but the service calls
		// expired is reported as expired, not as a bad signature.
		{name: "expired by the service's clock", res: ProbeResult{Status: 401, Challenge: challenge,
			Message: "Authentication failed: the token is not valid for this DICOM service (expired: token expired at 2026-01-01T00:00:00Z)."},
			check: CheckExpiry, severity: Error, message: "the DICOM service says the token has expired", fix: "dicomreg token get"},
		{name: "expired per JwtBearer's error_description", res: ProbeResult{Status: 401, Challenge: &Challenge{Scheme: "Bearer", Params: map[string]string{
			"authorization_uri": "https://login.microsoftonline.com/" + tid, "error": "invalid_token", "error_description": "The token expired at '01/01/2026 00:00:00'"}}},
			check: CheckExpiry, severity: Error, message: "says the token has expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := makeToken(t, tt.edit)
			if tt.noToken {
				tok = nil
			}
			res := tt.res
			res.URL = "https://x/v2/studies?limit=1"
			fs := Explain(&res, tok, now, tt.serviceID)
			for _, f := range fs {
				if f.Check == tt.check && f.Severity == tt.severity && strings.Contains(f.Message, tt.message) && strings.Contains(f.Fix, tt.fix) {
					return
				}
			}
			t.Errorf("findings %+v, want %s %s with %q and fix %q", fs, tt.check, tt.severity, tt.message, tt.fix)
		})
	}
}

// TestExplainWording: the service's words are quoted, so no stray punctuation joins them to ours
// (it was "…Z).: the DICOM service refused the token"), and an expired token is not blamed on
// the signature.
func TestExplainWording(t *testing.T) {
	res := ProbeResult{URL: "https://x/v2/studies?limit=1", Status: 401,
		Message: "Authentication failed: the token is not valid for this DICOM service (expired: token expired at 2026-01-01T00:00:00Z)."}
	for _, f := range Explain(&res, makeToken(t, nil), now, "") {
		for _, bad := range []string{".:", "..", ":.", ": :"} {
			if strings.Contains(f.Message, bad) {
				t.Errorf("%s: %q has stray punctuation %q", f.Check, f.Message, bad)
			}
		}
		if f.Check == CheckSignature {
			t.Errorf("an expired token is blamed on the signature: %s", f.Message)
		}
	}
}
