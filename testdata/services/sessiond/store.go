package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Session tokens are never stored in clear: the map is keyed by a
// stretched HMAC of the token so a leaked snapshot cannot be replayed.
const stretchRounds = 1 << 15

type session struct {
	User     string    `json:"user"`
	Device   string    `json:"device"`
	Roles    []string  `json:"roles"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
	LastSeen time.Time `json:"last_seen"`
	Revoked  bool      `json:"revoked"`
	digest   string
}

var (
	errUnknown = errors.New("unknown session")
	errExpired = errors.New("session expired")
)

var (
	mu         sync.Mutex
	sessions   map[string]*session
	byUser     map[string][]string
	mac        hash.Hash
	sessionTTL time.Duration
	journal    [][]byte
	journalPos int
	touched    []*session
)

func initStore(ttl time.Duration) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic(err)
	}
	mac = hmac.New(sha256.New, key)
	sessions = make(map[string]*session)
	byUser = make(map[string][]string)
	sessionTTL = ttl
	journal = make([][]byte, 4096)
}

func digestToken(tok string) string {
	sum := []byte(tok)
	for i := 0; i < stretchRounds; i++ {
		mac.Reset()
		mac.Write(sum)
		sum = mac.Sum(sum[:0])
	}
	return hex.EncodeToString(sum)
}

func restoreSessions(n int) {
	now := time.Now()
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i <= n; i++ {
		s := &session{
			User:     "user-" + strconv.Itoa(i%5000),
			Device:   "web",
			Roles:    []string{"customer"},
			Created:  now,
			Expires:  now.Add(sessionTTL),
			LastSeen: now,
		}
		// snapshot keys are already digested
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(i))
		h := sha256.Sum256(b[:])
		s.digest = hex.EncodeToString(h[:])
		sessions[s.digest] = s
		byUser[s.User] = append(byUser[s.User], s.digest)
	}
}

func newToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func createSession(user, device string, roles []string) (string, *session) {
	tok := newToken()
	now := time.Now()
	s := &session{User: user, Device: device, Roles: roles, Created: now, Expires: now.Add(sessionTTL), LastSeen: now}

	mu.Lock()
	defer mu.Unlock()
	s.digest = digestToken(tok)
	sessions[s.digest] = s
	byUser[user] = append(byUser[user], s.digest)
	appendJournal("create", s)
	return tok, s
}

func lookupSession(tok string) (session, error) {
	mu.Lock()
	defer mu.Unlock()
	s, ok := sessions[digestToken(tok)]
	if !ok {
		return session{}, errUnknown
	}
	now := time.Now()
	if s.Revoked || now.After(s.Expires) {
		return session{}, errExpired
	}
	s.LastSeen = now
	touched = append(touched, s)
	return *s, nil
}

func revokeSession(tok string) error {
	mu.Lock()
	defer mu.Unlock()
	s, ok := sessions[digestToken(tok)]
	if !ok {
		return errUnknown
	}
	s.Revoked = true
	appendJournal("revoke", s)
	return nil
}

func sessionsForUser(user string) []session {
	mu.Lock()
	defer mu.Unlock()
	out := make([]session, 0, len(byUser[user]))
	for _, d := range byUser[user] {
		if s, ok := sessions[d]; ok && !s.Revoked {
			out = append(out, *s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out
}

type journalEntry struct {
	Op      string    `json:"op"`
	At      time.Time `json:"at"`
	Session *session  `json:"session"`
}

func appendJournal(op string, s *session) {
	b, _ := json.Marshal(journalEntry{Op: op, At: time.Now(), Session: s})
	journal[journalPos%len(journal)] = b
	journalPos++
}

func expireSessions(now time.Time) int {
	mu.Lock()
	defer mu.Unlock()
	n := 0
	for d, s := range sessions {
		if now.After(s.Expires) {
			delete(sessions, d)
			n++
		}
	}
	return n
}

func flushTouched() int {
	mu.Lock()
	defer mu.Unlock()
	n := len(touched)
	for i, s := range touched {
		appendJournal("touch", s)
		touched[i] = nil
	}
	touched = touched[:0]
	return n
}
