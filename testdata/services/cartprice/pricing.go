package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

type cartLine struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

type cart struct {
	ID       string     `json:"id"`
	Customer string     `json:"customer"`
	Region   string     `json:"region"`
	Coupon   string     `json:"coupon"`
	Lines    []cartLine `json:"lines"`
}

type promotion struct {
	Code     string  `json:"code"`
	Category string  `json:"category"`
	MinQty   int     `json:"min_qty"`
	PctOff   float64 `json:"pct_off"`
	Coupon   bool    `json:"coupon"`
}

type pricedLine struct {
	Product   *product  `json:"product"`
	Qty       int       `json:"qty"`
	Unit      float64   `json:"unit"`
	Tier      priceTier `json:"tier"`
	Discounts []string  `json:"discounts"`
	Net       float64   `json:"net"`
	Tax       float64   `json:"tax"`
	TaxRate   float64   `json:"tax_rate"`
}

// quoteTrace is everything that went into a quote, for support tickets.
type quoteTrace struct {
	Cart   cart               `json:"cart"`
	Lines  []pricedLine       `json:"lines"`
	Promos []promotion        `json:"promotions_considered"`
	Taxes  map[string]float64 `json:"tax_table"`
	Totals quoteTotals        `json:"totals"`
}

type quoteTotals struct {
	Subtotal float64 `json:"subtotal"`
	Discount float64 `json:"discount"`
	Tax      float64 `json:"tax"`
	Total    float64 `json:"total"`
	Items    int     `json:"items"`
}

type pricer struct {
	cat    *catalog
	promos []promotion
	taxes  map[string]map[string]float64 // region -> tax class -> rate
	log    *logger
}

func defaultPromotions() []promotion {
	return []promotion{
		{Code: "GARDEN10", Category: "garden", MinQty: 1, PctOff: 10},
		{Code: "TOOLS3", Category: "tools", MinQty: 3, PctOff: 7.5},
		{Code: "WINTER15", PctOff: 15, Coupon: true},
		{Code: "LIGHT2", Category: "lighting", MinQty: 2, PctOff: 5},
		{Code: "BATH20", Category: "bath", MinQty: 4, PctOff: 20, Coupon: true},
	}
}

func defaultTaxes() map[string]map[string]float64 {
	return map[string]map[string]float64{
		"DE":    {"standard": 0.19, "reduced": 0.07, "zero": 0},
		"FR":    {"standard": 0.20, "reduced": 0.055, "zero": 0},
		"NL":    {"standard": 0.21, "reduced": 0.09, "zero": 0},
		"US-CA": {"standard": 0.0725, "reduced": 0.0725, "zero": 0},
		"US-OR": {"standard": 0, "reduced": 0, "zero": 0},
	}
}

var errUnknownRegion = errors.New("unknown region")

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// quote prices a cart.
func (p *pricer) quote(c cart) (quoteTotals, []string, error) {
	taxes, ok := p.taxes[c.Region]
	if !ok {
		return quoteTotals{}, nil, errUnknownRegion
	}
	var missing []string
	lines := make([]pricedLine, 0, len(c.Lines))
	qtyByCat := map[string]int{}
	for _, l := range c.Lines {
		pr := p.cat.bySKU[l.SKU]
		if pr == nil || l.Qty <= 0 {
			missing = append(missing, l.SKU)
			continue
		}
		qtyByCat[pr.Category] += l.Qty
		tier := pr.Tiers[0]
		for _, t := range pr.Tiers {
			if l.Qty >= t.MinQty {
				tier = t
			}
		}
		lines = append(lines, pricedLine{Product: pr, Qty: l.Qty, Unit: tier.Unit, Tier: tier, TaxRate: taxes[pr.TaxClass]})
	}
	var t quoteTotals
	for i := range lines {
		ln := &lines[i]
		gross := ln.Unit * float64(ln.Qty)
		pct := 0.0
		for _, pm := range p.promos {
			if pm.Coupon && !strings.EqualFold(pm.Code, c.Coupon) {
				continue
			}
			if pm.Category != "" && (pm.Category != ln.Product.Category || qtyByCat[pm.Category] < pm.MinQty) {
				continue
			}
			if pm.PctOff > pct {
				pct = pm.PctOff
				ln.Discounts = append(ln.Discounts, pm.Code)
			}
		}
		ln.Net = round2(gross * (1 - pct/100))
		ln.Tax = round2(ln.Net * ln.TaxRate)
		t.Subtotal += gross
		t.Discount += gross - ln.Net
		t.Tax += ln.Tax
		t.Items += ln.Qty
	}
	t.Subtotal, t.Discount, t.Tax = round2(t.Subtotal), round2(t.Discount), round2(t.Tax)
	t.Total = round2(t.Subtotal - t.Discount + t.Tax)

	if trace, err := json.Marshal(quoteTrace{Cart: c, Lines: lines, Promos: p.promos, Taxes: taxes, Totals: t}); err == nil {
		p.log.Debugf("quote cart=%s customer=%s trace=%s", c.ID, c.Customer, trace)
	}
	sort.Strings(missing)
	return t, missing, nil
}

func (p *pricer) describe(pm promotion) string {
	if pm.Category == "" {
		return fmt.Sprintf("%s: %.1f%% off the cart", pm.Code, pm.PctOff)
	}
	return fmt.Sprintf("%s: %.1f%% off %s from %d items", pm.Code, pm.PctOff, pm.Category, pm.MinQty)
}
