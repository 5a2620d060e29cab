package dicom

import (
	"fmt"
	"net/url"
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
	answer := fmt.Sprintf("GET %s → %d", res.URL, res.Status)
	if res.Message != "" {
		answer += ": " + res.Message
	}
	switch {
	case res.OK():
		return []Finding{{Severity: OK, Check: CheckProbe, Message: answer + ": token and DICOM data role accepted"}}
	case res.Status == 401:
		return explainUnauthorized(res, tok, now, answer)
	case res.Status == 403:
		return []Finding{explainForbidden(tok, serviceID, answer)}
	case res.Status == 404:
		return []Finding{{Severity: Error, Check: CheckProbe, Message: answer + ": no DICOM service answers at this URL",
			Fix: "check --dicom-url: https://<workspace>-<service>.dicom.azurehealthcareapis.com (the service URL in the portal's Overview)"}}
	}
	return []Finding{{Severity: Error, Check: CheckProbe, Message: answer + ": unexpected answer from the DICOM service"}}
}

// explainUnauthorized says which claim the service refused, or that the claims look right and so
// the signature or the tenant must be what it refused.
func explainUnauthorized(res *ProbeResult, tok *auth.Token, now time.Time, answer string) []Finding {
	fs := []Finding{{Severity: Error, Check: CheckProbe, Message: answer + ": the DICOM service refused the token"}}
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

// explainForbidden names the principal that lacks a DICOM data role and the command that gives it.
func explainForbidden(tok *auth.Token, serviceID, answer string) Finding {
	if serviceID == "" {
		serviceID = serviceIDPlaceholder
	}
	assignee, who := "<object id of the caller>", "the caller"
	if tok != nil {
		_, delegated := tok.Claims["scp"]
		switch {
		case delegated && tok.String("oid") != "":
			assignee, who = tok.String("oid"), "the signed-in user "+firstNonEmpty(tok.String("upn"), tok.String("unique_name"), tok.String("oid"))
		case tok.String("appid") != "":
			assignee, who = tok.String("appid"), "the app "+tok.String("appid")
		case tok.String("oid") != "":
			assignee, who = tok.String("oid"), "principal "+tok.String("oid")
		}
	}
	return Finding{Severity: Error, Check: CheckRole,
		Message: answer + ": the token is valid but " + who + " has no DICOM data role on this DICOM service",
		Fix:     fmt.Sprintf("dicomreg role assign --assignee %s --role owner --dicom-service %s", assignee, serviceID)}
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
