package graphapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"

	"github.com/dicomreg/dicomreg/mockgraph/internal/httpx"
)

// jsonNames lists the JSON property names of a struct type, in field order.
func jsonNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// contextURL is an answer's @odata.context: the entity set, the selected properties, and
// /$entity for a single object.
func contextURL(r *http.Request, set string, sel []string, single bool) string {
	u := httpx.BaseURL(r) + httpx.GraphPrefix + "/$metadata#" + set
	if len(sel) > 0 {
		u += "(" + strings.Join(sel, ",") + ")"
	}
	if single {
		u += "/$entity"
	}
	return u
}

// encode renders one object, projected to sel when given.
func encode(v any, sel []string) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil || len(sel) == 0 {
		return b, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, err
	}
	picked := make(map[string]json.RawMessage, len(sel))
	for _, name := range sel {
		if v, ok := all[name]; ok {
			picked[name] = v
		}
	}
	return json.Marshal(picked)
}

// withContext puts "@odata.context" first in an encoded object.
func withContext(ctx string, obj json.RawMessage) []byte {
	head, _ := json.Marshal(ctx)
	out := make([]byte, 0, len(obj)+len(head)+20)
	out = append(out, `{"@odata.context":`...)
	out = append(out, head...)
	if len(obj) > 2 {
		out = append(out, ',')
	}
	return append(out, obj[1:]...)
}

// writeEntity answers with one object and its @odata.context.
func writeEntity(w http.ResponseWriter, r *http.Request, status int, set string, v any, sel []string) {
	obj, err := encode(v, sel)
	if err != nil {
		httpx.WriteJSON(w, http.StatusInternalServerError, nil)
		return
	}
	writeRaw(w, status, withContext(contextURL(r, set, sel, true), obj))
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// page is a collection answer, fields in the order Graph writes them.
type page struct {
	Context  string            `json:"@odata.context"`
	Count    *int              `json:"@odata.count,omitempty"`
	NextLink string            `json:"@odata.nextLink,omitempty"`
	Value    []json.RawMessage `json:"value"`
}

func writePage(w http.ResponseWriter, p page) {
	body, err := json.Marshal(p)
	if err != nil {
		httpx.WriteJSON(w, http.StatusInternalServerError, nil)
		return
	}
	writeRaw(w, http.StatusOK, body)
}
