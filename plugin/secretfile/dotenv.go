package secretfile

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// Var is one variable of a dotenv file.
type Var struct{ Name, Value string }

// exportPrefix starts each variable line, so that `source file && program` passes it on.
const exportPrefix = "export "

// maxDotenvLine bounds a line ParseDotenv reads.
const maxDotenvLine = 64 << 10

// Dotenv is a dotenv file: each comment as a "# " line, then an `export NAME=value` line per
// variable.
func Dotenv(comments []string, vars []Var) []byte {
	var b bytes.Buffer
	for _, c := range comments {
		b.WriteString("# " + strings.ReplaceAll(c, "\n", " ") + "\n")
	}
	for _, v := range vars {
		fmt.Fprintf(&b, "%s%s=%s\n", exportPrefix, v.Name, shellQuote(v.Value))
	}
	return b.Bytes()
}

// ParseDotenv reads what Dotenv writes, and the common dotenv shapes around it: blank lines,
// "#" comments (returned without the "# "), NAME=value with or without `export `, values bare,
// single-quoted (a quote inside written as quote, backslash, quote, quote) or "double-quoted" (backslash escapes). A line that is
// none of these is an error naming its number.
func ParseDotenv(data []byte) (comments []string, vars []Var, err error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxDotenvLine)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
		case strings.HasPrefix(line, "#"):
			comments = append(comments, strings.TrimSpace(strings.TrimPrefix(line, "#")))
		default:
			v, ok := parseAssignment(strings.TrimPrefix(line, exportPrefix))
			if !ok {
				return nil, nil, fmt.Errorf("line %d is not NAME=value", n)
			}
			vars = append(vars, v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("line %d: %w", n+1, err)
	}
	return comments, vars, nil
}

func parseAssignment(line string) (Var, bool) {
	name, raw, ok := strings.Cut(line, "=")
	name = strings.TrimSpace(name)
	if !ok || !IsName(name) {
		return Var{}, false
	}
	value, ok := unquote(strings.TrimSpace(raw))
	return Var{Name: name, Value: value}, ok
}

// IsName reports whether s is a shell variable name.
func IsName(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// unquote reads a shell word made of bare, '…' and "…" parts.
func unquote(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch s[i] {
		case '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return "", false
			}
			b.WriteString(s[i+1 : i+1+end])
			i += end + 2
		case '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return "", false
			}
			i++
		case '\\':
			if i+1 >= len(s) {
				return "", false
			}
			b.WriteByte(s[i+1])
			i += 2
		case ' ', '\t':
			return "", false // a second word: not one value
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), true
}

// Get is the value of name among vars, "" when absent.
func Get(vars []Var, name string) string {
	for _, v := range vars {
		if v.Name == name {
			return v.Value
		}
	}
	return ""
}

// shellQuote leaves a value bare when a POSIX shell reads it back unchanged (Entra's secrets
// always are), and single-quotes it otherwise.
func shellQuote(v string) string {
	safe := v != "" && v[0] != '~' && strings.IndexFunc(v, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@+=,~%", r))
	}) < 0
	if safe {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// OursFor is the Options.Ours of a dotenv credential file: an existing file may be replaced
// without --force when it parses, every comment is one dicomreg wrote ("dicomreg…"), every variable
// is one the new file writes (names), and it is for the same client (AZURE_CLIENT_ID is clientID).
// Anything else — a user's own line, another app's credentials — needs --force.
func OursFor(clientID string, names ...string) func([]byte) bool {
	return func(existing []byte) bool {
		comments, vars, err := ParseDotenv(existing)
		if err != nil {
			return false
		}
		for _, c := range comments {
			if !strings.HasPrefix(c, "dicomreg") {
				return false
			}
		}
		for _, v := range vars {
			known := false
			for _, n := range names {
				known = known || n == v.Name
			}
			if !known {
				return false
			}
		}
		return len(vars) > 0 && strings.EqualFold(Get(vars, "AZURE_CLIENT_ID"), clientID)
	}
}
