package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

type app struct {
	pay    *paymentGateway
	orders *orderBook
	wh     *warehouse
	trk    *tracker
}

type createOrder struct {
	Customer string      `json:"customer"`
	SKU      string      `json:"sku"`
	Qty      int         `json:"qty"`
	Lines    []orderLine `json:"lines"`
}

func (a *app) handleOrders(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		var in createOrder
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&in); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON"})
			return
		}
		lines := in.Lines
		if in.SKU != "" {
			lines = append(lines, orderLine{SKU: in.SKU, Qty: in.Qty})
		}
		o, err := a.placeOrder(in.Customer, lines)
		if err != nil {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusCreated, o.view())
	case http.MethodGet:
		n, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		if n <= 0 || n > 50 {
			n = 20
		}
		list := a.orders.latest(n)
		views := make([]orderView, len(list))
		for i, o := range list {
			views[i] = o.view()
		}
		writeJSON(w, http.StatusOK, map[string]interface{}{"orders": views})
	default:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
	}
}

// placeOrder authorizes payment, records the order, reserves stock and hands
// the order to the warehouse.
func (a *app) placeOrder(customer string, lines []orderLine) (*order, error) {
	units := 0
	for _, l := range lines {
		units += l.Qty
	}
	if _, err := a.pay.authorize(customer, units*1299); err != nil {
		return nil, err
	}
	o, err := a.orders.create(customer, lines)
	if err != nil {
		return nil, err
	}
	a.trk.follow(o)
	if !a.wh.reserve(o.Lines) {
		o.setStatus(statusBackorder, "")
		return o, nil
	}
	if !a.wh.submit(o) {
		o.setStatus(statusBackorder, "")
	}
	return o, nil
}

func (a *app) handleOrder(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/v1/orders/")
	id, action := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		id, action = rest[:i], rest[i+1:]
	}
	o, err := a.orders.get(id)
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		return
	}
	switch {
	case action == "" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, o.view())
	case action == "cancel" && r.Method == http.MethodPost:
		v := o.view()
		if v.Status == statusShipped {
			writeJSON(w, http.StatusConflict, map[string]string{"error": "already shipped"})
			return
		}
		a.trk.stop(o.ID)
		o.setStatus(statusCancelled, "")
		writeJSON(w, http.StatusOK, o.view())
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
	}
}

func (a *app) handleStock(w http.ResponseWriter, r *http.Request) {
	sku := strings.ToUpper(r.URL.Query().Get("sku"))
	if sku == "" {
		writeJSON(w, http.StatusOK, map[string]interface{}{
			"tracked_orders": a.trk.pending(),
			"shipped":        atomic.LoadInt64(&a.trk.shipped),
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"sku": sku, "on_hand": a.wh.level(sku)})
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
