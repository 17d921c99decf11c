package main

import (
	"errors"
	"fmt"
	"hash/fnv"
	"path"
	"strings"
	"sync"
)

var (
	errUnsupported = errors.New("unsupported source format")
	errTooLarge    = errors.New("requested width too large")
)

// image is a grey-scale raster; the real decoders produce RGBA, the
// resampling work per pixel is the same.
type image struct {
	w, h int
	pix  []uint8
}

// decoder fills buf (grown if needed) with the decoded source.
type decoder func(source string, buf []uint8) image

type renderer struct {
	maxWidth int
	decoders map[string]decoder
	// Decoded sources are large and short-lived; reusing their buffers keeps
	// the allocation rate (and GC work) proportional to the thumbnails only.
	bufs sync.Pool
}

func newRenderer(maxWidth int) *renderer {
	r := &renderer{maxWidth: maxWidth, decoders: map[string]decoder{
		".jpg":  syntheticDecode(480, 360),
		".jpeg": syntheticDecode(480, 360),
		".png":  syntheticDecode(400, 400),
		".webp": syntheticDecode(432, 324),
	}}
	r.bufs.New = func() interface{} { return new([]uint8) }
	return r
}

// syntheticDecode stands in for the codec: it derives the pixels from the
// object key, so the same source always yields the same thumbnail.
func syntheticDecode(w, h int) decoder {
	return func(source string, buf []uint8) image {
		f := fnv.New32a()
		f.Write([]byte(source))
		seed := f.Sum32()
		if cap(buf) < w*h {
			buf = make([]uint8, w*h)
		}
		img := image{w: w, h: h, pix: buf[:w*h]}
		for i := range img.pix {
			seed = seed*1664525 + 1013904223
			img.pix[i] = uint8(seed >> 24)
		}
		return img
	}
}

type thumbnail struct {
	Key    string
	Width  int
	Height int
	Data   []byte
}

// render decodes the source and box-filters it down to the requested width,
// reporting progress as it goes.
func (r *renderer) render(j *job, progress chan<- int) (thumbnail, error) {
	ext := strings.ToLower(path.Ext(j.Source))
	dec, ok := r.decoders[ext]
	if !ok {
		return thumbnail{}, fmt.Errorf("%w: %q", errUnsupported, ext)
	}
	if j.Width <= 0 || j.Width > r.maxWidth {
		return thumbnail{}, errTooLarge
	}
	// A cancelled job stops listening; never block on a report nobody reads.
	report := func(p int) {
		select {
		case progress <- p:
		case <-j.cancelled:
		}
	}
	bp := r.bufs.Get().(*[]uint8)
	src := dec(j.Source, *bp)
	defer func() {
		*bp = src.pix
		r.bufs.Put(bp)
	}()
	report(25)

	w := j.Width
	if w > src.w {
		w = src.w // never upscale
	}
	h := src.h * w / src.w
	if h < 1 {
		h = 1
	}
	out := make([]uint8, w*h)
	for y := 0; y < h; y++ {
		y0, y1 := y*src.h/h, (y+1)*src.h/h
		for x := 0; x < w; x++ {
			x0, x1 := x*src.w/w, (x+1)*src.w/w
			sum, n := 0, 0
			for yy := y0; yy < y1; yy++ {
				row := src.pix[yy*src.w:]
				for xx := x0; xx < x1; xx++ {
					sum += int(row[xx])
					n++
				}
			}
			if n > 0 {
				out[y*w+x] = uint8(sum / n)
			}
		}
		if y == h/2 {
			report(60)
		}
	}
	report(90)
	key := fmt.Sprintf("thumbs/%s/%dw.%s", strings.TrimSuffix(path.Base(j.Source), ext), w, j.Format)
	close(progress)
	return thumbnail{Key: key, Width: w, Height: h, Data: out}, nil
}

// thumbStore is the small hot cache in front of the object store.
type thumbStore struct {
	mu    sync.Mutex
	max   int
	items map[string]thumbnail
	order []string
}

func newThumbStore(max int) *thumbStore {
	return &thumbStore{max: max, items: make(map[string]thumbnail)}
}

func (s *thumbStore) put(t thumbnail) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.items[t.Key]; !ok {
		s.order = append(s.order, t.Key)
	}
	s.items[t.Key] = t
	for len(s.order) > s.max {
		delete(s.items, s.order[0])
		s.order = s.order[1:]
	}
}

func (s *thumbStore) get(key string) (thumbnail, bool) {
	s.mu.Lock()
	t, ok := s.items[key]
	s.mu.Unlock()
	return t, ok
}
