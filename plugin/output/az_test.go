package output

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// Item 8 of issue 14: az keeps a --query's key order in tsv and table (knack searches with
// OrderedDict); `read name id` must get the name first.
func TestQueryKeepsKeyOrder(t *testing.T) {
	q := "[].{name: displayName, id: appId, public: isFallbackPublicClient}"
	for _, tt := range []struct{ format, want string }{
		{TSV, "viewer\t11111111-1111-1111-1111-111111111111\tFalse\nuploader, batch\t22222222-2222-2222-2222-222222222222\tTrue\n"},
		// "id" is still skipped by az's table (SKIP_KEYS), even when the query names it.
		{Table, "Name             Public\n---------------  ------\nviewer           False\nuploader, batch  True\n"},
	} {
		var b bytes.Buffer
		if err := Write(&b, sample, Options{Format: tt.format, Query: q}); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("-o %s --query %q:\n%q\nwant\n%q", tt.format, q, b.String(), tt.want)
		}
	}
}

func TestQueryKeyOrder(t *testing.T) {
	for q, want := range map[string][]string{
		"[].{name: displayName, id: appId}":                   {"name", "id"},
		"{b: a, a: b}":                                        {"b", "a"},
		`[?displayName=='x,{y}'].{"z z": appId, a: b.{c: d}}`: {"z z", "a"},
		"[0] | {z: appId, y: `{\"q\": 1}`, x: 'a|b'}":         {"z", "y", "x"},
		"[].{a: b} | [0]":                                     nil,
		"[].appId":                                            nil,
		"sort_by([].{b: a, a: b}, &a)":                        nil, // not read through functions: sorted
		"{a: b}.a":                                            nil,
	} {
		if got := queryKeyOrder(q); !slices.Equal(got, want) {
			t.Errorf("queryKeyOrder(%q) = %q, want %q", q, got, want)
		}
	}
}

// `token get -o env` printed EXPIRES_ON twice (expiresOn and expires_on).
func TestEnvOneLinePerName(t *testing.T) {
	var b bytes.Buffer
	tok := map[string]any{"accessToken": "t", "expiresOn": "2026-01-01 00:00:00.000000", "expires_on": 1767225600, "tokenType": "Bearer"}
	if err := Write(&b, tok, Options{Format: Env}); err != nil {
		t.Fatal(err)
	}
	want := "ACCESS_TOKEN=t\nEXPIRES_ON=1767225600\nTOKEN_TYPE=Bearer\n"
	if b.String() != want {
		t.Errorf("env:\n%s\nwant\n%s", b.String(), want)
	}
}

func TestTableShapesAsAz(t *testing.T) {
	for _, tt := range []struct {
		name string
		v    any
		want string
	}{
		{"id, type and etag are skipped; null and nested cells dropped", []map[string]any{
			{"id": "/subscriptions/x/very/long", "type": "t", "name": "a", "scope": nil, "tags": []string{"x"}},
			{"id": "/y", "name": "b", "scope": "/s"}},
			"Name  Scope\n----  -----\na\nb     /s\n"},
		{"list of lists", [][]any{{"a", 1}, {"b", true}}, "Column1  Column2\n-------  -------\na        1\nb        True\n"},
		{"scalars", []string{"x", "y"}, "Result\n------\nx\ny\n"},
		{"empty list", []string{}, "\n"},
	} {
		var b bytes.Buffer
		if err := Write(&b, tt.v, Options{Format: Table}); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if b.String() != tt.want {
			t.Errorf("%s:\n%q\nwant\n%q", tt.name, b.String(), tt.want)
		}
	}
	if err := Write(&bytes.Buffer{}, map[string]any{"findings": []int{1}}, Options{Format: Table}); err == nil {
		t.Error("an object with nothing a table can show: want az's 'Table output unavailable' error")
	}
}

func TestNullQueryResultPrintsNothing(t *testing.T) {
	for _, f := range []string{JSON, TSV, Table, YAML} {
		var b bytes.Buffer
		if err := Write(&b, sample[0], Options{Format: f, Query: "nosuchfield"}); err != nil || b.Len() != 0 {
			t.Errorf("-o %s: %q %v, want nothing", f, b.String(), err)
		}
	}
}

func TestTSVCellsAsAz(t *testing.T) {
	var b bytes.Buffer
	v := []any{map[string]any{"n": nil, "l": []int{1, 2}, "o": map[string]any{"a": 1}, "b": true}, true, nil}
	if err := Write(&b, v, Options{Format: TSV}); err != nil {
		t.Fatal(err)
	}
	if want := "True\t2\tNone\t\ntrue\nNone\n"; b.String() != want {
		t.Errorf("tsv %q, want %q", b.String(), want)
	}
}

func FuzzQueryKeyOrder(f *testing.F) {
	f.Add("[].{name: displayName, id: appId}")
	f.Add(`{"a\"b": x, c: 'd\'e'}`)
	f.Add("[?a=='}'] | {a: `}`}")
	f.Fuzz(func(t *testing.T, q string) {
		keys := queryKeyOrder(q)
		if len(keys) > len(q) {
			t.Fatalf("%d keys from %d bytes", len(keys), len(q))
		}
	})
}

// A command's table view replaces the value for -o table, and only without --query.
func TestTableTransformerOnlyWithoutQuery(t *testing.T) {
	v := map[string]any{"id": "x", "findings": []any{map[string]any{"check": "aud"}}}
	table := []map[string]string{{"check": "aud"}}
	var b bytes.Buffer
	if err := Write(&b, v, Options{Format: Table, Table: table}); err != nil || b.String() != "Check\n-----\naud\n" {
		t.Errorf("table view: %q %v", b.String(), err)
	}
	b.Reset()
	if err := Write(&b, v, Options{Format: JSON, Table: table}); err != nil || !strings.Contains(b.String(), `"findings"`) {
		t.Errorf("json ignores the table view: %q %v", b.String(), err)
	}
	b.Reset()
	if err := Write(&b, v, Options{Format: Table, Table: table, Query: "findings"}); err != nil || b.String() != "Check\n-----\naud\n" {
		t.Errorf("with --query: %q %v", b.String(), err)
	}
}
