package odata

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Paging limits of Graph's directory collections.
const (
	DefaultTop = 100
	MaxTop     = 999
)

// Query is a collection request's parsed query options.
type Query struct {
	Filter  Node     // nil: no filter
	Select  []string // canonical property names; nil: every property
	Top     int
	Skip    int // position in the result, from $skiptoken
	Count   bool
	OrderBy string // "" or a canonical property name
	Desc    bool
	Search  *Search // nil: no $search
}

// navigation are the navigation properties Graph can $expand on the directory types the mock
// serves; the mock keeps none of them, so it refuses to expand them (FIDELITY.md).
var navigation = []string{"owners", "createdOnBehalfOf", "extensionProperties", "federatedIdentityCredentials", "homeRealmDiscoveryPolicies",
	"tokenIssuancePolicies", "tokenLifetimePolicies", "appRoleAssignedTo", "appRoleAssignments", "claimsMappingPolicies", "delegatedPermissionClassifications",
	"endpoints", "memberOf", "oauth2PermissionGrants", "ownedObjects", "transitiveMemberOf"}

// skipPrefix marks the mock's page tokens so a foreign token is recognized as invalid.
const skipPrefix = "mockgraph-page:"

// SkipToken encodes a result position as an opaque $skiptoken.
func SkipToken(pos int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(skipPrefix + strconv.Itoa(pos)))
}

func parseSkipToken(tok string) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(raw), skipPrefix) {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(raw), skipPrefix))
	return n, err == nil && n >= 0
}

// ParseSelect parses $select against the schema.
func (s *Schema) ParseSelect(v string) ([]string, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var out []string
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		name, ok := s.canonical(p)
		if !ok {
			return nil, unknownProperty(p, s.Entity)
		}
		out = append(out, name)
	}
	return out, nil
}

func (s *Schema) canonical(prop string) (string, bool) {
	for _, n := range s.All {
		if strings.EqualFold(n, prop) {
			return n, true
		}
	}
	return "", false
}

// ParseQuery parses a collection request's options. eventual says whether the request carried
// `ConsistencyLevel: eventual`, without which Graph refuses $count on directory objects.
// orderable lists the properties $orderby may name.
func (s *Schema) ParseQuery(v url.Values, eventual bool, orderable ...string) (*Query, error) {
	q := &Query{Top: DefaultTop}
	var err error
	if _, ok := v["$skip"]; ok {
		// Directory collections page only by $skiptoken.
		return nil, &Error{Code: CodeRequestBad, Message: "'$skip' is not supported by the service."}
	}
	if e, ok := v["$expand"]; ok {
		prop, _, _ := strings.Cut(strings.TrimSpace(e[0]), "(")
		prop, _, _ = strings.Cut(prop, ",")
		if !containsFold(navigation, strings.TrimSpace(prop)) {
			return nil, unknownProperty(strings.TrimSpace(prop), s.Entity)
		}
		return nil, &Error{Code: CodeRequestBad, Message: fmt.Sprintf("Expanding '%s' is not supported by this mock (FIDELITY.md).", strings.TrimSpace(prop))}
	}
	if sr, ok := v["$search"]; ok {
		if !eventual {
			return nil, &Error{Code: CodeUnsupportedQuery, Message: "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"}
		}
		if q.Search, err = s.ParseSearch(sr[0]); err != nil {
			return nil, err
		}
	}
	if f := v.Get("$filter"); strings.TrimSpace(f) != "" {
		n, err := ParseFilter(f)
		if err != nil {
			return nil, err
		}
		if q.Filter, err = s.Check(n); err != nil {
			return nil, err
		}
	}
	if q.Select, err = s.ParseSelect(v.Get("$select")); err != nil {
		return nil, err
	}
	if t, ok := v["$top"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(t[0]))
		if err != nil || n < 1 || n > MaxTop {
			return nil, &Error{Code: CodeRequestBad, Message: fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and %d inclusive.", t[0], MaxTop)}
		}
		q.Top = n
	}
	if tok, ok := v["$skiptoken"]; ok {
		if q.Skip, ok = parseSkipToken(tok[0]); !ok {
			return nil, &Error{Code: CodeRequestBad, Message: "The specified page token value has expired and can no longer be included in your request."}
		}
	}
	if c, ok := v["$count"]; ok {
		switch strings.ToLower(c[0]) {
		case "true":
			q.Count = true
		case "false":
		default:
			return nil, &Error{Code: CodeBadRequest, Message: fmt.Sprintf("Invalid value '%s' for $count query option found. Valid values are 'true' and 'false'.", c[0])}
		}
		if q.Count && !eventual {
			return nil, &Error{Code: CodeRequestBad, Message: "$count is not currently supported."}
		}
	}
	if op := advancedOperator(q.Filter); op != "" && !(eventual && q.Count) {
		return nil, &Error{Code: CodeUnsupportedQuery, Message: fmt.Sprintf("Operator '%s' is not supported because the required parameters might be missing. "+
			"Try adding $count with a value of true and set the ConsistencyLevel header to eventual.", op)}
	}
	if o := strings.TrimSpace(v.Get("$orderby")); o != "" {
		prop, dir, _ := strings.Cut(o, " ")
		dir = strings.ToLower(strings.TrimSpace(dir))
		name, ok := s.canonical(prop)
		if !ok {
			return nil, unknownProperty(prop, s.Entity)
		}
		if !slices.Contains(orderable, name) || (dir != "" && dir != "asc" && dir != "desc") {
			return nil, &Error{Code: CodeUnsupportedQuery, Message: "Sorting not supported for current query."}
		}
		q.OrderBy, q.Desc = name, dir == "desc"
	}
	return q, nil
}

// advancedOperator names the first operator in a filter that Graph serves only as an advanced
// query (ConsistencyLevel: eventual and $count=true; concepts/aad-advanced-queries.md), or "".
func advancedOperator(n Node) string {
	switch n := n.(type) {
	case Logical:
		if op := advancedOperator(n.Left); op != "" {
			return op
		}
		return advancedOperator(n.Right)
	case Not:
		return "not"
	case Compare:
		if n.Op == "ne" {
			return "ne"
		}
	case Func:
		if n.Name == "endswith" {
			return "endsWith"
		}
	case Lambda:
		return advancedOperator(n.Pred)
	}
	return ""
}
