package part10

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrTranscode is a transcoding the mock cannot do: compressed pixel data to or from another
// syntax, or a target that is not one of the uncompressed syntaxes.
var ErrTranscode = errors.New("part10: the specified transcoding is not supported")

// wordSize is the size of one value of the binary VRs whose byte order a transcoding swaps.
var wordSize = map[string]int{"US": 2, "SS": 2, "OW": 2, "AT": 2, "UL": 4, "SL": 4, "FL": 4, "OF": 4, "OL": 4,
	"FD": 8, "OD": 8, "SV": 8, "UV": 8, "OV": 8}

// implementationUID names this writer in the meta group it rewrites.
const implementationUID = "1.2.826.0.1.3680043.10.1338"

// Encode writes f in transfer syntax ts with a zeroed preamble (the service sanitizes it). The
// dataset is rewritten only between the uncompressed syntaxes; a file already in ts comes back
// re-serialized, values unchanged.
func Encode(f *File, ts string) ([]byte, error) {
	if ts != f.TransferSyntax && (!Uncompressed(ts) || !Uncompressed(f.TransferSyntax)) {
		return nil, fmt.Errorf("%w: %s to %s", ErrTranscode, f.TransferSyntax, ts)
	}
	w := &writer{explicit: ts != ImplicitVRLittleEndian, big: ts == ExplicitVRBigEndian, srcBig: f.BigEndian}
	body := &bytes.Buffer{}
	w.buf = body
	if err := w.dataset(f.Elements); err != nil {
		return nil, err
	}
	var meta bytes.Buffer
	mw := &writer{buf: &meta, explicit: true}
	hasTS := false
	for _, el := range f.Meta {
		switch el.Tag {
		case Tag{0x0002, 0x0000}:
			continue
		case TagTransferSyntax:
			el.Value, hasTS = uid(ts), true
		}
		if err := mw.element(el); err != nil {
			return nil, err
		}
	}
	if !hasTS {
		return nil, errors.New("part10: the meta group names no transfer syntax")
	}
	var out bytes.Buffer
	out.Grow(preambleLen + 16 + meta.Len() + body.Len())
	out.Write(make([]byte, preambleLen))
	out.WriteString("DICM")
	groupLen := make([]byte, 4)
	binary.LittleEndian.PutUint32(groupLen, uint32(meta.Len()))
	if err := mw.to(&out).element(Element{Tag: Tag{0x0002, 0x0000}, VR: "UL", Value: groupLen}); err != nil {
		return nil, err
	}
	out.Write(meta.Bytes())
	out.Write(body.Bytes())
	return out.Bytes(), nil
}

type writer struct {
	buf      *bytes.Buffer
	explicit bool
	big      bool // target byte order
	srcBig   bool // byte order of the values as parsed
}

func (w *writer) to(b *bytes.Buffer) *writer { c := *w; c.buf = b; return &c }

func (w *writer) u16(v uint16) {
	var b [2]byte
	if w.big {
		binary.BigEndian.PutUint16(b[:], v)
	} else {
		binary.LittleEndian.PutUint16(b[:], v)
	}
	w.buf.Write(b[:])
}

func (w *writer) u32(v uint32) {
	var b [4]byte
	if w.big {
		binary.BigEndian.PutUint32(b[:], v)
	} else {
		binary.LittleEndian.PutUint32(b[:], v)
	}
	w.buf.Write(b[:])
}

func (w *writer) dataset(els []Element) error {
	for _, el := range els {
		if err := w.element(el); err != nil {
			return err
		}
	}
	return nil
}

// header writes tag, VR (explicit) and length.
func (w *writer) header(t Tag, vr string, length uint32) error {
	w.u16(t.Group)
	w.u16(t.Element)
	if !w.explicit {
		w.u32(length)
		return nil
	}
	w.buf.WriteString(vr)
	if longVRs[vr] {
		w.buf.Write([]byte{0, 0})
		w.u32(length)
		return nil
	}
	if length > 0xFFFF {
		return fmt.Errorf("%w: %s (%s) is too long for explicit VR", ErrTranscode, t, vr)
	}
	w.u16(uint16(length))
	return nil
}

func (w *writer) element(el Element) error {
	switch {
	case el.Items != nil || el.VR == "SQ":
		// Sequences and items are written with undefined lengths, valid in every syntax.
		if err := w.header(el.Tag, "SQ", undefinedLength); err != nil {
			return err
		}
		for _, item := range el.Items {
			w.delim(tagItem, undefinedLength)
			if err := w.dataset(item); err != nil {
				return err
			}
			w.delim(tagItemDelim, 0)
		}
		w.delim(tagSequenceDelim, 0)
		return nil
	case el.Fragments != nil:
		if err := w.header(el.Tag, "OB", undefinedLength); err != nil {
			return err
		}
		for _, f := range el.Fragments {
			w.delim(tagItem, uint32(len(f)))
			w.buf.Write(f)
		}
		w.delim(tagSequenceDelim, 0)
		return nil
	}
	if err := w.header(el.Tag, el.VR, uint32(len(el.Value))); err != nil {
		return err
	}
	n := wordSize[el.VR]
	if n == 0 || w.big == w.srcBig || len(el.Value)%n != 0 {
		w.buf.Write(el.Value)
		return nil
	}
	start := w.buf.Len()
	w.buf.Write(el.Value)
	swapWords(w.buf.Bytes()[start:], n)
	return nil
}

func (w *writer) delim(t Tag, length uint32) {
	w.u16(t.Group)
	w.u16(t.Element)
	w.u32(length)
}

// swapWords reverses the bytes of each n-byte word of b in place.
func swapWords(b []byte, n int) {
	for i := 0; i+n <= len(b); i += n {
		for j := 0; j < n/2; j++ {
			b[i+j], b[i+n-1-j] = b[i+n-1-j], b[i+j]
		}
	}
}

// uid pads a UID to even length with NUL, text with a space, as the standard asks.
func uid(s string) []byte {
	if len(s)%2 == 1 {
		return append([]byte(s), 0)
	}
	return []byte(s)
}

func text(s string) []byte {
	if len(s)%2 == 1 {
		return append([]byte(s), ' ')
	}
	return []byte(s)
}
