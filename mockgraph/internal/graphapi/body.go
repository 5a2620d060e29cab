package graphapi

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxBody is Graph's request size limit (4 MB); bigger bodies, compressed or not, get 413.
const maxBody = 4 << 20

func tooLarge() *apiError {
	return newErr(http.StatusRequestEntityTooLarge, codeTooLarge, "The request body exceeds the maximum size of %d bytes.", maxBody)
}

// readBody returns the request body, gunzipped when the client says so (the Graph SDKs compress
// request bodies), refusing anything above maxBody before or after decompression.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var in io.Reader = http.MaxBytesReader(w, r.Body, maxBody)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(in)
		if err != nil {
			return nil, largeOr(err, newErr(http.StatusBadRequest, codeBadRequest, msgBadJSON))
		}
		defer zr.Close()
		in = zr
	default:
		return nil, newErr(http.StatusUnsupportedMediaType, codeUnsupportedMediaTyp, "Content-Encoding '%s' is not supported.", enc)
	}
	body, err := io.ReadAll(io.LimitReader(in, maxBody+1))
	if err != nil {
		return nil, largeOr(err, newErr(http.StatusBadRequest, codeBadRequest, msgBadJSON))
	}
	if len(body) > maxBody {
		return nil, tooLarge()
	}
	if !utf8.Valid(body) {
		// JSON is UTF-8 (RFC 8259); Graph refuses a payload it cannot read as such.
		return nil, newErr(http.StatusBadRequest, codeBadRequest, msgBadJSON)
	}
	return body, nil
}

func largeOr(err error, other *apiError) *apiError {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge()
	}
	return other
}

// decodeObject reads a JSON object body into dst, as Graph reads an entity: OData annotations
// (`@odata.type`, `prop@odata.bind`) are accepted and dropped at every level; a property the
// resource does not have, or one of readOnly, is a 400; so is a value of the wrong type.
// It returns the names of the top-level properties the body set.
func decodeObject(body []byte, resource string, writable, readOnly []string, dst any) ([]string, error) {
	var raw any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil || dec.More() {
		return nil, newErr(http.StatusBadRequest, codeBadRequest, msgBadJSON)
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, newErr(http.StatusBadRequest, codeBadRequest, msgBadJSON)
	}
	stripAnnotations(obj)
	var set []string
	for name := range obj {
		switch {
		case slices.Contains(readOnly, name):
			return nil, badRequest("Property '%s' is read-only and cannot be set.", name)
		case !slices.Contains(writable, name):
			return nil, unknownProp(name)
		}
		set = append(set, name)
	}
	clean, err := json.Marshal(obj)
	if err != nil {
		return nil, newErr(http.StatusBadRequest, codeBadRequest, msgBadJSON)
	}
	resetCollections(dst, set)
	strict := json.NewDecoder(bytes.NewReader(clean))
	strict.DisallowUnknownFields()
	if err := strict.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, invalidValue(te.Field, resource)
		}
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return nil, unknownProp(strings.Trim(name, `"`))
		}
		// A value that parsed as JSON but not as its property's type (a malformed date, bad base64).
		return nil, badRequest("Invalid value specified for a property of resource '%s': %s.", resource, strings.TrimPrefix(err.Error(), "json: "))
	}
	return set, nil
}

// resetCollections empties the collections a write sets, so they are replaced as a whole:
// encoding/json decodes an array into a slice's existing elements, which would keep fields of
// old elements that the new ones leave out.
func resetCollections(dst any, set []string) {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return
	}
	v = v.Elem()
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if f := v.Field(i); f.Kind() == reflect.Slice && slices.Contains(set, name) {
			f.SetZero()
		}
	}
}

func unknownProp(name string) *apiError {
	return badRequest("Property '%s' does not exist as a declared property or extension property.", name)
}

// stripAnnotations drops OData instance and property annotations ("@odata.type",
// "displayName@odata.type") from decoded JSON, recursively.
func stripAnnotations(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if strings.Contains(k, "@") {
				delete(v, k)
				continue
			}
			stripAnnotations(e)
		}
	case []any:
		for _, e := range v {
			stripAnnotations(e)
		}
	}
}
