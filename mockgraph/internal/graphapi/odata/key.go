package odata

import (
	"fmt"
	"strings"
)

// ParseKey parses an alternate-key segment such as `(appId='…')` or `(uniqueName='…')` into the
// key property and its value; a doubled quote inside the value stands for one.
func ParseKey(seg string) (prop, value string, err error) {
	bad := &Error{Code: CodeBadRequest, Message: fmt.Sprintf("Bad key segment '%s'.", seg)}
	inner, ok := strings.CutPrefix(seg, "(")
	if inner, ok = strings.CutSuffix(inner, ")"); !ok {
		return "", "", bad
	}
	prop, quoted, ok := strings.Cut(inner, "=")
	prop, quoted = strings.TrimSpace(prop), strings.TrimSpace(quoted)
	if !ok || !isIdentifier(prop) || len(quoted) < 2 || quoted[0] != '\'' || quoted[len(quoted)-1] != '\'' {
		return "", "", bad
	}
	body := quoted[1 : len(quoted)-1]
	if strings.Count(body, "'")%2 != 0 || strings.Contains(strings.ReplaceAll(body, "''", ""), "'") {
		return "", "", bad
	}
	return prop, strings.ReplaceAll(body, "''", "'"), nil
}
