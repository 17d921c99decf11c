package main

import (
	"fmt"
	"math/rand"
	"sort"
	"time"
)

type transaction struct {
	ID          string
	Booked      time.Time
	AmountCents int64 // negative: money out
	Currency    string
	Counterpart string
	Category    string
	Reference   string
}

type account struct {
	ID      string
	Holder  string
	IBAN    string
	Opening int64 // balance before the first transaction, cents
	Tx      []transaction // sorted by Booked
}

type ledger struct {
	accounts map[string]*account
	ids      []string
	count    int
}

var merchants = []struct{ name, category string }{
	{"REWE Markt", "groceries"}, {"Lidl", "groceries"}, {"Deutsche Bahn", "travel"}, {"Lufthansa", "travel"},
	{"Stadtwerke", "utilities"}, {"Vodafone", "utilities"}, {"Amazon EU", "shopping"}, {"Zalando", "shopping"},
	{"Spotify", "subscriptions"}, {"Netflix", "subscriptions"}, {"Shell", "fuel"}, {"Aral", "fuel"},
	{"Apotheke am Markt", "health"}, {"Cafe Kranzler", "eating out"}, {"Vapiano", "eating out"},
}

// loadLedger builds the snapshot the nightly export would load; the data is
// generated deterministically so every start serves the same statements.
func loadLedger(nAccounts, perAccount int) *ledger {
	rng := rand.New(rand.NewSource(42))
	l := &ledger{accounts: make(map[string]*account, nAccounts)}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < nAccounts; i++ {
		a := &account{
			ID:      fmt.Sprintf("A%d", i),
			Holder:  fmt.Sprintf("Customer %d", i),
			IBAN:    fmt.Sprintf("DE89 3704 0044 %04d %04d 00", i/10000, i%10000),
			Opening: int64(rng.Intn(500000)),
		}
		a.Tx = make([]transaction, 0, perAccount+12)
		for m := 0; m < 12; m++ {
			a.Tx = append(a.Tx, transaction{
				ID: fmt.Sprintf("%s-sal-%02d", a.ID, m), Booked: base.AddDate(0, m, 0).Add(9 * time.Hour),
				AmountCents: 280000 + int64(rng.Intn(90000)), Currency: "EUR", Counterpart: "Employer GmbH", Category: "income", Reference: "Salary",
			})
		}
		for t := 0; t < perAccount; t++ {
			mc := merchants[rng.Intn(len(merchants))]
			a.Tx = append(a.Tx, transaction{
				ID: fmt.Sprintf("%s-%06d", a.ID, t), Booked: base.Add(time.Duration(rng.Int63n(int64(365 * 24 * time.Hour)))),
				AmountCents: -int64(150 + rng.Intn(18000)), Currency: "EUR", Counterpart: mc.name, Category: mc.category,
				Reference: fmt.Sprintf("Card payment %04d", rng.Intn(10000)),
			})
		}
		sort.Slice(a.Tx, func(x, y int) bool { return a.Tx[x].Booked.Before(a.Tx[y].Booked) })
		l.accounts[a.ID] = a
		l.ids = append(l.ids, a.ID)
		l.count += len(a.Tx)
	}
	return l
}

// balanceBefore is the account's balance at the start of t.
func (a *account) balanceBefore(t time.Time) int64 {
	bal := a.Opening
	for i := range a.Tx {
		if !a.Tx[i].Booked.Before(t) {
			break
		}
		bal += a.Tx[i].AmountCents
	}
	return bal
}

// between returns the transactions booked in [from, to).
func (a *account) between(from, to time.Time) []transaction {
	lo := sort.Search(len(a.Tx), func(i int) bool { return !a.Tx[i].Booked.Before(from) })
	hi := sort.Search(len(a.Tx), func(i int) bool { return !a.Tx[i].Booked.Before(to) })
	return a.Tx[lo:hi]
}
