package part10

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Element is one data element. Value holds the raw bytes in the file's byte order; a sequence
// has Items instead, and encapsulated (compressed) pixel data has Fragments (the basic offset
// table first).
type Element struct {
	Tag       Tag
	VR        string
	Value     []byte
	Items     [][]Element
	Fragments [][]byte
}

// Encapsulated reports whether the element is compressed pixel data.
func (e *Element) Encapsulated() bool { return e.Fragments != nil }

// File is a parsed Part 10 file.
type File struct {
	TransferSyntax string
	BigEndian      bool
	Meta           []Element // the file meta group, always explicit VR little endian
	Elements       []Element // the dataset, in file order
}

// Errors callers may tell apart.
var (
	ErrNotPart10   = errors.New("part10: not a DICOM Part 10 file (no DICM prefix)")
	ErrTruncated   = errors.New("part10: file is truncated")
	ErrUnsupported = errors.New("part10: unsupported transfer syntax")
)

const (
	preambleLen     = 128
	undefinedLength = 0xFFFFFFFF
	maxDepth        = 16
)

// longVRs have a 4-byte length after two reserved bytes in explicit VR encoding.
var longVRs = map[string]bool{"OB": true, "OD": true, "OF": true, "OL": true, "OV": true, "OW": true, "SQ": true,
	"SV": true, "UC": true, "UN": true, "UR": true, "UT": true, "UV": true}

// knownVRs are the value representations of PS3.5 6.2.
var knownVRs = map[string]bool{"AE": true, "AS": true, "AT": true, "CS": true, "DA": true, "DS": true, "DT": true,
	"FD": true, "FL": true, "IS": true, "LO": true, "LT": true, "OB": true, "OD": true, "OF": true, "OL": true,
	"OV": true, "OW": true, "PN": true, "SH": true, "SL": true, "SQ": true, "SS": true, "ST": true, "SV": true,
	"TM": true, "UC": true, "UI": true, "UL": true, "UN": true, "UR": true, "US": true, "UT": true, "UV": true}

// Parse reads a Part 10 file: the meta group, then the whole dataset in its transfer syntax.
func Parse(data []byte) (*File, error) {
	if len(data) < preambleLen+4 || string(data[preambleLen:preambleLen+4]) != "DICM" {
		return nil, ErrNotPart10
	}
	f := &File{}
	meta := &reader{data: data, pos: preambleLen + 4, explicit: true}
	for meta.remaining() >= 2 && binary.LittleEndian.Uint16(data[meta.pos:]) == 0x0002 {
		el, err := meta.element(0)
		if err != nil {
			return nil, err
		}
		f.Meta = append(f.Meta, el)
		if el.Tag == TagTransferSyntax {
			f.TransferSyntax = trimValue("UI", el.Value)
		}
	}
	r := &reader{data: data, pos: meta.pos, explicit: true}
	switch f.TransferSyntax {
	case "":
		return nil, errors.New("part10: the file meta group names no transfer syntax (0002,0010)")
	case ImplicitVRLittleEndian:
		r.explicit = false
	case ExplicitVRBigEndian:
		r.big, f.BigEndian = true, true
	case DeflatedExplicitVRLE:
		return nil, fmt.Errorf("%w %s", ErrUnsupported, f.TransferSyntax)
	}
	els, err := r.dataset(0, false)
	if err != nil {
		return nil, err
	}
	f.Elements = els
	return f, nil
}

type reader struct {
	data      []byte
	pos       int
	explicit  bool
	big       bool
	bitsAlloc int // BitsAllocated seen so far: implicit VR pixel data is OB when ≤ 8
}

func (r *reader) remaining() int { return len(r.data) - r.pos }

func (r *reader) need(n int) error {
	if n < 0 || r.remaining() < n {
		return ErrTruncated
	}
	return nil
}

func (r *reader) u16() uint16 {
	var v uint16
	if r.big {
		v = binary.BigEndian.Uint16(r.data[r.pos:])
	} else {
		v = binary.LittleEndian.Uint16(r.data[r.pos:])
	}
	r.pos += 2
	return v
}

func (r *reader) u32() uint32 {
	var v uint32
	if r.big {
		v = binary.BigEndian.Uint32(r.data[r.pos:])
	} else {
		v = binary.LittleEndian.Uint32(r.data[r.pos:])
	}
	r.pos += 4
	return v
}

// dataset reads elements to the end of the reader, or to an item delimiter when inItem.
func (r *reader) dataset(depth int, inItem bool) ([]Element, error) {
	var out []Element
	sorted := true
	for r.remaining() > 0 {
		if inItem {
			if err := r.need(8); err != nil {
				return nil, err
			}
			save := r.pos
			if (Tag{r.u16(), r.u16()}) == tagItemDelim {
				r.pos += 4
				return out, nil
			}
			r.pos = save
		}
		el, err := r.element(depth)
		if err != nil {
			return nil, err
		}
		if el.Tag == TagBitsAllocated && len(el.Value) == 2 {
			r.bitsAlloc = int(decodeUint(el.Value, r.big))
		}
		if n := len(out); n > 0 && !lessTag(out[n-1].Tag, el.Tag) {
			sorted = false
		}
		out = append(out, el)
	}
	if inItem {
		return nil, ErrTruncated
	}
	if !sorted {
		// Readers keep a dataset in tag order (as fo-dicom does); lookups rely on it.
		sort.SliceStable(out, func(i, j int) bool { return lessTag(out[i].Tag, out[j].Tag) })
	}
	return out, nil
}

func lessTag(a, b Tag) bool {
	return a.Group < b.Group || (a.Group == b.Group && a.Element < b.Element)
}

// element reads one data element with its sequence items or pixel fragments.
func (r *reader) element(depth int) (Element, error) {
	if depth > maxDepth {
		return Element{}, errors.New("part10: sequences nested too deeply")
	}
	if err := r.need(8); err != nil {
		return Element{}, err
	}
	el := Element{Tag: Tag{r.u16(), r.u16()}}
	if el.Tag.Group == 0xFFFE {
		return el, fmt.Errorf("part10: unexpected %s outside a sequence", el.Tag)
	}
	var length uint32
	if r.explicit {
		el.VR = string(r.data[r.pos : r.pos+2])
		r.pos += 2
		if !knownVRs[el.VR] {
			return el, fmt.Errorf("part10: %s has an unknown VR %q", el.Tag, el.VR)
		}
		if longVRs[el.VR] {
			if err := r.need(6); err != nil {
				return el, err
			}
			r.pos += 2
			length = r.u32()
		} else {
			length = uint32(r.u16())
		}
	} else {
		el.VR = VROf(el.Tag)
		if el.Tag == TagPixelData && r.bitsAlloc > 0 && r.bitsAlloc <= 8 {
			el.VR = "OB"
		}
		length = r.u32()
	}
	if length == undefinedLength {
		switch {
		case el.Tag == TagPixelData:
			frags, err := r.fragments()
			el.Fragments = frags
			return el, err
		case el.VR == "SQ" || el.VR == "UN":
			// An undefined-length UN is a sequence in implicit VR little endian (PS3.5 6.2.2).
			sub := r
			if el.VR == "UN" {
				sub = &reader{data: r.data, pos: r.pos}
				el.VR = "SQ"
			}
			items, err := sub.items(depth, -1)
			r.pos = sub.pos
			el.Items = items
			return el, err
		}
		return el, fmt.Errorf("part10: %s has undefined length but VR %s", el.Tag, el.VR)
	}
	if err := r.need(int(length)); err != nil {
		return el, err
	}
	if el.VR == "SQ" {
		sub := &reader{data: r.data[:r.pos+int(length)], pos: r.pos, explicit: r.explicit, big: r.big}
		items, err := sub.items(depth, r.pos+int(length))
		r.pos += int(length)
		el.Items = items
		return el, err
	}
	el.Value = r.data[r.pos : r.pos+int(length) : r.pos+int(length)]
	r.pos += int(length)
	return el, nil
}

// items reads sequence items up to end (a defined-length sequence) or to the sequence delimiter
// (end < 0).
func (r *reader) items(depth, end int) ([][]Element, error) {
	items := [][]Element{}
	for end < 0 || r.pos < end {
		if err := r.need(8); err != nil {
			return nil, err
		}
		tag := Tag{r.u16(), r.u16()}
		length := r.u32()
		switch {
		case tag == tagSequenceDelim && end < 0:
			return items, nil
		case tag != tagItem:
			return nil, fmt.Errorf("part10: expected an item in a sequence, found %s", tag)
		case length == undefinedLength:
			ds, err := r.dataset(depth+1, true)
			if err != nil {
				return nil, err
			}
			items = append(items, ds)
		default:
			if err := r.need(int(length)); err != nil {
				return nil, err
			}
			sub := &reader{data: r.data[:r.pos+int(length)], pos: r.pos, explicit: r.explicit, big: r.big}
			ds, err := sub.dataset(depth+1, false)
			if err != nil {
				return nil, err
			}
			r.pos += int(length)
			items = append(items, ds)
		}
	}
	return items, nil
}

// fragments reads encapsulated pixel data items up to the sequence delimiter.
func (r *reader) fragments() ([][]byte, error) {
	frags := [][]byte{}
	for {
		if err := r.need(8); err != nil {
			return nil, err
		}
		tag := Tag{r.u16(), r.u16()}
		length := r.u32()
		switch {
		case tag == tagSequenceDelim:
			return frags, nil
		case tag != tagItem || length == undefinedLength:
			return nil, fmt.Errorf("part10: bad item %s in encapsulated pixel data", tag)
		}
		if err := r.need(int(length)); err != nil {
			return nil, err
		}
		frags = append(frags, r.data[r.pos:r.pos+int(length)])
		r.pos += int(length)
	}
}

// Get returns the top-level element with tag t, or nil.
func (f *File) Get(t Tag) *Element { return find(f.Elements, t) }

func find(els []Element, t Tag) *Element {
	for i := range els {
		if els[i].Tag == t {
			return &els[i]
		}
		if lessTag(t, els[i].Tag) {
			break
		}
	}
	return nil
}

// String returns a top-level text value as the service indexes it: trailing spaces and NULs
// trimmed ("" when absent).
func (f *File) String(t Tag) string {
	if el := f.Get(t); el != nil {
		return strings.TrimRight(string(el.Value), " \x00")
	}
	return ""
}

// UID returns one of the identifying UIDs by keyword.
func (f *File) UID(keyword string) string {
	t, _ := TagOf(keyword)
	return f.String(t)
}

// Int returns the first value of a top-level US/SS/UL/SL/IS element.
func (f *File) Int(t Tag) (int, bool) {
	el := f.Get(t)
	if el == nil || len(el.Value) == 0 {
		return 0, false
	}
	switch el.VR {
	case "US", "UL", "SS", "SL":
		v := decodeUint(el.Value, f.BigEndian)
		if el.VR == "SS" {
			return int(int16(v)), true
		}
		if el.VR == "SL" {
			return int(int32(v)), true
		}
		return int(v), true
	case "IS":
		first, _, _ := strings.Cut(trimValue(el.VR, el.Value), `\`)
		n, err := strconv.Atoi(strings.TrimSpace(first))
		return n, err == nil
	}
	return 0, false
}

// Float returns the first value of a top-level DS element.
func (f *File) Float(t Tag) (float64, bool) {
	el := f.Get(t)
	if el == nil || el.VR != "DS" {
		return 0, false
	}
	first, _, _ := strings.Cut(trimValue(el.VR, el.Value), `\`)
	v, err := strconv.ParseFloat(strings.TrimSpace(first), 64)
	return v, err == nil
}

// decodeUint reads the first 2- or 4-byte unsigned value.
func decodeUint(b []byte, big bool) uint32 {
	switch {
	case len(b) >= 4:
		if big {
			return binary.BigEndian.Uint32(b)
		}
		return binary.LittleEndian.Uint32(b)
	case len(b) >= 2:
		if big {
			return uint32(binary.BigEndian.Uint16(b))
		}
		return uint32(binary.LittleEndian.Uint16(b))
	}
	return 0
}

// trimValue drops the padding of a text value: trailing spaces, and a UI's trailing NUL.
func trimValue(vr string, b []byte) string {
	if vr == "UI" {
		return strings.TrimRight(string(b), "\x00 ")
	}
	return strings.TrimRight(string(b), " ")
}
