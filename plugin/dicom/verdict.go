package dicom

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/plugin/auth"
)

// Findings about the DICOM service's answer itself, and about a token it refused whose claims
// look right.
const (
	CheckProbe     = "probe"
	CheckSignature = "signature"
)

// serviceIDPlaceholder stands in for the DICOM service's ARM id when it is not known.
const serviceIDPlaceholder = "<DICOM service resource id>"

// Explain turns a probe's answer into findings: the answer, then why. tok is the token sent,
// decoded (nil if it could not be); serviceID is the DICOM service's ARM id if known.
func Explain(res *ProbeResult, tok *auth.Token, now time.Time, serviceID string) []Finding {
	answer := describeAnswer(res)
	switch {
	case res.OK():
		return []Finding{{Severity: OK, Check: CheckProbe, Message: "token and DICOM data role accepted: " + answer}}
	case res.Status == 401:
		return explainUnauthorized(res, tok, now, answer)
	case res.Status == 403:
		return []Finding{explainForbidden(tok, serviceID, answer)}
	case res.Status == 404:
		return []Finding{{Severity: Error, Check: CheckProbe, Message: "no DICOM service answers at this URL: " + answer,
			Fix: "check --dicom-url: https://<workspace>-<service>.dicom.azurehealthcareapis.com (the service URL in the portal's Overview)"}}
	}
	return []Finding{{Severity: Error, Check: CheckProbe, Message: "unexpected answer from the DICOM service: " + answer}}
}

// describeAnswer is the request and the service's answer, its own words quoted so that their
// punctuation stays theirs.
func describeAnswer(res *ProbeResult) string {
	answer := fmt.Sprintf("GET %s → %d", res.URL, res.Status)
	if res.Message != "" {
		answer += fmt.Sprintf(" %q", res.Message)
	}
	return answer
}

// serviceSaysExpired reports whether the service's 401 says the token expired: in the body, or
// in the challenge's error_description as ASP.NET's JwtBearer handler writes it ("The token
// expired at '…'"). The service's clock decides, not this machine's.
func serviceSaysExpired(res *ProbeResult) bool {
	words := res.Message
	if res.Challenge != nil {
		words += " " + res.Challenge.Params["error_description"]
	}
	return strings.Contains(strings.ToLower(words), "expired")
}

// explainUnauthorized says which claim the service refused, or that the claims look right and so
// the signature or the tenant must be what it refused.
func explainUnauthorized(res *ProbeResult, tok *auth.Token, now time.Time, answer string) []Finding {
	fs := []Finding{{Severity: Error, Check: CheckProbe, Message: "the DICOM service refused the token: " + answer}}
	if tok == nil {
		return append(fs, Finding{Severity: Error, Check: CheckAudience, Message: "the token is not a JWT",
			Fix: "get a token: `dicomreg token get`"})
	}
	tenant := ""
	if res.Challenge != nil {
		tenant = tenantOf(res.Challenge.AuthorizationURI())
		if want := res.Challenge.ResourceID(); want != "" && want != Resource {
			fs = append(fs, Finding{Severity: Warn, Check: CheckAudience, Message: fmt.Sprintf("the service asks for audience %q", want)})
		}
	}
	wrong := 0
	for _, f := range CheckToken(tok, now, tenant) {
		if f.Severity == Error {
			fs = append(fs, f)
			wrong++
		}
	}
	if serviceSaysExpired(res) && !slices.ContainsFunc(fs, func(f Finding) bool { return f.Check == CheckExpiry }) {
		msg := "the DICOM service says the token has expired"
		if exp, ok := tok.Unix("exp"); ok {
			msg += fmt.Sprintf(" (exp %s; this machine's clock says %s)", time.Unix(exp, 0).UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
		fs = append(fs, Finding{Severity: Error, Check: CheckExpiry, Message: msg, Fix: "get a new token: `dicomreg token get`"})
		wrong++
	}
	if wrong == 0 {
		if tenant == "" {
			tenant = "<tenant of the DICOM service>"
		}
		fs = append(fs, Finding{Severity: Error, Check: CheckSignature,
			Message: "the claims look right, so the service refused the signature: the token was not issued by this tenant's Entra ID (another tenant, another cloud, or forged)",
			Fix:     "get the token from the DICOM service's tenant: dicomreg token get --tenant " + tenant})
	}
	return fs
}

// explainForbidden names the principal that lacks a DICOM data role and the command that gives
// it: an app's service principal by its app id, a signed-in user by object id with its principal
// type (as az role assignment create --assignee-object-id --assignee-principal-type does, since
// dicomreg does not look users up in Graph).
func explainForbidden(tok *auth.Token, serviceID, answer string) Finding {
	if serviceID == "" {
		serviceID = serviceIDPlaceholder
	}
	assignee, who := "--assignee <app id of the caller>", "the caller"
	if tok != nil {
		_, delegated := tok.Claims["scp"]
		switch {
		case delegated && tok.String("oid") != "":
			assignee = "--assignee-object-id " + tok.String("oid") + " --assignee-principal-type User"
			who = "the signed-in user " + firstNonEmpty(tok.String("upn"), tok.String("unique_name"), tok.String("oid"))
		case tok.String("appid") != "":
			assignee, who = "--assignee "+tok.String("appid"), "the app "+tok.String("appid")
		case tok.String("oid") != "":
			assignee, who = "--assignee-object-id "+tok.String("oid")+" --assignee-principal-type ServicePrincipal", "principal "+tok.String("oid")
		}
	}
	return Finding{Severity: Error, Check: CheckRole,
		Message: "the token is valid but " + who + " has no DICOM data role on this DICOM service yet: " + answer + ". " +
			fmt.Sprintf("A role assigned in the last %s may not have reached it: Azure RBAC takes up to %s and the DICOM service caches decisions for up to %s (`dicomreg doctor` shows when the role was assigned)",
				RoleSettles, RBACPropagation, DICOMCache),
		Fix: fmt.Sprintf("dicomreg role assign %s --role owner --dicom-service %s", assignee, serviceID)}
}

// tenantOf is the tenant in an authority URI (https://login.microsoftonline.com/{tenant}).
func tenantOf(authorityURI string) string {
	u, err := url.Parse(authorityURI)
	if err != nil {
		return ""
	}
	seg := strings.Split(strings.Trim(u.Path, "/"), "/")
	return seg[0]
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
