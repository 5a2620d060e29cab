package output

import (
	"encoding/json"
	"strings"
)

// queryKeyOrder is the key order of the objects a --query builds, when its result is shaped by a
// multiselect hash at the end of its last pipe stage ("[].{name: displayName, id: appId}"):
// az (knack's query.py) searches with OrderedDict, so tsv and table keep the query's order. go-jmespath
// returns plain maps, and its AST is not exported, so the order is read from the expression
// itself. nil when the query does not end in a multiselect hash (writers then sort, as az does for
// plain objects). The expression has already compiled, so only its bracket structure matters.
func queryKeyOrder(query string) []string {
	toks := scanQuery(query)
	// The result is the last stage of a pipe at depth 0.
	for i := len(toks) - 1; i >= 0; i-- {
		if toks[i].depth == 0 && toks[i].text == "|" {
			toks = toks[i+1:]
			break
		}
	}
	if len(toks) == 0 || toks[len(toks)-1].text != "}" || toks[len(toks)-1].depth != 0 {
		return nil
	}
	open := -1
	for i := len(toks) - 2; i >= 0; i-- {
		if toks[i].depth == 0 && toks[i].text == "{" {
			open = i
			break
		}
	}
	if open < 0 || (open > 0 && toks[open-1].text != "." && toks[open-1].text != "||" && toks[open-1].text != "&&") {
		return nil
	}
	var keys []string
	expectKey := true
	for _, t := range toks[open+1 : len(toks)-1] {
		switch {
		case t.depth != 1:
		case t.text == ",":
			expectKey = true
		case expectKey:
			keys = append(keys, t.identifier())
			expectKey = false
		}
	}
	return keys
}

// queryToken is one token of a JMESPath expression and the nesting depth of ({[ it sits in.
type queryToken struct {
	text  string
	depth int
}

// identifier is the name a key token stands for: bare, or a JSON-quoted identifier.
func (t queryToken) identifier() string {
	if strings.HasPrefix(t.text, `"`) {
		var s string
		if json.Unmarshal([]byte(t.text), &s) == nil {
			return s
		}
	}
	return t.text
}

// scanQuery splits an expression into brackets, separators, quoted tokens ("…", '…', `…`, kept
// whole with their escapes) and runs of other characters. Depth counts open brackets; a closing
// bracket carries the depth of its opening one.
func scanQuery(q string) []queryToken {
	var toks []queryToken
	depth := 0
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for j < len(q) && q[j] != c {
				if q[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(q))
			toks = append(toks, queryToken{q[i:j], depth})
			i = j
		case c == '{' || c == '[' || c == '(':
			toks = append(toks, queryToken{string(c), depth})
			depth++
			i++
		case c == '}' || c == ']' || c == ')':
			depth = max(depth-1, 0)
			toks = append(toks, queryToken{string(c), depth})
			i++
		case c == '|' || c == '&':
			if i+1 < len(q) && q[i+1] == c {
				toks = append(toks, queryToken{q[i : i+2], depth})
				i += 2
			} else {
				toks = append(toks, queryToken{string(c), depth})
				i++
			}
		case strings.IndexByte(".,:", c) >= 0:
			toks = append(toks, queryToken{string(c), depth})
			i++
		default:
			j := i
			for j < len(q) && strings.IndexByte(" \t\n\r\"'`{}[]()|&.,:", q[j]) < 0 {
				j++
			}
			toks = append(toks, queryToken{q[i:j], depth})
			i = j
		}
	}
	return toks
}
