// Command taxgate calculates sales tax for carts at checkout.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"math"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

type CartLine struct {
	SKU      string  `json:"sku"`
	Amount   float64 `json:"amount"`
	Category string  `json:"category"`
}

type taxRequest struct {
	Zip   string     `json:"zip"`
	State string     `json:"state"`
	Lines []CartLine `json:"lines"`
}

type taxLine struct {
	SKU    string  `json:"sku"`
	Amount float64 `json:"amount"`
	Tax    float64 `json:"tax"`
}

type taxResult struct {
	Zip       string    `json:"zip"`
	Rate      float64   `json:"rate"`
	Estimated bool      `json:"estimated"`
	Lines     []taxLine `json:"lines"`
	TotalTax  float64   `json:"totalTax"`
}

// fallback state rates used when the provider does not know a postal code.
var stateFallback = map[string]float64{"CA": 0.0725, "NY": 0.04, "TX": 0.0625, "WA": 0.065, "IL": 0.0625, "FL": 0.06, "CO": 0.029, "PA": 0.06}

var exempt = map[string]bool{"groceries": true, "prescription": true}

type server struct {
	tax *taxClient

	mu        sync.Mutex
	committed []string
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

func (s *server) calculate(req taxRequest) (taxResult, error) {
	res := taxResult{Zip: req.Zip}
	jr, err := s.tax.lookupRate(req.Zip)
	switch {
	case err == errNoJurisdiction:
		rate, ok := stateFallback[strings.ToUpper(req.State)]
		if !ok {
			return res, err
		}
		res.Rate, res.Estimated = rate, true
	case err != nil:
		return res, err
	default:
		res.Rate = jr.Total()
	}
	for _, l := range req.Lines {
		t := 0.0
		if !exempt[l.Category] {
			t = round2(l.Amount * res.Rate)
		}
		res.Lines = append(res.Lines, taxLine{SKU: l.SKU, Amount: l.Amount, Tax: t})
		res.TotalTax += t
	}
	res.TotalTax = round2(res.TotalTax)
	return res, nil
}

func (s *server) handleCalculate(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var req taxRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Zip == "" || len(req.Lines) == 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "zip and lines are required"})
		return
	}
	res, err := s.calculate(req)
	if err == errNoJurisdiction {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "unknown postal code and no state given"})
		return
	} else if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *server) handleRate(w http.ResponseWriter, r *http.Request) {
	zip := strings.TrimPrefix(r.URL.Path, "/v1/rates/")
	jr, err := s.tax.lookupRate(zip)
	if err == errNoJurisdiction {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown postal code"})
		return
	} else if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"zip": zip, "rate": jr.Total(), "components": jr.Components})
}

func (s *server) handleCommit(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Order string  `json:"order"`
		Tax   float64 `json:"tax"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Order == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "order is required"})
		return
	}
	s.mu.Lock()
	s.committed = append(s.committed, body.Order)
	if len(s.committed) > 2000 {
		s.committed = append([]string(nil), s.committed[1000:]...)
	}
	n := len(s.committed)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]interface{}{"order": body.Order, "recent": n})
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	providerURL := flag.String("provider", "", "tax provider base URL (default: local sandbox)")
	flag.Parse()

	base := *providerURL
	if base == "" {
		var err error
		if base, err = startProviderSandbox(); err != nil {
			log.Fatalf("sandbox: %v", err)
		}
	}
	s := &server{tax: newTaxClient(base)}
	http.HandleFunc("/v1/tax/calculate", s.handleCalculate)
	http.HandleFunc("/v1/rates/", s.handleRate)
	http.HandleFunc("/v1/tax/commit", s.handleCommit)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("taxgate listening on %s", ln.Addr())
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}
