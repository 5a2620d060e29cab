package part10

import (
	"errors"
	"fmt"
)

// Errors of frame access.
var (
	ErrNoPixelData    = errors.New("part10: the instance has no pixel data")
	ErrFrameNotFound  = errors.New("part10: the specified frame cannot be found")
	ErrPixelsEncoding = errors.New("part10: pixel data the mock cannot read")
)

// Image is the image pixel module of an instance.
type Image struct {
	Rows, Columns, SamplesPerPixel, BitsAllocated, BitsStored int
	PixelRepresentation, PlanarConfiguration, Frames          int
	Photometric                                               string
	// WindowCenter/WindowWidth are the first VOI window, when the dataset has one.
	WindowCenter, WindowWidth      float64
	HasWindow                      bool
	RescaleSlope, RescaleIntercept float64
}

// FrameSize is the byte length of one native frame.
func (im Image) FrameSize() int {
	return im.Rows * im.Columns * im.SamplesPerPixel * im.BitsAllocated / 8
}

// ImageOf reads the image pixel module; ErrNoPixelData when the instance has none.
func (f *File) ImageOf() (Image, error) {
	if f.Get(TagPixelData) == nil {
		return Image{}, ErrNoPixelData
	}
	im := Image{Frames: 1, RescaleSlope: 1, Photometric: f.String(TagPhotometric)}
	for t, p := range map[Tag]*int{TagRows: &im.Rows, TagColumns: &im.Columns, TagSamplesPerPixel: &im.SamplesPerPixel,
		TagBitsAllocated: &im.BitsAllocated, TagBitsStored: &im.BitsStored, TagPixelRepresentation: &im.PixelRepresentation,
		TagPlanarConfiguration: &im.PlanarConfiguration, TagNumberOfFrames: &im.Frames} {
		if v, ok := f.Int(t); ok {
			*p = v
		}
	}
	if im.BitsStored == 0 {
		im.BitsStored = im.BitsAllocated
	}
	if im.Frames < 1 {
		im.Frames = 1
	}
	if c, ok := f.Float(TagWindowCenter); ok {
		if w, ok := f.Float(TagWindowWidth); ok && w >= 1 {
			im.WindowCenter, im.WindowWidth, im.HasWindow = c, w, true
		}
	}
	if s, ok := f.Float(TagRescaleSlope); ok && s != 0 {
		im.RescaleSlope = s
	}
	if i, ok := f.Float(TagRescaleIntercept); ok {
		im.RescaleIntercept = i
	}
	if im.Rows <= 0 || im.Columns <= 0 || im.Rows > 1<<15 || im.Columns > 1<<15 ||
		(im.SamplesPerPixel != 1 && im.SamplesPerPixel != 3) ||
		(im.BitsAllocated != 8 && im.BitsAllocated != 16 && im.BitsAllocated != 32) ||
		im.BitsStored > im.BitsAllocated || im.BitsStored < 1 {
		return im, fmt.Errorf("%w: %dx%d, %d samples, %d bits allocated", ErrPixelsEncoding, im.Rows, im.Columns, im.SamplesPerPixel, im.BitsAllocated)
	}
	return im, nil
}

// Frame returns native frame n (1-based) in little endian byte order, as the retrieve of
// frames in 1.2.840.10008.1.2.1 answers it.
func (f *File) Frame(n int) ([]byte, Image, error) {
	im, err := f.ImageOf()
	if err != nil {
		return nil, im, err
	}
	el := f.Get(TagPixelData)
	if el.Encapsulated() {
		return nil, im, fmt.Errorf("%w: compressed (%s)", ErrTranscode, f.TransferSyntax)
	}
	if n < 1 || n > im.Frames {
		return nil, im, ErrFrameNotFound
	}
	size := im.FrameSize()
	start := (n - 1) * size
	if start+size > len(el.Value) {
		return nil, im, fmt.Errorf("%w: pixel data holds %d bytes, frame %d needs %d", ErrPixelsEncoding, len(el.Value), n, start+size)
	}
	frame := el.Value[start : start+size : start+size]
	if f.BigEndian && im.BitsAllocated > 8 {
		frame = append([]byte(nil), frame...)
		swapWords(frame, im.BitsAllocated/8)
	}
	return frame, im, nil
}
