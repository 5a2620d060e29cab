// Package output renders a command's result the way az does: -o json|jsonc|table|tsv|yaml|env|none,
// with a JMESPath --query applied first.
package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/jmespath/go-jmespath"
	"gopkg.in/yaml.v3"
)

// Formats, as az names them (plus env, for `source`-able output).
const (
	JSON  = "json"
	JSONC = "jsonc"
	Table = "table"
	TSV   = "tsv"
	YAML  = "yaml"
	Env   = "env"
	None  = "none"
)

// Formats lists every format, for flag help and completion.
var Formats = []string{JSON, JSONC, Table, TSV, YAML, Env, None}

// Options say how to render.
type Options struct {
	Format string
	Query  string // JMESPath
	Color  bool   // jsonc on a terminal
	// Table is what -o table shows instead of the value when no --query is given: a command's
	// table transformer, as az's (knack format_table uses it only when the query is not active),
	// for results whose useful fields are nested or too long for a column.
	Table any
}

// Error is a bad --output or --query; the CLI maps it to a usage error.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// Validate checks the options before a command does any work, so a typo costs no round trip.
func (o Options) Validate() error {
	if !isFormat(o.Format) {
		return &Error{Msg: fmt.Sprintf("--output %q: use one of %s", o.Format, strings.Join(Formats, ", "))}
	}
	if o.Query != "" {
		if _, err := jmespath.Compile(o.Query); err != nil {
			return &Error{Msg: fmt.Sprintf("--query %q: %v", o.Query, err)}
		}
	}
	return nil
}

func isFormat(f string) bool {
	for _, x := range Formats {
		if f == x {
			return true
		}
	}
	return false
}

// Write renders v (any JSON-marshalable value) to w. A query whose result is null prints
// nothing, in every format, as az does (knack's cli.py prints only a result that is not None).
func Write(w io.Writer, v any, o Options) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if o.Format == Table && o.Query == "" && o.Table != nil {
		v = o.Table
	}
	data, err := normalize(v)
	if err != nil {
		return err
	}
	var order []string
	if o.Query != "" {
		if data, err = jmespath.Search(o.Query, data); err != nil {
			return &Error{Msg: fmt.Sprintf("--query: %v", err)}
		}
		if data == nil {
			return nil
		}
		order = queryKeyOrder(o.Query)
	}
	switch o.Format {
	case None:
		return nil
	case JSON, JSONC:
		return writeJSON(w, data, o.Format == JSONC && o.Color)
	case YAML:
		return writeYAML(w, data)
	case TSV:
		return writeTSV(w, data, order)
	case Env:
		return writeEnv(w, data)
	default:
		return writeTable(w, data, order, o.Query != "")
	}
}

// normalize turns structs into the generic maps and slices JMESPath and the writers walk,
// keeping JSON's field names and numbers.
func normalize(v any) (any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out any
	return out, dec.Decode(&out)
}

func writeJSON(w io.Writer, data any, color bool) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(data); err != nil {
		return err
	}
	if color {
		_, err := w.Write(colorize(b.Bytes()))
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

func writeYAML(w io.Writer, data any) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(yamlValue(data)); err != nil {
		return err
	}
	return enc.Close()
}

// yamlValue makes json.Number print as a number, not a string.
func yamlValue(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = yamlValue(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = yamlValue(e)
		}
		return s
	}
	return v
}

// rows turns a value into records: a list of objects, one object, or scalars.
func rows(data any) []any {
	if list, ok := data.([]any); ok {
		return list
	}
	return []any{data}
}

// sortedKeys returns an object's keys in a stable order: as az, alphabetical.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// orderedKeys is an object's keys in the query's order (order), then any others sorted; with
// no order, all sorted.
func orderedKeys(m map[string]any, order []string) []string {
	if len(order) == 0 {
		return sortedKeys(m)
	}
	keys := make([]string, 0, len(m))
	seen := make(map[string]bool, len(order))
	for _, k := range order {
		if _, ok := m[k]; ok && !seen[k] {
			keys, seen[k] = append(keys, k), true
		}
	}
	for _, k := range sortedKeys(m) {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	return keys
}

// tsvCell renders a value inside a row as az's tsv does (knack _TsvOutput._dump_obj): a list as
// its length, an object as nothing, null as None, booleans as True/False, strings bare.
func tsvCell(v any) string {
	switch x := v.(type) {
	case []any:
		return strconv.Itoa(len(x))
	case map[string]any:
		return ""
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case json.Number:
		return x.String()
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// writeTSV writes one line per record, tab-separated, as az's tsv: an object's values in the
// query's key order (or sorted), a list's items, or the value itself (a boolean in lower case).
func writeTSV(w io.Writer, data any, order []string) error {
	var b strings.Builder
	for _, r := range rows(data) {
		switch x := r.(type) {
		case map[string]any:
			for i, k := range orderedKeys(x, order) {
				if i > 0 {
					b.WriteByte('\t')
				}
				b.WriteString(tsvCell(x[k]))
			}
		case []any:
			for i, e := range x {
				if i > 0 {
					b.WriteByte('\t')
				}
				b.WriteString(tsvCell(e))
			}
		case bool:
			b.WriteString(strconv.FormatBool(x))
		default:
			b.WriteString(tsvCell(x))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func isScalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

// writeEnv writes an object's scalar fields as NAME=value lines. When two fields map to one name
// (az's token answer has expiresOn and expires_on), the one spelled like the variable wins: it is
// the one meant for scripts.
func writeEnv(w io.Writer, data any) error {
	m, ok := data.(map[string]any)
	if !ok {
		return &Error{Msg: "-o env needs an object; use --query to pick one"}
	}
	chosen := map[string]string{}
	var names []string
	for _, k := range sortedKeys(m) {
		if !isScalar(m[k]) {
			continue
		}
		name := envName(k)
		prev, taken := chosen[name]
		if !taken {
			names = append(names, name)
		}
		if !taken || (strings.ToUpper(k) == name && strings.ToUpper(prev) != name) {
			chosen[name] = k
		}
	}
	for _, name := range names {
		if _, err := fmt.Fprintf(w, "%s=%s\n", name, shellQuote(envValue(m[chosen[name]]))); err != nil {
			return err
		}
	}
	return nil
}

// envValue is a scalar as a shell variable holds it: null empty.
func envValue(v any) string {
	if v == nil {
		return ""
	}
	return tsvCell(v)
}

// envName turns appId into APP_ID.
func envName(k string) string {
	var b strings.Builder
	for i, r := range k {
		if r >= 'A' && r <= 'Z' && i > 0 {
			b.WriteByte('_')
		}
		if r == '-' || r == '.' || r == ' ' {
			r = '_'
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}

func shellQuote(v string) string {
	if v != "" && strings.IndexFunc(v, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@+=,", r))
	}) < 0 {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

func compactJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
