package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strconv"
	"sync"
)

var palette = color.Palette{
	color.RGBA{255, 255, 255, 255}, color.RGBA{37, 99, 235, 255}, color.RGBA{191, 219, 254, 255},
	color.RGBA{220, 38, 38, 255}, color.RGBA{22, 163, 74, 255}, color.RGBA{107, 114, 128, 255},
}

// encoder reuses the PNG encoder's compression state between charts.
type encoder struct {
	enc  png.Encoder
	bufs sync.Pool
}

type encoderPool struct{ pool sync.Pool }

func (p *encoderPool) Get() *png.EncoderBuffer {
	b, _ := p.pool.Get().(*png.EncoderBuffer)
	return b
}
func (p *encoderPool) Put(b *png.EncoderBuffer) { p.pool.Put(b) }

func newEncoder() *encoder {
	e := &encoder{}
	e.enc = png.Encoder{CompressionLevel: png.BestCompression, BufferPool: &encoderPool{}}
	e.bufs.New = func() interface{} { return new(bytes.Buffer) }
	return e
}

func (e *encoder) encode(img image.Image) ([]byte, error) {
	buf := e.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer e.bufs.Put(buf)
	if err := e.enc.Encode(buf, img); err != nil {
		return nil, err
	}
	return append([]byte(nil), buf.Bytes()...), nil
}

type renderer struct {
	cache *lru
	src   *seriesSource
	enc   *encoder
}

func clampInt(s string, def, lo, hi int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return def
	}
	return n
}

// scaleY maps the series onto the image's rows, top row = max.
func scaleY(pts []float64, h int) []int {
	lo, hi := pts[0], pts[0]
	for _, p := range pts {
		if p < lo {
			lo = p
		}
		if p > hi {
			hi = p
		}
	}
	ys := make([]int, len(pts))
	span := hi - lo
	if span == 0 {
		span = 1
	}
	for i, p := range pts {
		ys[i] = (h - 2) - int((p-lo)/span*float64(h-3))
	}
	return ys
}

// line draws with Bresenham's algorithm.
func line(img *image.Paletted, x0, y0, x1, y1 int, c uint8) {
	dx, dy := x1-x0, y1-y0
	if dx < 0 {
		dx = -dx
	}
	if dy < 0 {
		dy = -dy
	}
	sx, sy := 1, 1
	if x0 > x1 {
		sx = -1
	}
	if y0 > y1 {
		sy = -1
	}
	err := dx - dy
	for {
		img.SetColorIndex(x0, y0, c)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * err
		if e2 > -dy {
			err -= dy
			x0 += sx
		}
		if e2 < dx {
			err += dx
			y0 += sy
		}
	}
}

func (rd *renderer) serve(w http.ResponseWriter, r *http.Request, key string, draw func() *image.Paletted) {
	if png, tag, ok := rd.cache.get(key); ok {
		cacheHits.Add(1)
		writePNG(w, r, png, tag)
		return
	}
	data, err := rd.enc.encode(draw())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	sum := sha256.Sum256(data)
	tag := `"` + hex.EncodeToString(sum[:12]) + `"`
	rd.cache.put(key, data, tag)
	rendered.Add(1)
	writePNG(w, r, data, tag)
}

func writePNG(w http.ResponseWriter, r *http.Request, data []byte, tag string) {
	w.Header().Set("ETag", tag)
	w.Header().Set("Cache-Control", "public, max-age=60")
	if r.Header.Get("If-None-Match") == tag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(data)
}

func (rd *renderer) spark(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name := q.Get("series")
	if name == "" {
		http.Error(w, "series is required", http.StatusBadRequest)
		return
	}
	wd, ht, n := clampInt(q.Get("w"), 240, 40, 1200), clampInt(q.Get("h"), 48, 16, 400), clampInt(q.Get("points"), 120, 8, 2000)
	key := fmt.Sprintf("spark|%s|%d|%d|%d", name, wd, ht, n)
	rd.serve(w, r, key, func() *image.Paletted {
		pts := rd.src.points(name, n)
		ys := scaleY(pts, ht)
		img := image.NewPaletted(image.Rect(0, 0, wd, ht), palette)
		for i := 1; i < len(ys); i++ {
			x0, x1 := (i-1)*(wd-1)/(len(ys)-1), i*(wd-1)/(len(ys)-1)
			for x := x0; x <= x1; x++ {
				for y := ys[i]; y < ht; y += 3 {
					img.SetColorIndex(x, y, 2)
				}
			}
			line(img, x0, ys[i-1], x1, ys[i], 1)
		}
		last := ys[len(ys)-1]
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				img.SetColorIndex(wd-2+dx, last+dy, 3)
			}
		}
		return img
	})
}

func (rd *renderer) bars(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name := q.Get("series")
	wd, ht, n := clampInt(q.Get("w"), 300, 40, 1200), clampInt(q.Get("h"), 60, 16, 400), clampInt(q.Get("bars"), 30, 2, 200)
	threshold, _ := strconv.ParseFloat(q.Get("warn"), 64)
	key := fmt.Sprintf("bars|%s|%d|%d|%d|%g", name, wd, ht, n, threshold)
	rd.serve(w, r, key, func() *image.Paletted {
		pts := rd.src.points(name, n)
		ys := scaleY(pts, ht)
		img := image.NewPaletted(image.Rect(0, 0, wd, ht), palette)
		bw := wd / n
		for i, y := range ys {
			c := uint8(4)
			if threshold != 0 && pts[i] > threshold {
				c = 3
			}
			for x := i * bw; x < (i+1)*bw-1; x++ {
				for yy := y; yy < ht; yy++ {
					img.SetColorIndex(x, yy, c)
				}
			}
		}
		return img
	})
}

func (rd *renderer) stats(w http.ResponseWriter, r *http.Request) {
	names := r.URL.Query()["series"]
	if len(names) == 0 || len(names) > 50 {
		http.Error(w, "1 to 50 series", http.StatusBadRequest)
		return
	}
	out := make([]summary, 0, len(names))
	for _, n := range names {
		out = append(out, summarize(n, rd.src.points(n, 1440)))
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}
