package conformance

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// form is an HTML form as a browser would submit it.
type form struct {
	Action, Method string
	Fields         []field
}

// field is an input (or a submit button) of a form.
type field struct {
	Name, Type, Value string
}

// parseForms reads the forms of an HTML page with encoding/xml in its lenient HTML mode: enough
// for a sign-in page a program fills in, without a browser.
func parseForms(page io.Reader) ([]form, error) {
	raw, err := io.ReadAll(page)
	if err != nil {
		return nil, err
	}
	d := xml.NewDecoder(strings.NewReader(withoutRawText(string(raw))))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	var forms []form
	var cur *form
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if len(forms) > 0 {
				break // a page's tail can be beyond the lenient parser; its forms are read
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			attr := attrs(t.Attr)
			switch strings.ToLower(t.Name.Local) {
			case "form":
				forms = append(forms, form{Action: attr["action"], Method: strings.ToUpper(attr["method"])})
				cur = &forms[len(forms)-1]
			case "input", "button":
				if cur == nil || attr["name"] == "" {
					continue
				}
				typ := strings.ToLower(attr["type"])
				if typ == "" {
					typ = map[string]string{"input": "text", "button": "submit"}[strings.ToLower(t.Name.Local)]
				}
				cur.Fields = append(cur.Fields, field{Name: attr["name"], Type: typ, Value: attr["value"]})
			}
		case xml.EndElement:
			if strings.EqualFold(t.Name.Local, "form") {
				cur = nil
			}
		}
	}
	return forms, nil
}

// withoutRawText drops script and style elements: their text is not markup, and a "<" in it
// would stop the XML tokenizer.
func withoutRawText(page string) string {
	for _, tag := range []string{"script", "style"} {
		for {
			lower := asciiLower(page)
			start := strings.Index(lower, "<"+tag)
			if start < 0 {
				break
			}
			end := strings.Index(lower[start:], "</"+tag)
			if end < 0 {
				page = page[:start]
				break
			}
			close := strings.IndexByte(lower[start+end:], '>')
			if close < 0 {
				page = page[:start]
				break
			}
			page = page[:start] + page[start+end+close+1:]
		}
	}
	return page
}

// asciiLower lowercases A-Z only, so that indexes into its result are indexes into s
// (strings.ToLower may change the length of invalid UTF-8).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func attrs(in []xml.Attr) map[string]string {
	m := make(map[string]string, len(in))
	for _, a := range in {
		m[strings.ToLower(a.Name.Local)] = a.Value
	}
	return m
}

// hasType reports whether the form has a field of type typ.
func (f form) hasType(typ string) bool {
	for _, fl := range f.Fields {
		if fl.Type == typ {
			return true
		}
	}
	return false
}
