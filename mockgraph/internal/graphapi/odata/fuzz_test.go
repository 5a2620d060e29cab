package odata

import (
	"testing"
)

// FuzzParseFilter: any input either parses (and then checks and evaluates without panicking)
// or fails with a Graph query error.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"appId eq 'abc'", "displayName eq 'O''Brien'", "startswith(displayName,'dic')",
		"servicePrincipalNames/any(c:c eq 'https://dicom.healthcareapis.azure.com')",
		"appId in ('a','b') and not (accountEnabled eq false) or uniqueName eq null",
		"id eq 75e725bf-66ce-4cea-9b9a-5c4caae57f33", "((((id eq 'a'))))", "a/b/any(x:x/y eq 1)", "'", "(", "eq",
	} {
		f.Add(s)
	}
	obj := map[string]any{"id": "1", "appId": "a", "displayName": "d", "accountEnabled": true, "servicePrincipalNames": []string{"a"}}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseFilter(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		checked, err := testSchema.Check(n)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("check error of type %T: %v", err, err)
			}
			return
		}
		Match(checked, func(p string) any { return obj[p] })
		EqualityKey(checked, "appId")
	})
}

// FuzzParseKey: alternate-key segments never panic, and a parsed key round-trips.
func FuzzParseKey(f *testing.F) {
	for _, s := range []string{"(appId='abc')", "(uniqueName='it''s')", "()", "(a=')", "(a='''')"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		prop, value, err := ParseKey(s)
		if err != nil {
			return
		}
		if prop == "" {
			t.Fatalf("%q parsed with an empty property", s)
		}
		again := "(" + prop + "='" + escape(value) + "')"
		p2, v2, err := ParseKey(again)
		if err != nil || p2 != prop || v2 != value {
			t.Fatalf("%q: round trip through %q gave %q %q %v", s, again, p2, v2, err)
		}
	})
}

func escape(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// FuzzParseSearch: any $search either parses and matches without panicking or fails with a
// Graph query error; date filters too.
func FuzzParseSearch(f *testing.F) {
	for _, s := range []string{`"displayName:dic"`, `"displayName:a" OR "displayName:b" AND "displayName:c"`, `"`, `"displayName"`, `x`,
		`"displayName:" AND`, "createdDateTime ge 2026-01-02T03:04:05Z", "createdDateTime le 2026-01-02", "createdDateTime eq 2026-01-02T"} {
		f.Add(s)
	}
	obj := map[string]any{"displayName": "DICOM viewerApp"}
	f.Fuzz(func(t *testing.T, s string) {
		if q, err := testSchema.ParseSearch(s); err == nil {
			q.Match(func(p string) any { return obj[p] })
		} else if _, ok := err.(*Error); !ok {
			t.Fatalf("error of type %T: %v", err, err)
		}
		if n, err := ParseFilter(s); err == nil {
			if c, err := testSchema.Check(n); err == nil {
				Match(c, func(p string) any { return obj[p] })
			}
		} else if _, ok := err.(*Error); !ok {
			t.Fatalf("filter error of type %T: %v", err, err)
		}
	})
}
