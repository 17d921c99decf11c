package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"time"
)

type api struct{ ledger *ledger }

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func cents(c int64) string {
	neg := c < 0
	if neg {
		c = -c
	}
	s := strconv.FormatInt(c/100, 10) + "." + strconv.FormatInt(100+c%100, 10)[1:]
	if neg {
		return "-" + s
	}
	return s
}

// period parses ?from=2026-03&months=3 (default: one month).
func period(r *http.Request) (time.Time, time.Time, bool) {
	from, err := time.Parse("2006-01", r.URL.Query().Get("from"))
	if err != nil {
		return time.Time{}, time.Time{}, false
	}
	months, err := strconv.Atoi(r.URL.Query().Get("months"))
	if err != nil || months < 1 || months > 12 {
		months = 1
	}
	return from, from.AddDate(0, months, 0), true
}

// statement renders the CSV statement for an account and period, gzip-compressed,
// with a content hash as its ETag so the app can cache downloads.
func (a *api) statement(w http.ResponseWriter, r *http.Request) {
	acc := a.ledger.accounts[r.URL.Query().Get("account")]
	if acc == nil {
		http.Error(w, "no such account", http.StatusNotFound)
		return
	}
	from, to, ok := period(r)
	if !ok {
		http.Error(w, "from must be YYYY-MM", http.StatusBadRequest)
		return
	}
	var raw bytes.Buffer
	cw := csv.NewWriter(&raw)
	cw.Write([]string{"Statement", acc.IBAN, acc.Holder, from.Format("2006-01-02"), to.AddDate(0, 0, -1).Format("2006-01-02")})
	cw.Write([]string{"Booked", "Transaction", "Counterpart", "Reference", "Category", "Amount", "Currency", "Balance"})
	bal := acc.balanceBefore(from)
	cw.Write([]string{from.Format("2006-01-02"), "", "", "Opening balance", "", "", "EUR", cents(bal)})
	for _, t := range acc.between(from, to) {
		bal += t.AmountCents
		cw.Write([]string{t.Booked.Format("2006-01-02"), t.ID, t.Counterpart, t.Reference, t.Category, cents(t.AmountCents), t.Currency, cents(bal)})
	}
	cw.Write([]string{to.AddDate(0, 0, -1).Format("2006-01-02"), "", "", "Closing balance", "", "", "EUR", cents(bal)})
	cw.Flush()

	sum := sha256.Sum256(raw.Bytes())
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(raw.Bytes())
	zw.Close()
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Disposition", `attachment; filename="statement-`+acc.ID+"-"+from.Format("2006-01")+`.csv"`)
	w.Write(gz.Bytes())
}

type categoryTotal struct {
	Category string  `json:"category"`
	Spent    string  `json:"spent"`
	Share    float64 `json:"share"`
	Count    int     `json:"count"`
	Top      string  `json:"top_counterpart"`
}

// summary is the insights screen: spending per category and its largest counterpart.
func (a *api) summary(w http.ResponseWriter, r *http.Request) {
	acc := a.ledger.accounts[r.URL.Query().Get("account")]
	if acc == nil {
		http.Error(w, "no such account", http.StatusNotFound)
		return
	}
	from, to, ok := period(r)
	if !ok {
		http.Error(w, "from must be YYYY-MM", http.StatusBadRequest)
		return
	}
	spent := map[string]int64{}
	count := map[string]int{}
	byCounterpart := map[string]map[string]int64{}
	var total, income int64
	for _, t := range acc.between(from, to) {
		if t.AmountCents > 0 {
			income += t.AmountCents
			continue
		}
		spent[t.Category] -= t.AmountCents
		count[t.Category]++
		total -= t.AmountCents
		m := byCounterpart[t.Category]
		if m == nil {
			m = map[string]int64{}
			byCounterpart[t.Category] = m
		}
		m[t.Counterpart] -= t.AmountCents
	}
	out := make([]categoryTotal, 0, len(spent))
	for c, s := range spent {
		top, topAmt := "", int64(-1)
		for cp, amt := range byCounterpart[c] {
			if amt > topAmt || (amt == topAmt && cp < top) {
				top, topAmt = cp, amt
			}
		}
		share := 0.0
		if total > 0 {
			share = float64(s) / float64(total)
		}
		out = append(out, categoryTotal{Category: c, Spent: cents(s), Share: share, Count: count[c], Top: top})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Share > out[j].Share })
	writeJSON(w, http.StatusOK, map[string]interface{}{
		"account": acc.ID, "from": from.Format("2006-01"), "to": to.Format("2006-01"),
		"income": cents(income), "spent": cents(total), "categories": out,
	})
}

func (a *api) listAccounts(w http.ResponseWriter, r *http.Request) {
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit < 1 || limit > 100 {
		limit = 20
	}
	if limit > len(a.ledger.ids) {
		limit = len(a.ledger.ids)
	}
	type row struct {
		ID   string `json:"id"`
		IBAN string `json:"iban"`
		Txs  int    `json:"transactions"`
	}
	out := make([]row, 0, limit)
	for _, id := range a.ledger.ids[:limit] {
		acc := a.ledger.accounts[id]
		out = append(out, row{acc.ID, acc.IBAN, len(acc.Tx)})
	}
	writeJSON(w, http.StatusOK, out)
}
