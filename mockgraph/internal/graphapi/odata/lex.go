package odata

import (
	"strings"
)

// tokenKind classifies the lexemes of a $filter expression.
type tokenKind int

const (
	tokEOF tokenKind = iota
	tokWord
	tokString
	tokOpen
	tokClose
	tokComma
	tokColon
	tokSlash
)

type token struct {
	kind tokenKind
	text string // a word as written, or a string literal unescaped
	pos  int    // byte offset, for error messages
}

// maxFilterLen bounds the work a single $filter can cause.
const maxFilterLen = 4096

// lex splits a $filter expression into tokens. Words are identifiers, keywords, numbers and bare
// GUIDs; strings are single-quoted and a doubled quote inside stands for one, as OData writes them.
func lex(s string) ([]token, error) {
	if len(s) > maxFilterLen {
		return nil, syntaxErr(0, "the expression is longer than %d characters", maxFilterLen)
	}
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '(':
			out = append(out, token{tokOpen, "(", i})
			i++
		case c == ')':
			out = append(out, token{tokClose, ")", i})
			i++
		case c == ',':
			out = append(out, token{tokComma, ",", i})
			i++
		case c == ':':
			out = append(out, token{tokColon, ":", i})
			i++
		case c == '/':
			out = append(out, token{tokSlash, "/", i})
			i++
		case c == '\'':
			start := i
			var b strings.Builder
			i++
			for {
				if i >= len(s) {
					return nil, syntaxErr(start, "unterminated string literal")
				}
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			out = append(out, token{tokString, b.String(), start})
		case isWordByte(c):
			start := i
			for i < len(s) && isWordByte(s[i]) {
				i++
			}
			out = append(out, token{tokWord, s[start:i], start})
		default:
			return nil, syntaxErr(i, "unexpected character %q", c)
		}
	}
	return append(out, token{tokEOF, "", len(s)}), nil
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '$' || c == '@'
}
