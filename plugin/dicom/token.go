package dicom

import (
	"fmt"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/plugin/auth"
)

// Token checks, by name.
const (
	CheckAudience   = "aud"
	CheckIssuer     = "iss"
	CheckVersion    = "ver"
	CheckTenant     = "tid"
	CheckExpiry     = "exp"
	CheckNotBefore  = "nbf"
	CheckScope      = "scp"
	CheckClientAuth = "appidacr"
	CheckPrincipal  = "oid"
)

// v1Issuer is the issuer of the v1 tokens the DICOM service receives.
const v1IssuerPrefix = "https://sts.windows.net/"

// expirySoon is when an unexpired token earns a warning.
const expirySoon = 5 * time.Minute

// clientAuthMethods explains appidacr (v1) / azpacr (v2).
var clientAuthMethods = map[string]string{
	"0": "public client (no client secret or certificate)",
	"1": "client secret",
	"2": "client certificate",
}

// CheckToken says what a DICOM service will think of the token's claims at now. tenantID, when
// known as a GUID, is the DICOM service's tenant. The signature is not checked.
func CheckToken(t *auth.Token, now time.Time, tenantID string) []Finding {
	var fs []Finding
	add := func(sev Severity, check, msg, fix string) {
		fs = append(fs, Finding{Severity: sev, Check: check, Message: msg, Fix: fix})
	}
	checkAudience(t, add)
	tid := t.String("tid")
	ver := t.String("ver")
	switch ver {
	case "1.0":
		add(OK, CheckVersion, "v1 token, the version Entra ID issues for the DICOM audience", "")
	case "":
		add(Warn, CheckVersion, "no ver claim: not an Entra ID access token?", "")
	default:
		add(Warn, CheckVersion, fmt.Sprintf("ver %q: the DICOM resource's tokens are v1", ver), "")
	}
	iss := t.String("iss")
	switch {
	case tid != "" && iss == v1IssuerPrefix+tid+"/":
		add(OK, CheckIssuer, iss, "")
	case tid != "" && strings.HasSuffix(iss, "/"+tid+"/v2.0"):
		add(Warn, CheckIssuer, fmt.Sprintf("%s is a v2 issuer; the DICOM service expects %s%s/", iss, v1IssuerPrefix, tid), "")
	default:
		add(Error, CheckIssuer, fmt.Sprintf("issuer %q is not Entra ID's v1 issuer for tenant %q", iss, tid),
			"get the token from the tenant's Entra ID: `dicomreg token get`")
	}
	switch {
	case tid == "":
		add(Error, CheckTenant, "no tid claim", "")
	case auth.IsGUID(tenantID) && !strings.EqualFold(tid, tenantID):
		add(Error, CheckTenant, fmt.Sprintf("token is for tenant %s; the DICOM service is in tenant %s", tid, tenantID),
			"get the token from the DICOM service's tenant: `dicomreg token get --tenant "+tenantID+"`")
	default:
		add(OK, CheckTenant, tid, "")
	}
	checkTimes(t, now, add)
	checkScope(t, add, t.String("appid"))
	acr := t.String("appidacr")
	if acr == "" {
		acr = t.String("azpacr")
	}
	if m, ok := clientAuthMethods[acr]; ok {
		add(OK, CheckClientAuth, fmt.Sprintf("%s: %s", acr, m), "")
	} else {
		add(Warn, CheckClientAuth, fmt.Sprintf("unknown client authentication %q", acr), "")
	}
	if oid := t.String("oid"); oid != "" {
		add(OK, CheckPrincipal, fmt.Sprintf("principal %s: the DICOM data role must be assigned to it", oid), "")
	} else {
		add(Error, CheckPrincipal, "no oid claim: no principal to authorize", "")
	}
	return fs
}

func checkAudience(t *auth.Token, add func(Severity, string, string, string)) {
	auds := t.Audiences()
	fix := "request the scope " + AppOnlyScope + " (app-only) or " + DelegatedScope + " (delegated)"
	switch {
	case len(auds) == 1 && auds[0] == Resource:
		add(OK, CheckAudience, Resource, "")
	case len(auds) == 1 && strings.TrimRight(auds[0], "/") == Resource:
		add(Error, CheckAudience, fmt.Sprintf("aud %q has a trailing slash; the DICOM service accepts exactly %q and answers 401", auds[0], Resource), fix)
	case len(auds) == 0:
		add(Error, CheckAudience, "no aud claim", fix)
	default:
		add(Error, CheckAudience, fmt.Sprintf("aud %q is not the DICOM service (%s)", strings.Join(auds, " "), Resource), fix)
	}
}

func checkTimes(t *auth.Token, now time.Time, add func(Severity, string, string, string)) {
	relogin := "get a new token: `dicomreg token get`"
	if exp, ok := t.Unix("exp"); !ok {
		add(Error, CheckExpiry, "no exp claim", "")
	} else {
		at := time.Unix(exp, 0).UTC()
		left := at.Sub(now)
		switch {
		case left <= 0:
			add(Error, CheckExpiry, fmt.Sprintf("expired at %s (%s ago)", at.Format(time.RFC3339), (-left).Round(time.Second)), relogin)
		case left < expirySoon:
			add(Warn, CheckExpiry, fmt.Sprintf("expires at %s (in %s)", at.Format(time.RFC3339), left.Round(time.Second)), relogin)
		default:
			add(OK, CheckExpiry, fmt.Sprintf("expires at %s (in %s)", at.Format(time.RFC3339), left.Round(time.Second)), "")
		}
	}
	if nbf, ok := t.Unix("nbf"); ok {
		at := time.Unix(nbf, 0).UTC()
		if now.Before(at) {
			add(Error, CheckNotBefore, fmt.Sprintf("not valid until %s (in %s): is this clock behind?", at.Format(time.RFC3339), at.Sub(now).Round(time.Second)), "")
		} else {
			add(OK, CheckNotBefore, "valid since "+at.Format(time.RFC3339), "")
		}
	}
}

func checkScope(t *auth.Token, add func(Severity, string, string, string), appID string) {
	if appID == "" {
		appID = "<app>"
	}
	scp, has := t.Claims["scp"].(string)
	if !has {
		add(OK, CheckScope, "no scp: app-only token; the DICOM service authorizes the app by its role assignment", "")
		return
	}
	for _, s := range strings.Fields(scp) {
		if s == ReadWriteScope {
			add(OK, CheckScope, fmt.Sprintf("delegated token with %s", ReadWriteScope), "")
			return
		}
	}
	add(Error, CheckScope, fmt.Sprintf("delegated token without %s (scp %q)", ReadWriteScope, scp),
		fmt.Sprintf("`dicomreg app permission add --app %[1]s`, `dicomreg app permission grant --app %[1]s`, then request scope %[2]s", appID, DelegatedScope))
}
