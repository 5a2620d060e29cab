package part10

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// BulkVRs are the VRs the service leaves out of metadata (conformance statement, "Retrieve
// metadata").
var BulkVRs = map[string]bool{"OB": true, "OD": true, "OF": true, "OL": true, "OV": true, "OW": true, "UN": true}

// singleValued text VRs never split on backslash.
var singleValued = map[string]bool{"LT": true, "ST": true, "UT": true, "UR": true}

// WriteJSON writes els as one DICOM JSON object (PS3.18 F.2), leaving out the bulk VRs.
func WriteJSON(b *bytes.Buffer, els []Element, big bool) {
	b.WriteByte('{')
	first := true
	for i := range els {
		el := &els[i]
		if BulkVRs[el.VR] || el.Tag.Group == 0x0002 {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		WriteElementJSON(b, el, big)
	}
	b.WriteByte('}')
}

// WriteElementJSON writes `"ggggeeee":{"vr":..,"Value":[..]}`.
func WriteElementJSON(b *bytes.Buffer, el *Element, big bool) {
	b.WriteByte('"')
	b.WriteString(el.Tag.Hex())
	b.WriteString(`":{"vr":"`)
	b.WriteString(el.VR)
	b.WriteByte('"')
	if el.VR == "SQ" {
		b.WriteString(`,"Value":[`)
		for i, item := range el.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			WriteJSON(b, item, big)
		}
		b.WriteString("]}")
		return
	}
	values := jsonValues(el, big)
	if len(values) > 0 {
		b.WriteString(`,"Value":[`)
		for i, v := range values {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(v)
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
}

// jsonValues are the element's values as JSON literals.
func jsonValues(el *Element, big bool) []string {
	if len(el.Value) == 0 {
		return nil
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if big {
		order = binary.BigEndian
	}
	var out []string
	switch el.VR {
	case "US", "SS", "UL", "SL", "FL", "FD", "SV", "UV":
		n := wordSize[el.VR]
		for i := 0; i+n <= len(el.Value); i += n {
			w := el.Value[i : i+n]
			var s string
			switch el.VR {
			case "US":
				s = strconv.FormatUint(uint64(order.Uint16(w)), 10)
			case "SS":
				s = strconv.FormatInt(int64(int16(order.Uint16(w))), 10)
			case "UL":
				s = strconv.FormatUint(uint64(order.Uint32(w)), 10)
			case "SL":
				s = strconv.FormatInt(int64(int32(order.Uint32(w))), 10)
			case "FL":
				s = jsonFloat(float64(math.Float32frombits(order.Uint32(w))))
			case "FD":
				s = jsonFloat(math.Float64frombits(order.Uint64(w)))
			case "SV":
				s = strconv.FormatInt(int64(order.Uint64(w)), 10)
			case "UV":
				s = strconv.FormatUint(order.Uint64(w), 10)
			}
			out = append(out, s)
		}
		return out
	case "AT":
		for i := 0; i+4 <= len(el.Value); i += 4 {
			out = append(out, `"`+Tag{order.Uint16(el.Value[i:]), order.Uint16(el.Value[i+2:])}.Hex()+`"`)
		}
		return out
	}
	s := trimValue(el.VR, el.Value)
	parts := []string{s}
	if !singleValued[el.VR] {
		parts = strings.Split(s, `\`)
	}
	for _, p := range parts {
		switch el.VR {
		case "PN":
			out = append(out, personName(p))
		case "IS", "DS":
			t := strings.TrimSpace(p)
			if t == "" {
				out = append(out, "null")
			} else if f, err := strconv.ParseFloat(t, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				out = append(out, jsonFloat(f))
			} else {
				out = append(out, quote(p))
			}
		default:
			if p == "" {
				out = append(out, "null")
			} else {
				out = append(out, quote(p))
			}
		}
	}
	return out
}

func jsonFloat(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return "null"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// personName is a PN value as its component groups (Alphabetic=Ideographic=Phonetic).
func personName(p string) string {
	if p == "" {
		return "null"
	}
	groups := strings.SplitN(p, "=", 3)
	names := []string{"Alphabetic", "Ideographic", "Phonetic"}
	var b strings.Builder
	b.WriteByte('{')
	n := 0
	for i, g := range groups {
		if g == "" {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		b.WriteString(`"` + names[i] + `":` + quote(g))
	}
	b.WriteByte('}')
	return b.String()
}
