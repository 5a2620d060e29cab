package auth

import "strings"

// appPlaceholder in a fix is replaced by the app's client id when it is known.
const appPlaceholder = "{app}"

// advice is what to say about an AADSTS code: the problem, and the command that fixes it if one
// does.
type advice struct {
	problem string
	fix     string
}

// hints maps Entra's AADSTS codes (FACTS.md, reference-error-codes.md) to advice. It is the one
// place token get, verify and doctor take their advice from.
var hints = map[int]advice{
	// Device code, password and browser sign-in are public-client flows: they never send a secret,
	// so passing one does not help; allowing public client flows does (TestConfidentialPasswordHintWorks).
	7000218: {"the app does not allow public client flows, and device code, password and browser sign-in send no secret: allow them", "dicomreg app update --app {app} --public-client"},
	7000215: {"invalid client secret: you may have passed the secret's ID (keyId); pass its value (secretText, shown once), or make a new one", "dicomreg app secret add --app {app}"},
	7000222: {"the client secret has expired", "dicomreg app secret rotate --app {app}"},
	700025:  {"this app is a public client: do not send a secret or certificate (drop --secret/--cert-file)", ""},
	700027:  {"the certificate that signed the assertion is not on the app", "dicomreg app cert upload --app {app} --cert-file FILE"},
	700016:  {"no app with this client id in this tenant: check --client-id and --tenant", "dicomreg app list"},
	90002:   {"tenant not found: check --tenant / AZURE_TENANT_ID", ""},
	50011:   {"the redirect URI is not registered on the app (exact match)", "dicomreg app redirect add --app {app} --platform mobile --uri http://localhost"},
	65001:   {"no consent for the delegated permission", "dicomreg app permission grant --app {app}"},
	650057:  {"the resource is not in the app's API permissions", "dicomreg app permission add --app {app}"},
	70011:   {"malformed scope: use https://dicom.healthcareapis.azure.com/.default (app-only) or https://dicom.healthcareapis.azure.com/Dicom.ReadWrite (delegated)", ""},
	1002012: {"client credentials need a /.default scope: --scope https://dicom.healthcareapis.azure.com/.default", ""},
	500011:  {"the resource is not in this tenant: deploy a DICOM service first (its principal, Azure API for DICOM, appears with it)", ""},
	50126:   {"wrong username or password", ""},
	54005:   {"the authorization code was already redeemed: sign in again", ""},
	501481:  {"the PKCE code_verifier does not match the code_challenge: sign in again", ""},
	700082:  {"the refresh token has expired: sign in again", ""},
	900144:  {"the token request is missing a required parameter", ""},
}

// Hint is the one-line advice for an AADSTS code, its fix command filled in with the app's
// client id (or "<app>"), or "" for a code without advice.
func Hint(code int, clientID string) string {
	a, ok := hints[code]
	if !ok {
		return ""
	}
	if a.fix == "" {
		return a.problem
	}
	return a.problem + ": `" + Fix(code, clientID) + "`"
}

// Fix is the command that fixes an AADSTS code's cause, or "" when no command does.
func Fix(code int, clientID string) string {
	if clientID == "" {
		clientID = "<app>"
	}
	return strings.ReplaceAll(hints[code].fix, appPlaceholder, clientID)
}

// AADSTS codes other packages name.
const (
	CodeConfidentialNoSecret = 7000218
	CodeSecretExpired        = 7000222
	CodeConsentRequired      = 65001
	CodeResourceNotRequested = 650057
)
