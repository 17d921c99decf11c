package main

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

type tariff struct {
	Name     string
	PeakFrom int // hour of day, local
	PeakTo   int
	PeakRate float64 // per kWh
	OffRate  float64
}

func defaultTariffs() map[string]tariff {
	return map[string]tariff{
		"res-tou":  {Name: "res-tou", PeakFrom: 16, PeakTo: 21, PeakRate: 0.41, OffRate: 0.19},
		"res-flat": {Name: "res-flat", PeakFrom: 0, PeakTo: 0, PeakRate: 0.27, OffRate: 0.27},
		"sme-tou":  {Name: "sme-tou", PeakFrom: 8, PeakTo: 18, PeakRate: 0.36, OffRate: 0.22},
	}
}

type api struct {
	store   *readingStore
	tariffs map[string]tariff
}

type wireReading struct {
	At      string  `json:"at"`
	KWh     float64 `json:"kwh"`
	Voltage float32 `json:"v"`
	Quality string  `json:"q"`
	Phase   uint8   `json:"ph"`
}

type wireBatch struct {
	Meter    string        `json:"meter"`
	Feeder   string        `json:"feeder"`
	Readings []wireReading `json:"readings"`
}

var qualityFlags = map[string]uint16{"": 0, "ok": 0, "est": 1, "pf": 2, "clk": 4, "rev": 8}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (a *api) ingest(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	var b wireBatch
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&b); err != nil || b.Meter == "" {
		rejected.Add(1)
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad batch"})
		return
	}
	batch := make([]reading, 0, len(b.Readings))
	for _, wr := range b.Readings {
		at, err := time.Parse(time.RFC3339, wr.At)
		if err != nil || wr.KWh < 0 || math.IsNaN(wr.KWh) {
			continue
		}
		var q uint16
		for _, f := range strings.Split(wr.Quality, ",") {
			q |= qualityFlags[f]
		}
		batch = append(batch, reading{At: at.Unix(), KWh: wr.KWh, Voltage: wr.Voltage, Quality: q, Phase: wr.Phase})
	}
	if len(batch) == 0 {
		rejected.Add(1)
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "no valid readings"})
		return
	}
	held := a.store.add(b.Meter, b.Feeder, batch)
	batchesIn.Add(1)
	readingsIn.Add(int64(len(batch)))
	writeJSON(w, http.StatusAccepted, map[string]int{"accepted": len(batch), "held": held})
}

func timeRange(r *http.Request) (int64, int64) {
	to := time.Now().Unix()
	from := to - 86400
	if v, err := strconv.ParseInt(r.URL.Query().Get("from"), 10, 64); err == nil {
		from = v
	}
	if v, err := strconv.ParseInt(r.URL.Query().Get("to"), 10, 64); err == nil {
		to = v
	}
	return from, to
}

func (a *api) usage(w http.ResponseWriter, r *http.Request) {
	meter := r.URL.Query().Get("meter")
	t, ok := a.tariffs[r.URL.Query().Get("tariff")]
	if !ok {
		t = a.tariffs["res-flat"]
	}
	from, to := timeRange(r)
	pts, found := a.store.window(meter, from, to)
	if !found {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown meter"})
		return
	}
	var kwh, cost float64
	estimated := 0
	for _, p := range pts {
		kwh += p.KWh
		h := time.Unix(p.At, 0).UTC().Hour()
		if h >= t.PeakFrom && h < t.PeakTo {
			cost += p.KWh * t.PeakRate
		} else {
			cost += p.KWh * t.OffRate
		}
		if p.Quality&1 != 0 {
			estimated++
		}
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{
		"meter": meter, "tariff": t.Name, "intervals": len(pts), "kwh": math.Round(kwh*1000) / 1000,
		"cost": math.Round(cost*100) / 100, "estimated_intervals": estimated,
	})
}

func (a *api) peak(w http.ResponseWriter, r *http.Request) {
	meter := r.URL.Query().Get("meter")
	from, to := timeRange(r)
	pts, found := a.store.window(meter, from, to)
	if !found || len(pts) == 0 {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no readings"})
		return
	}
	best := pts[0]
	var minV float32 = math.MaxFloat32
	for _, p := range pts {
		if p.KWh > best.KWh {
			best = p
		}
		if p.Voltage > 0 && p.Voltage < minV {
			minV = p.Voltage
		}
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{
		"meter": meter, "peak_at": time.Unix(best.At, 0).UTC().Format(time.RFC3339), "peak_kwh": best.KWh, "min_voltage": minV,
	})
}

func (a *api) fleetSummary(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]interface{}{"feeders": a.store.feeders(30 * time.Minute)})
}
