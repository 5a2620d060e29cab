package output

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// writeTable prints records as az's table does: a header of capitalised field names, a rule,
// and one line per record; only scalar fields are shown (nested ones need --query).
func writeTable(w io.Writer, data any) error {
	records := rows(data)
	headers := columns(records)
	var cells [][]string
	if len(headers) == 0 {
		headers = []string{"Result"}
		for _, r := range records {
			cells = append(cells, []string{scalar(r)})
		}
	} else {
		for _, r := range records {
			m, _ := r.(map[string]any)
			line := make([]string, len(headers))
			for i, h := range headers {
				line[i] = scalar(m[h])
			}
			cells = append(cells, line)
		}
	}
	titles := make([]string, len(headers))
	widths := make([]int, len(headers))
	for i, h := range headers {
		titles[i] = title(h)
		widths[i] = utf8.RuneCountInString(titles[i])
	}
	for _, line := range cells {
		for i, c := range line {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	if err := writeLine(w, titles, widths); err != nil {
		return err
	}
	rule := make([]string, len(widths))
	for i, n := range widths {
		rule[i] = strings.Repeat("-", n)
	}
	if err := writeLine(w, rule, widths); err != nil {
		return err
	}
	for _, line := range cells {
		if err := writeLine(w, line, widths); err != nil {
			return err
		}
	}
	return nil
}

func writeLine(w io.Writer, cells []string, widths []int) error {
	parts := make([]string, len(cells))
	for i, c := range cells {
		if i == len(cells)-1 {
			parts[i] = c
		} else {
			parts[i] = c + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
		}
	}
	_, err := fmt.Fprintln(w, strings.TrimRight(strings.Join(parts, "  "), " "))
	return err
}

// title turns appId into AppId, as az's table headers do.
func title(k string) string {
	if k == "" {
		return k
	}
	return strings.ToUpper(k[:1]) + k[1:]
}

// columns are the fields shown for records: every field that is a scalar (or null) in all of
// them, sorted; nested values need --query, as in az.
func columns(records []any) []string {
	present, nested := map[string]bool{}, map[string]bool{}
	for _, r := range records {
		if m, ok := r.(map[string]any); ok {
			for k, v := range m {
				present[k] = true
				if !isScalar(v) {
					nested[k] = true
				}
			}
		}
	}
	var out []string
	for k := range present {
		if !nested[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
