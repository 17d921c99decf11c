package main

import (
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// rule sends numbers matching Pattern (a regexp over the E.164 number,
// including the leading +) to a trunk. Lower Priority wins; among equal
// priorities the cheaper rate wins.
type rule struct {
	Name      string  `json:"name"`
	Pattern   string  `json:"pattern"`
	Trunk     string  `json:"trunk"`
	Priority  int     `json:"priority"`
	RatePerM  float64 `json:"ratePerMinute"`
	Emergency bool    `json:"emergency,omitempty"`
}

type decision struct {
	Number   string  `json:"number"`
	Rule     string  `json:"rule"`
	Trunk    string  `json:"trunk"`
	RatePerM float64 `json:"ratePerMinute"`
	Checked  int     `json:"rulesChecked"`
}

var errNoRoute = errors.New("no route for number")

type routeTable struct {
	mu    sync.RWMutex
	rules []rule
}

func newRouteTable(rules []rule) *routeTable {
	t := &routeTable{}
	t.replace(rules)
	return t
}

func (t *routeTable) replace(rules []rule) {
	sorted := append([]rule(nil), rules...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Priority != sorted[j].Priority {
			return sorted[i].Priority < sorted[j].Priority
		}
		return sorted[i].RatePerM < sorted[j].RatePerM
	})
	t.mu.Lock()
	t.rules = sorted
	t.mu.Unlock()
}

func (t *routeTable) size() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.rules)
}

// lookup returns the first rule, in priority order, whose pattern matches.
func (t *routeTable) lookup(number string) (decision, error) {
	t.mu.RLock()
	rules := t.rules
	t.mu.RUnlock()
	for i, r := range rules {
		ok, err := regexp.MatchString(r.Pattern, number)
		if err != nil {
			continue // a bad rule from the admin UI must not stop routing
		}
		if ok {
			return decision{Number: number, Rule: r.Name, Trunk: r.Trunk, RatePerM: r.RatePerM, Checked: i + 1}, nil
		}
	}
	return decision{Number: number, Checked: len(rules)}, errNoRoute
}

func trunkNames(rules []rule) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rules {
		if !seen[r.Trunk] {
			seen[r.Trunk] = true
			out = append(out, r.Trunk)
		}
	}
	sort.Strings(out)
	return out
}

// defaultRules is the dial plan shipped with the service; operations edits
// it at run time through the admin UI (not part of this binary).
func defaultRules(region string) []rule {
	local := "trunk-" + strings.ToLower(region) + "-a"
	return []rule{
		{Name: "emergency-eu", Pattern: `^\+(112|999|911)$`, Trunk: "trunk-emergency", Priority: 0, Emergency: true},
		{Name: "uk-london", Pattern: `^\+4420[0-9]{8}$`, Trunk: local, Priority: 10, RatePerM: 0.004},
		{Name: "uk-mobile", Pattern: `^\+447[1-9][0-9]{8}$`, Trunk: "trunk-vodaphone-uk", Priority: 10, RatePerM: 0.011},
		{Name: "uk-geo", Pattern: `^\+44(1[0-9]{8,9}|2[0-9]{9})$`, Trunk: local, Priority: 20, RatePerM: 0.006},
		{Name: "uk-nongeo", Pattern: `^\+44(3|8)[0-9]{9}$`, Trunk: "trunk-bt-wholesale", Priority: 20, RatePerM: 0.021},
		{Name: "ie-mobile", Pattern: `^\+3538[3-9][0-9]{7}$`, Trunk: "trunk-eir", Priority: 10, RatePerM: 0.014},
		{Name: "ie-geo", Pattern: `^\+353(1|2[1-9]|4[0-9]|5[0-9]|6[0-9]|7[0-9]|9[0-9])[0-9]{5,7}$`, Trunk: "trunk-eir", Priority: 20, RatePerM: 0.009},
		{Name: "de-mobile", Pattern: `^\+491(5[0-9]|6[0-9]|7[0-9])[0-9]{7,8}$`, Trunk: "trunk-dtag", Priority: 10, RatePerM: 0.012},
		{Name: "de-berlin", Pattern: `^\+4930[0-9]{6,8}$`, Trunk: "trunk-dtag", Priority: 15, RatePerM: 0.005},
		{Name: "de-munich", Pattern: `^\+4989[0-9]{6,8}$`, Trunk: "trunk-dtag", Priority: 15, RatePerM: 0.005},
		{Name: "de-geo", Pattern: `^\+49[2-9][0-9]{6,10}$`, Trunk: "trunk-dtag", Priority: 20, RatePerM: 0.007},
		{Name: "fr-mobile", Pattern: `^\+33[67][0-9]{8}$`, Trunk: "trunk-orange-fr", Priority: 10, RatePerM: 0.013},
		{Name: "fr-paris", Pattern: `^\+331[0-9]{8}$`, Trunk: "trunk-orange-fr", Priority: 15, RatePerM: 0.006},
		{Name: "fr-geo", Pattern: `^\+33[2-5][0-9]{8}$`, Trunk: "trunk-orange-fr", Priority: 20, RatePerM: 0.007},
		{Name: "es-mobile", Pattern: `^\+34[67][0-9]{8}$`, Trunk: "trunk-telefonica", Priority: 10, RatePerM: 0.012},
		{Name: "es-geo", Pattern: `^\+34[89][0-9]{8}$`, Trunk: "trunk-telefonica", Priority: 20, RatePerM: 0.008},
		{Name: "it-mobile", Pattern: `^\+393[0-9]{8,9}$`, Trunk: "trunk-tim", Priority: 10, RatePerM: 0.015},
		{Name: "it-geo", Pattern: `^\+390[0-9]{5,10}$`, Trunk: "trunk-tim", Priority: 20, RatePerM: 0.009},
		{Name: "nl-mobile", Pattern: `^\+316[0-9]{8}$`, Trunk: "trunk-kpn", Priority: 10, RatePerM: 0.012},
		{Name: "nl-geo", Pattern: `^\+31[1-57][0-9]{8}$`, Trunk: "trunk-kpn", Priority: 20, RatePerM: 0.007},
		{Name: "be-all", Pattern: `^\+32[0-9]{8,9}$`, Trunk: "trunk-proximus", Priority: 20, RatePerM: 0.010},
		{Name: "ch-all", Pattern: `^\+41[0-9]{9}$`, Trunk: "trunk-swisscom", Priority: 20, RatePerM: 0.018},
		{Name: "at-all", Pattern: `^\+43[0-9]{4,13}$`, Trunk: "trunk-a1", Priority: 20, RatePerM: 0.012},
		{Name: "pl-all", Pattern: `^\+48[0-9]{9}$`, Trunk: "trunk-orange-pl", Priority: 20, RatePerM: 0.011},
		{Name: "se-all", Pattern: `^\+46[0-9]{7,9}$`, Trunk: "trunk-telia", Priority: 20, RatePerM: 0.010},
		{Name: "no-all", Pattern: `^\+47[0-9]{8}$`, Trunk: "trunk-telia", Priority: 20, RatePerM: 0.010},
		{Name: "dk-all", Pattern: `^\+45[0-9]{8}$`, Trunk: "trunk-telia", Priority: 20, RatePerM: 0.010},
		{Name: "fi-all", Pattern: `^\+358[0-9]{6,11}$`, Trunk: "trunk-telia", Priority: 20, RatePerM: 0.011},
		{Name: "pt-all", Pattern: `^\+351[29][0-9]{8}$`, Trunk: "trunk-meo", Priority: 20, RatePerM: 0.010},
		{Name: "us-tollfree", Pattern: `^\+1(800|833|844|855|866|877|888)[2-9][0-9]{6}$`, Trunk: "trunk-twilio-us", Priority: 10, RatePerM: 0.000},
		{Name: "us-ca-nanp", Pattern: `^\+1[2-9][0-9]{2}[2-9][0-9]{6}$`, Trunk: "trunk-twilio-us", Priority: 20, RatePerM: 0.003},
		{Name: "au-mobile", Pattern: `^\+614[0-9]{8}$`, Trunk: "trunk-telstra", Priority: 10, RatePerM: 0.035},
		{Name: "au-geo", Pattern: `^\+61[2378][0-9]{8}$`, Trunk: "trunk-telstra", Priority: 20, RatePerM: 0.020},
		{Name: "jp-all", Pattern: `^\+81[0-9]{9,10}$`, Trunk: "trunk-ntt", Priority: 20, RatePerM: 0.040},
		{Name: "in-mobile", Pattern: `^\+91[6-9][0-9]{9}$`, Trunk: "trunk-tata", Priority: 10, RatePerM: 0.016},
		{Name: "br-all", Pattern: `^\+55[1-9]{2}9?[0-9]{8}$`, Trunk: "trunk-embratel", Priority: 20, RatePerM: 0.030},
		{Name: "za-all", Pattern: `^\+27[0-9]{9}$`, Trunk: "trunk-vodacom", Priority: 20, RatePerM: 0.045},
		{Name: "premium-block", Pattern: `^\+(44(9|70)|3390|4990|3489)[0-9]+$`, Trunk: "trunk-reject", Priority: 5},
		{Name: "intl-fallback", Pattern: `^\+[1-9][0-9]{6,14}$`, Trunk: "trunk-bics-global", Priority: 90, RatePerM: 0.080},
	}
}

// wholesaleDeck is the carrier rate deck (normally the nightly CSV from the
// wholesale partner): one rule per country code and number range, cheaper
// than the fallback but behind the direct interconnects above.
func wholesaleDeck() []rule {
	type cc struct {
		code, name string
		nsn        string // national significant number length, as a regexp quantifier
		base       float64
	}
	countries := []cc{
		{"20", "eg", "{9,10}", 0.061}, {"212", "ma", "{9}", 0.094}, {"213", "dz", "{8,9}", 0.112}, {"216", "tn", "{8}", 0.101},
		{"221", "sn", "{9}", 0.152}, {"225", "ci", "{8,10}", 0.171}, {"233", "gh", "{9}", 0.133}, {"234", "ng", "{8,10}", 0.089},
		{"254", "ke", "{9}", 0.072}, {"255", "tz", "{9}", 0.128}, {"256", "ug", "{9}", 0.141}, {"260", "zm", "{9}", 0.119},
		{"30", "gr", "{10}", 0.014}, {"36", "hu", "{8,9}", 0.016}, {"40", "ro", "{9}", 0.013}, {"420", "cz", "{9}", 0.012},
		{"421", "sk", "{9}", 0.015}, {"352", "lu", "{6,11}", 0.017}, {"354", "is", "{7}", 0.029}, {"356", "mt", "{8}", 0.021},
		{"357", "cy", "{8}", 0.019}, {"359", "bg", "{8,9}", 0.022}, {"370", "lt", "{8}", 0.018}, {"371", "lv", "{8}", 0.018},
		{"372", "ee", "{7,8}", 0.020}, {"380", "ua", "{9}", 0.041}, {"381", "rs", "{8,9}", 0.044}, {"385", "hr", "{8,9}", 0.024},
		{"386", "si", "{8}", 0.023}, {"90", "tr", "{10}", 0.027}, {"7", "ru", "{10}", 0.038}, {"972", "il", "{8,9}", 0.021},
		{"971", "ae", "{8,9}", 0.058}, {"966", "sa", "{9}", 0.066}, {"974", "qa", "{8}", 0.071}, {"965", "kw", "{8}", 0.069},
		{"92", "pk", "{9,10}", 0.053}, {"880", "bd", "{10}", 0.031}, {"94", "lk", "{9}", 0.062}, {"977", "np", "{8,10}", 0.081},
		{"86", "cn", "{10,11}", 0.019}, {"852", "hk", "{8}", 0.012}, {"853", "mo", "{8}", 0.025}, {"886", "tw", "{8,9}", 0.031},
		{"82", "kr", "{9,10}", 0.022}, {"65", "sg", "{8}", 0.011}, {"60", "my", "{8,10}", 0.024}, {"62", "id", "{9,11}", 0.039},
		{"63", "ph", "{10}", 0.121}, {"66", "th", "{8,9}", 0.028}, {"84", "vn", "{9,10}", 0.067}, {"64", "nz", "{8,10}", 0.023},
		{"52", "mx", "{10}", 0.017}, {"54", "ar", "{10}", 0.034}, {"56", "cl", "{9}", 0.021}, {"57", "co", "{10}", 0.026},
		{"51", "pe", "{8,9}", 0.029}, {"58", "ve", "{10}", 0.091}, {"593", "ec", "{8,9}", 0.083}, {"598", "uy", "{8}", 0.074},
	}
	ranges := []struct {
		kind, lead string
		markup     float64
	}{
		{"mobile", "[6-9]", 1.6},
		{"geo", "[1-5]", 1.0},
		{"any", "[0-9]", 2.1},
	}
	out := make([]rule, 0, len(countries)*len(ranges))
	for _, c := range countries {
		for _, r := range ranges {
			out = append(out, rule{
				Name:     "ws-" + c.name + "-" + r.kind,
				Pattern:  `^\+` + c.code + r.lead + `[0-9]` + lessOne(c.nsn) + `$`,
				Trunk:    "trunk-bics-global",
				Priority: 50,
				RatePerM: c.base * r.markup,
			})
		}
	}
	return out
}

// lessOne turns "{9,10}" into "{8,9}": the leading digit is matched separately.
func lessOne(q string) string {
	inner := strings.Trim(q, "{}")
	parts := strings.Split(inner, ",")
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			return q
		}
		parts[i] = strconv.Itoa(n - 1)
	}
	return "{" + strings.Join(parts, ",") + "}"
}
