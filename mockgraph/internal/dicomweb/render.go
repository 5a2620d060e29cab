package dicomweb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/part10"
)

// Rendering (conformance statement v2, "Retrieve rendered image"): image/jpeg by default or
// image/png; quality 1..100 (default 100) for JPEG; the first frame unless a frame is named.
const defaultQuality = 100

// renderMedia picks image/jpeg or image/png from the Accept header.
func renderMedia(accept string) (string, bool) {
	if strings.TrimSpace(accept) == "" {
		return mediaJPEG, true
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch mt = strings.ToLower(strings.TrimSpace(mt)); mt {
		case mediaJPEG, mediaPNG:
			return mt, true
		case mediaAny, "image/*":
			return mediaJPEG, true
		}
	}
	return "", false
}

// rendered answers …/rendered and …/frames/{n}/rendered.
func (a *API) rendered(w http.ResponseWriter, r *http.Request, req *request, res resource) {
	frame := 1
	if res.frames != "" {
		n, err := strconv.Atoi(res.frames)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, msgInvalidFrames)
			return
		}
		frame = n
	}
	quality := defaultQuality
	if q := r.URL.Query(); q.Has("quality") {
		n, err := strconv.Atoi(q.Get("quality"))
		if err != nil || n < 1 || n > 100 {
			writeError(w, http.StatusBadRequest, msgInvalidQueryValue, "quality")
			return
		}
		quality = n
	}
	media, ok := renderMedia(r.Header.Get("Accept"))
	if !ok {
		writeError(w, http.StatusNotAcceptable, msgNotAcceptable)
		return
	}
	found := a.instancesIn(req.service.HostName(), res.ids)
	if len(found) == 0 {
		notFound(w, res.ids)
		return
	}
	p := a.parsed.get(found[0])
	if p.err != nil {
		writeError(w, http.StatusNotAcceptable, msgUnsupportedTranscoding)
		return
	}
	raw, im, err := p.file.Frame(frame)
	switch {
	case errors.Is(err, part10.ErrNoPixelData), errors.Is(err, part10.ErrFrameNotFound):
		writeError(w, http.StatusNotFound, msgFrameNotFound)
		return
	case err != nil:
		writeError(w, http.StatusNotAcceptable, msgUnsupportedTranscoding)
		return
	}
	img, err := toImage(raw, im)
	if err != nil {
		writeError(w, http.StatusNotAcceptable, msgUnsupportedTranscoding)
		return
	}
	var out bytes.Buffer
	if media == mediaPNG {
		err = png.Encode(&out, img)
	} else {
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: quality})
	}
	if err != nil {
		writeError(w, http.StatusNotAcceptable, msgUnsupportedTranscoding)
		return
	}
	w.Header().Set("Content-Type", media)
	_, _ = w.Write(out.Bytes())
}

// errRender is pixel data the renderer does not handle (not 8/16-bit MONOCHROME1/2 or RGB).
var errRender = errors.New("render: unsupported photometric interpretation or bit depth")

// toImage turns one little-endian native frame into an 8-bit image: monochrome through the
// modality rescale and the dataset's VOI window (the frame's range when it has none), RGB scaled
// to 8 bits.
func toImage(raw []byte, im part10.Image) (image.Image, error) {
	if im.BitsAllocated != 8 && im.BitsAllocated != 16 {
		return nil, errRender
	}
	w, h := im.Columns, im.Rows
	bps := im.BitsAllocated / 8
	sample := func(i int) float64 {
		var v uint32
		if bps == 1 {
			v = uint32(raw[i])
		} else {
			v = uint32(binary.LittleEndian.Uint16(raw[2*i:]))
		}
		v &= 1<<uint(im.BitsStored) - 1
		if im.PixelRepresentation == 1 && v&(1<<uint(im.BitsStored-1)) != 0 {
			return float64(int64(v) - 1<<uint(im.BitsStored))
		}
		return float64(v)
	}
	switch im.Photometric {
	case "MONOCHROME1", "MONOCHROME2":
		if im.SamplesPerPixel != 1 {
			return nil, errRender
		}
		n := w * h
		vals := make([]float64, n)
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := range vals {
			v := sample(i)*im.RescaleSlope + im.RescaleIntercept
			vals[i] = v
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		c, width := im.WindowCenter, im.WindowWidth
		if !im.HasWindow {
			c, width = (lo+hi+1)/2, math.Max(hi-lo+1, 2)
		}
		out := image.NewGray(image.Rect(0, 0, w, h))
		for i, v := range vals {
			g := linearVOI(v, c, width)
			if im.Photometric == "MONOCHROME1" {
				g = 255 - g
			}
			out.Pix[i] = g
		}
		return out, nil
	case "RGB":
		if im.SamplesPerPixel != 3 {
			return nil, errRender
		}
		out := image.NewNRGBA(image.Rect(0, 0, w, h))
		n := w * h
		for i := 0; i < n; i++ {
			idx := [3]int{3 * i, 3*i + 1, 3*i + 2}
			if im.PlanarConfiguration == 1 {
				idx = [3]int{i, n + i, 2*n + i}
			}
			var c [3]uint8
			for k := range c {
				v := sample(idx[k])
				if bps == 2 {
					v = v / float64(int(1)<<uint(im.BitsStored)-1) * 255
				}
				c[k] = uint8(math.Max(0, math.Min(255, v)))
			}
			out.SetNRGBA(i%w, i/w, color.NRGBA{c[0], c[1], c[2], 255})
		}
		return out, nil
	}
	return nil, errRender
}

// linearVOI is the LINEAR VOI LUT function of PS3.3 C.11.2.1.2.1 onto 0..255.
func linearVOI(x, c, w float64) uint8 {
	switch {
	case x <= c-0.5-(w-1)/2:
		return 0
	case x > c-0.5+(w-1)/2:
		return 255
	}
	return uint8(math.Round(((x-(c-0.5))/(w-1) + 0.5) * 255))
}
