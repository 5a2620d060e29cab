package odata

import (
	"fmt"
	"strings"
	"unicode"
)

// Search is a parsed $search: clauses "property:term" joined by AND or OR (left to right, AND
// binding tighter, as Graph documents for directory objects; concepts/search-query-parameter.md).
type Search struct {
	Any [][]searchClause // OR of ANDs
}

type searchClause struct{ prop, term string }

// searchable are the properties Graph tokenizes for $search on directory objects
// (aad-advanced-queries.md: displayName and description).
var searchable = []string{"displayName", "description"}

const maxSearchLen = 1024

// ParseSearch reads `"displayName:wa" OR "description:dicom"`. Each clause must be quoted and
// name a searchable property of the schema.
func (s *Schema) ParseSearch(raw string) (*Search, error) {
	raw = strings.TrimSpace(raw)
	bad := &Error{Code: CodeRequestBad, Message: fmt.Sprintf("Invalid search query '%s'. Search clauses must be of the form \"property:value\".", truncate(raw))}
	if raw == "" || len(raw) > maxSearchLen {
		return nil, bad
	}
	out := &Search{Any: [][]searchClause{nil}}
	for rest := raw; rest != ""; {
		if rest[0] != '"' {
			return nil, bad
		}
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return nil, bad
		}
		prop, term, ok := strings.Cut(rest[1:1+end], ":")
		prop = strings.TrimSpace(prop)
		name, known := s.canonical(prop)
		if !ok || !known {
			return nil, bad
		}
		if !containsFold(searchable, name) || !s.known(name) {
			return nil, &Error{Code: CodeUnsupportedQuery, Message: fmt.Sprintf("Search on property '%s' is not supported.", prop)}
		}
		last := len(out.Any) - 1
		out.Any[last] = append(out.Any[last], searchClause{prop: name, term: strings.ToLower(strings.TrimSpace(term))})
		rest = strings.TrimSpace(rest[2+end:])
		if rest == "" {
			break
		}
		op, after, _ := strings.Cut(rest, " ")
		switch op {
		case "AND":
		case "OR":
			out.Any = append(out.Any, nil)
		default:
			return nil, bad
		}
		rest = strings.TrimSpace(after)
		if rest == "" {
			return nil, bad
		}
	}
	return out, nil
}

func truncate(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// Match reports whether the object's searchable properties match: a clause matches when one of
// the property's tokens starts with the term's tokens in order (Graph splits on spaces,
// punctuation and lower-to-upper case changes, and compares without case).
func (q *Search) Match(get Getter) bool {
	for _, all := range q.Any {
		ok := len(all) > 0
		for _, c := range all {
			v, _ := str(get(c.prop))
			ok = ok && tokensMatch(tokenize(v), tokenize(c.term))
		}
		if ok {
			return true
		}
	}
	return false
}

func tokensMatch(have, want []string) bool {
	if len(want) == 0 {
		return true
	}
	for i := range have {
		if i+len(want) > len(have) {
			return false
		}
		ok := true
		for j, w := range want {
			// every term token but the last must match a whole token; the last is a prefix
			if (j < len(want)-1 && have[i+j] != w) || !strings.HasPrefix(have[i+j], w) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// tokenize splits a value as Graph's directory search does: at anything that is not a letter or
// digit, and where a lower-case letter is followed by an upper-case one; tokens are lower case.
func tokenize(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	var prev rune
	for _, r := range s {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
		prev = r
	}
	flush()
	return out
}
