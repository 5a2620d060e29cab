package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tableSkipKeys are the fields az's table never shows (knack _TableOutput.SKIP_KEYS): long ARM
// ids and types belong to json output or to a --query.
var tableSkipKeys = map[string]bool{"id": true, "type": true, "etag": true}

// writeTable prints records as az's table does (knack _TableOutput over tabulate "simple"): per
// record, its scalar, non-null fields except id, type and etag, capitalised; columns in the order
// they first appear; a rule of dashes; values left-aligned. Keys are sorted unless a --query is
// active, when they keep the query's order. A list of lists shows Column1…, a list of scalars Result.
func writeTable(w io.Writer, data any, order []string, queryActive bool) error {
	records := rows(data)
	var headers []string
	index := map[string]int{}
	var cells []map[string]string
	for _, r := range records {
		line := map[string]string{}
		add := func(h, v string) {
			if _, ok := index[h]; !ok {
				index[h] = len(headers)
				headers = append(headers, h)
			}
			line[h] = v
		}
		switch x := r.(type) {
		case map[string]any:
			keys := sortedKeys(x)
			if queryActive {
				keys = orderedKeys(x, order)
			}
			for _, k := range keys {
				if tableSkipKeys[k] || x[k] == nil || !isScalar(x[k]) {
					continue
				}
				add(title(k), tsvCell(x[k]))
			}
		case []any:
			for i, e := range x {
				add("Column"+strconv.Itoa(i+1), tableCell(e))
			}
		default:
			add("Result", tableCell(x))
		}
		cells = append(cells, line)
	}
	if len(headers) == 0 {
		if len(records) > 0 && !isEmptyList(data) {
			return &Error{Msg: "Table output unavailable. Use the --query option to specify an appropriate query."}
		}
		_, err := fmt.Fprintln(w)
		return err
	}
	widths := make([]int, len(headers))
	for i, h := range headers {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, line := range cells {
		for h, c := range line {
			widths[index[h]] = max(widths[index[h]], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	writeLine(&b, headers, widths)
	rule := make([]string, len(widths))
	for i, n := range widths {
		rule[i] = strings.Repeat("-", n)
	}
	writeLine(&b, rule, widths)
	for _, line := range cells {
		row := make([]string, len(headers))
		for h, c := range line {
			row[index[h]] = c
		}
		writeLine(&b, row, widths)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// tableCell is a value in a list-shaped record: nested values compact JSON, as Python's str
// would show them.
func tableCell(v any) string {
	if isScalar(v) {
		if v == nil {
			return ""
		}
		return tsvCell(v)
	}
	return compactJSON(v)
}

func isEmptyList(data any) bool {
	l, ok := data.([]any)
	return ok && len(l) == 0
}

func writeLine(b *strings.Builder, cells []string, widths []int) {
	parts := make([]string, len(cells))
	for i, c := range cells {
		parts[i] = c + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
	}
	b.WriteString(strings.TrimRight(strings.Join(parts, "  "), " "))
	b.WriteByte('\n')
}

// title turns appId into AppId, as az's table headers do.
func title(k string) string {
	if k == "" {
		return k
	}
	return strings.ToUpper(k[:1]) + k[1:]
}
