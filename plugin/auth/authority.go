package auth

import (
	"fmt"
	"net/url"
	"strings"
)

// DefaultAuthorityHost is the public cloud's Entra ID host.
const DefaultAuthorityHost = "https://login.microsoftonline.com/"

// microsoftAuthorityHosts are the clouds' Entra ID hosts. Instance discovery knows these; for any
// other host (a private cloud, Azure Stack, the bundled mock) MSAL must be told not to ask
// login.microsoftonline.com about it.
var microsoftAuthorityHosts = map[string]bool{
	"login.microsoftonline.com":        true, // public cloud
	"login.microsoft.com":              true, // public cloud, alias
	"login.windows.net":                true, // public cloud, legacy alias
	"login.microsoftonline.us":         true, // US Government
	"login.chinacloudapi.cn":           true, // Azure operated by 21Vianet
	"login.partner.microsoftonline.cn": true, // 21Vianet, alias
}

// normalizeAuthorityHost checks that raw is an https URL with no path and returns it with a
// trailing slash, the form azidentity's cloud configuration expects.
func normalizeAuthorityHost(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", &ConfigError{Msg: fmt.Sprintf("authority host %q is not a URL; want https://HOST/", raw)}
	}
	if u.Scheme != "https" {
		return "", &ConfigError{Msg: fmt.Sprintf("authority host %q must use https (Entra ID clients refuse http)", raw)}
	}
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", &ConfigError{Msg: fmt.Sprintf("authority host %q must not have a path; want https://HOST/", raw)}
	}
	return "https://" + u.Host + "/", nil
}

// isMicrosoftAuthority reports whether host (a normalized authority host URL) is a Microsoft
// cloud, where instance discovery works.
func isMicrosoftAuthority(host string) bool {
	u, err := url.Parse(host)
	if err != nil {
		return false
	}
	return microsoftAuthorityHosts[strings.ToLower(u.Hostname())]
}
