package main

import (
	"errors"
	"hash/crc32"
	"math/rand"
	"sync"
	"time"
)

// paymentGateway stands in for the card processor's authorization API.
type paymentGateway struct {
	mu   sync.Mutex
	rng  *rand.Rand
	base time.Duration
}

func newPaymentGateway(base time.Duration) *paymentGateway {
	return &paymentGateway{rng: rand.New(rand.NewSource(time.Now().UnixNano())), base: base}
}

var errDeclined = errors.New("payment declined")

func (p *paymentGateway) authorize(customer string, amountCents int) (string, error) {
	p.mu.Lock()
	jitter := time.Duration(p.rng.Int63n(int64(p.base)))
	p.mu.Unlock()
	time.Sleep(p.base + jitter)
	if amountCents <= 0 {
		return "", errDeclined
	}
	return "auth_" + customer + "_" + itoa36(crc32.ChecksumIEEE([]byte(customer))), nil
}

func itoa36(v uint32) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	if v == 0 {
		return "0"
	}
	var b [8]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = digits[v%36]
		v /= 36
	}
	return string(b[i:])
}
