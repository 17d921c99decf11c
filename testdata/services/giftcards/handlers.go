package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
)

type api struct {
	store *cardStore
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func errorCode(err error) int {
	switch {
	case errors.Is(err, errUnknownCard):
		return http.StatusNotFound
	case errors.Is(err, errInsufficient), errors.Is(err, errDeclined), errors.Is(err, errFrozen):
		return http.StatusPaymentRequired
	}
	return http.StatusBadGateway
}

func (a *api) issue(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var in struct {
		Cents    int64  `json:"amountCents"`
		Currency string `json:"currency"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in); err != nil || in.Cents <= 0 || in.Cents > 100000 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "amountCents must be 1..100000"})
		return
	}
	if in.Currency == "" {
		in.Currency = "EUR"
	}
	c := a.store.issue(in.Cents, in.Currency)
	writeJSON(w, http.StatusCreated, cardView{Code: c.Code, Cents: c.Cents, Currency: c.Currency})
}

func (a *api) balance(w http.ResponseWriter, r *http.Request) {
	v, err := a.store.balance(r.URL.Query().Get("code"))
	if err != nil {
		writeJSON(w, errorCode(err), map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (a *api) history(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	h, err := a.store.history(r.URL.Query().Get("code"), limit)
	if err != nil {
		writeJSON(w, errorCode(err), map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"movements": h})
}

type amountRequest struct {
	Code     string `json:"code"`
	Cents    int64  `json:"amountCents"`
	Merchant string `json:"merchant"`
}

func decodeAmount(w http.ResponseWriter, r *http.Request) (amountRequest, bool) {
	var in amountRequest
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return in, false
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in); err != nil || in.Code == "" || in.Cents <= 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "code and a positive amountCents are required"})
		return in, false
	}
	return in, true
}

func (a *api) redeem(w http.ResponseWriter, r *http.Request) {
	in, ok := decodeAmount(w, r)
	if !ok {
		return
	}
	v, ref, err := a.store.redeem(r.Context(), in.Code, in.Merchant, in.Cents)
	if err != nil {
		writeJSON(w, errorCode(err), map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"card": v, "ref": ref})
}

func (a *api) reload(w http.ResponseWriter, r *http.Request) {
	in, ok := decodeAmount(w, r)
	if !ok {
		return
	}
	v, err := a.store.reload(in.Code, in.Cents)
	if err != nil {
		writeJSON(w, errorCode(err), map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, v)
}
