package odata

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

var testSchema = &Schema{
	Entity: "servicePrincipal",
	Props: map[string]Kind{"id": KindString, "appId": KindString, "displayName": KindString, "accountEnabled": KindBool,
		"servicePrincipalNames": KindStrings, "uniqueName": KindNullString},
	All: []string{"id", "appId", "displayName", "accountEnabled", "servicePrincipalNames", "uniqueName", "createdDateTime"},
}

func TestParseFilter(t *testing.T) {
	tests := []struct {
		in   string
		want Node
	}{
		{"appId eq 'abc'", Compare{Prop: "appId", Op: "eq", Value: Literal{Kind: LitString, Text: "abc"}}},
		{"displayName eq 'O''Brien'", Compare{Prop: "displayName", Op: "eq", Value: Literal{Kind: LitString, Text: "O'Brien"}}},
		{"id ne 75e725bf-66ce-4cea-9b9a-5c4caae57f33", Compare{Prop: "id", Op: "ne", Value: Literal{Kind: LitGUID, Text: "75e725bf-66ce-4cea-9b9a-5c4caae57f33"}}},
		{"accountEnabled eq true", Compare{Prop: "accountEnabled", Op: "eq", Value: Literal{Kind: LitBool, Bool: true, Text: "true"}}},
		{"uniqueName eq null", Compare{Prop: "uniqueName", Op: "eq", Value: Literal{Kind: LitNull, Text: "null"}}},
		{"startswith(displayName,'dic')", Func{Name: "startswith", Prop: "displayName", Arg: Literal{Kind: LitString, Text: "dic"}}},
		{"STARTSWITH(displayName, 'x')", Func{Name: "startswith", Prop: "displayName", Arg: Literal{Kind: LitString, Text: "x"}}},
		{"servicePrincipalNames/any(c:c eq 'https://x/')", Lambda{Op: "any", Prop: "servicePrincipalNames", Var: "c",
			Pred: Compare{Prop: "c", Op: "eq", Value: Literal{Kind: LitString, Text: "https://x/"}}}},
		{"appId in ('a', 'b')", In{Prop: "appId", Values: []Literal{{Kind: LitString, Text: "a"}, {Kind: LitString, Text: "b"}}}},
		{"not (appId eq 'a') and displayName eq 'b' or id eq 'c'", Logical{Op: "or",
			Left: Logical{Op: "and",
				Left:  Not{X: Compare{Prop: "appId", Op: "eq", Value: Literal{Kind: LitString, Text: "a"}}},
				Right: Compare{Prop: "displayName", Op: "eq", Value: Literal{Kind: LitString, Text: "b"}}},
			Right: Compare{Prop: "id", Op: "eq", Value: Literal{Kind: LitString, Text: "c"}}}},
		{"web/homePageUrl eq 'x'", Compare{Prop: "web/homePageUrl", Op: "eq", Value: Literal{Kind: LitString, Text: "x"}}},
	}
	for _, tt := range tests {
		got, err := ParseFilter(tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q:\n got %#v\nwant %#v", tt.in, got, tt.want)
		}
	}
}

func TestParseFilterErrors(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"", "expected a property"},
		{"appId eq", "expected a literal"},
		{"appId eq 'abc", "unterminated string"},
		{"appId eq 'a' and", "expected a property"},
		{"appId has 'a'", "unknown operator"},
		{"(appId eq 'a'", "expected ')'"},
		{"appId eq 'a')", "unexpected ')'"},
		{"appId eq 'a' 'b'", "unexpected 'b'"},
		{"appId in ('a' 'b')", "expected ',' or ')'"},
		{"appId in 'a'", "expected '('"},
		{"startswith(displayName 'a')", "expected ','"},
		{"names/some(c:c eq 'a')", "expected any or all"},
		{"names/any(c c eq 'a')", "expected ':'"},
		{"appId eq #", "unexpected character"},
		{"1abc eq 'a'", "not a property name"},
		{strings.Repeat("(", 40) + "id eq 'a'" + strings.Repeat(")", 40), "nests deeper"},
		{"id eq '" + strings.Repeat("a", maxFilterLen) + "'", "longer than"},
	}
	for _, tt := range tests {
		_, err := ParseFilter(tt.in)
		var qe *Error
		if !errors.As(err, &qe) || qe.Code != CodeBadRequest || !strings.Contains(qe.Message, tt.msg) {
			t.Errorf("%q: error %v, want BadRequest containing %q", tt.in, err, tt.msg)
		}
	}
}

func TestCheck(t *testing.T) {
	tests := []struct{ in, code, msg string }{
		{"appid EQ 'a'", "", ""},
		{"servicePrincipalNames/any(x:startswith(x,'https://'))", "", ""},
		{"color eq 'red'", CodeRequestBad, "Could not find a property named 'color' on type 'microsoft.graph.servicePrincipal'."},
		{"createdDateTime eq 'x'", CodeUnsupportedQuery, "property 'createdDateTime' of resource 'ServicePrincipal'"},
		{"appId gt 'a'", CodeUnsupportedQuery, "property 'appId'"},
		{"accountEnabled eq 'yes'", CodeUnsupportedQuery, "property 'accountEnabled'"},
		{"appId eq true", CodeUnsupportedQuery, "property 'appId'"},
		{"servicePrincipalNames eq 'a'", CodeUnsupportedQuery, "property 'servicePrincipalNames'"},
		{"servicePrincipalNames/all(c:c eq 'a')", CodeUnsupportedQuery, "property 'servicePrincipalNames'"},
		{"displayName/any(c:c eq 'a')", CodeUnsupportedQuery, "property 'displayName'"},
		{"servicePrincipalNames/any(c:d eq 'a')", CodeRequestBad, "property named 'd'"},
		{"startswith(accountEnabled,'a')", CodeUnsupportedQuery, "property 'accountEnabled'"},
		{"uniqueName in ('a', null)", "", ""},
	}
	for _, tt := range tests {
		n, err := ParseFilter(tt.in)
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		_, err = testSchema.Check(n)
		if tt.code == "" {
			if err != nil {
				t.Errorf("%q: %v", tt.in, err)
			}
			continue
		}
		var qe *Error
		if !errors.As(err, &qe) || qe.Code != tt.code || !strings.Contains(qe.Message, tt.msg) {
			t.Errorf("%q: error %v, want %s containing %q", tt.in, err, tt.code, tt.msg)
		}
	}
}

func TestMatch(t *testing.T) {
	name := "Unique"
	obj := map[string]any{"id": "1", "appId": "AbC", "displayName": "Dicom Viewer", "accountEnabled": true,
		"servicePrincipalNames": []string{"AbC", "https://x"}, "uniqueName": &name}
	var noName *string
	nullObj := map[string]any{"uniqueName": noName}
	get := func(o map[string]any) Getter { return func(p string) any { return o[p] } }
	tests := []struct {
		filter string
		obj    map[string]any
		want   bool
	}{
		{"appId eq 'abc'", obj, true},
		{"appId ne 'abc'", obj, false},
		{"appId eq 'abd'", obj, false},
		{"startswith(displayName,'dicom')", obj, true},
		{"endswith(displayName,'VIEWER')", obj, true},
		{"startswith(displayName,'viewer')", obj, false},
		{"accountEnabled eq true", obj, true},
		{"accountEnabled eq false", obj, false},
		{"servicePrincipalNames/any(c:c eq 'HTTPS://X')", obj, true},
		{"servicePrincipalNames/any(c:c eq 'https://y')", obj, false},
		{"servicePrincipalNames/any(c:startswith(c,'https'))", obj, true},
		{"appId in ('x', 'abc')", obj, true},
		{"appId in ('x', 'y')", obj, false},
		{"not (appId eq 'abc')", obj, false},
		{"appId eq 'x' or displayName eq 'dicom viewer'", obj, true},
		{"appId eq 'abc' and displayName eq 'x'", obj, false},
		{"uniqueName eq null", obj, false},
		{"uniqueName eq null", nullObj, true},
		{"uniqueName ne null", nullObj, false},
		{"uniqueName eq 'unique'", obj, true},
	}
	for _, tt := range tests {
		n, err := ParseFilter(tt.filter)
		if err == nil {
			n, err = testSchema.Check(n)
		}
		if err != nil {
			t.Fatalf("%q: %v", tt.filter, err)
		}
		if got := Match(n, get(tt.obj)); got != tt.want {
			t.Errorf("%q on %v = %v, want %v", tt.filter, tt.obj["appId"], got, tt.want)
		}
	}
}

func TestEqualityKey(t *testing.T) {
	tests := []struct {
		filter, prop, want string
		ok                 bool
	}{
		{"appId eq 'a'", "appId", "a", true},
		{"displayName eq 'x' and appId eq 'a'", "appId", "a", true},
		{"appId eq 'a' or displayName eq 'x'", "appId", "", false},
		{"appId ne 'a'", "appId", "", false},
		{"not (appId eq 'a')", "appId", "", false},
		{"servicePrincipalNames/any(c:c eq 'u')", "servicePrincipalNames", "u", true},
		{"servicePrincipalNames/any(c:startswith(c,'u'))", "servicePrincipalNames", "", false},
		{"id eq 'a'", "appId", "", false},
	}
	for _, tt := range tests {
		n, err := ParseFilter(tt.filter)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := EqualityKey(n, tt.prop)
		if got != tt.want || ok != tt.ok {
			t.Errorf("EqualityKey(%q, %s) = %q, %v; want %q, %v", tt.filter, tt.prop, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		in, prop, value string
		ok              bool
	}{
		{"(appId='abc')", "appId", "abc", true},
		{"(uniqueName='it''s')", "uniqueName", "it's", true},
		{"(uniqueName='')", "uniqueName", "", true},
		{"(appId=abc)", "", "", false},
		{"(appId='a'b')", "", "", false},
		{"appId='a'", "", "", false},
		{"('a')", "", "", false},
		{"()", "", "", false},
		{"(appId='a'", "", "", false},
	}
	for _, tt := range tests {
		prop, value, err := ParseKey(tt.in)
		if (err == nil) != tt.ok || prop != tt.prop || value != tt.value {
			t.Errorf("ParseKey(%q) = %q, %q, %v", tt.in, prop, value, err)
		}
	}
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		query    string
		eventual bool
		code     string
		msg      string
		check    func(*Query) bool
	}{
		{"", false, "", "", func(q *Query) bool { return q.Top == DefaultTop && q.Filter == nil && q.Select == nil }},
		{"$top=999&$select=ID,displayName", false, "", "", func(q *Query) bool {
			return q.Top == 999 && reflect.DeepEqual(q.Select, []string{"id", "displayName"})
		}},
		{"$skiptoken=" + SkipToken(250), false, "", "", func(q *Query) bool { return q.Skip == 250 }},
		{"$count=true", true, "", "", func(q *Query) bool { return q.Count }},
		{"$orderby=displayName desc", false, "", "", func(q *Query) bool { return q.OrderBy == "displayName" && q.Desc }},
		{"$top=0", false, CodeRequestBad, "Invalid page size specified: '0'", nil},
		{"$top=1000", false, CodeRequestBad, "Must be between 1 and 999", nil},
		{"$top=x", false, CodeRequestBad, "Invalid page size", nil},
		{"$select=id,nope", false, CodeRequestBad, "Could not find a property named 'nope'", nil},
		{"$count=true", false, CodeRequestBad, "$count is not currently supported.", nil},
		{"$count=maybe", true, CodeBadRequest, "Invalid value 'maybe' for $count", nil},
		{"$skiptoken=garbage", false, CodeRequestBad, "page token", nil},
		{"$orderby=appId", false, CodeUnsupportedQuery, "Sorting not supported", nil},
		{"$orderby=displayName sideways", false, CodeUnsupportedQuery, "Sorting not supported", nil},
		{"$filter=appId eq", false, CodeBadRequest, "Invalid filter clause", nil},
		{"$filter=color eq 'x'", false, CodeRequestBad, "Could not find a property named 'color'", nil},
		{"$filter=appId ne 'x'", false, CodeUnsupportedQuery, "Operator 'ne' is not supported", nil},
		{"$filter=appId ne 'x'&$count=true", false, CodeRequestBad, "$count is not currently supported.", nil},
		{"$filter=appId eq 'x' and not (id eq 'y')", true, CodeUnsupportedQuery, "Operator 'not' is not supported", nil},
		{"$filter=servicePrincipalNames/any(c:endswith(c,'x'))", true, CodeUnsupportedQuery, "Operator 'endsWith' is not supported", nil},
		{"$filter=not (appId ne 'x')&$count=true", true, "", "", func(q *Query) bool { return q.Filter != nil && q.Count }},
	}
	for _, tt := range tests {
		v, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		q, err := testSchema.ParseQuery(v, tt.eventual, "displayName")
		if tt.code == "" {
			if err != nil || !tt.check(q) {
				t.Errorf("%q: %+v, %v", tt.query, q, err)
			}
			continue
		}
		var qe *Error
		if !errors.As(err, &qe) || qe.Code != tt.code || !strings.Contains(qe.Message, tt.msg) {
			t.Errorf("%q: error %v, want %s containing %q", tt.query, err, tt.code, tt.msg)
		}
	}
}
