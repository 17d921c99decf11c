package main

import (
	"context"
	"fmt"
	"math/rand"
	"path"
	"sort"
	"sync"
	"time"
)

type policy struct {
	ID       string `json:"id"`
	Group    string `json:"group"`
	Action   string `json:"action"`
	Resource string `json:"resource"` // path.Match pattern
	Effect   string `json:"effect"`   // allow | deny
}

type decision struct {
	Allowed bool   `json:"allowed"`
	Policy  string `json:"policy,omitempty"`
	Reason  string `json:"reason"`
}

// policyStore holds the policies and the directory; the identity feed updates
// both while checks read them.
type policyStore struct {
	mu       sync.RWMutex
	dir      *directory
	byAction map[string][]policy
	version  int64
	updated  time.Time
}

var actions = []string{"read", "write", "delete", "admin", "deploy", "approve"}

func seedPolicies(d *directory) []policy {
	rng := rand.New(rand.NewSource(7))
	var ps []policy
	resources := []string{"repo/*", "repo/payments/*", "env/prod/*", "env/staging/*", "bucket/reports/*", "ledger/*", "dash/*"}
	for i := 0; i < 2400; i++ {
		effect := "allow"
		if i%17 == 0 {
			effect = "deny"
		}
		ps = append(ps, policy{
			ID: fmt.Sprintf("pol-%05d", i), Group: d.groups[rng.Intn(len(d.groups))], Action: actions[rng.Intn(len(actions))],
			Resource: resources[rng.Intn(len(resources))], Effect: effect,
		})
	}
	return ps
}

func newPolicyStore(d *directory, ps []policy) *policyStore {
	s := &policyStore{dir: d, byAction: map[string][]policy{}, updated: time.Now()}
	for _, p := range ps {
		s.byAction[p.Action] = append(s.byAction[p.Action], p)
	}
	return s
}

// check decides one request: a deny wins over an allow; no match is a deny.
func (s *policyStore) check(user, action, resource string) decision {
	s.mu.RLock()
	defer s.mu.RUnlock()
	groups := s.dir.memberships(user)
	if len(groups) == 0 {
		return decision{Reason: "unknown user"}
	}
	var allow *policy
	for i := range s.byAction[action] {
		p := &s.byAction[action][i]
		if !groups[p.Group] {
			continue
		}
		if ok, _ := path.Match(p.Resource, resource); !ok {
			continue
		}
		if p.Effect == "deny" {
			return decision{Policy: p.ID, Reason: "denied by policy"}
		}
		if allow == nil {
			allow = p
		}
	}
	if allow != nil {
		return decision{Allowed: true, Policy: allow.ID, Reason: "allowed by policy"}
	}
	return decision{Reason: "no matching policy"}
}

func (s *policyStore) groupsOf(user string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for g := range s.dir.memberships(user) {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

func (s *policyStore) snapshot() (int64, time.Time, int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, ps := range s.byAction {
		n += len(ps)
	}
	return s.version, s.updated, n
}

// apply installs one change from the identity feed.
func (s *policyStore) apply(c change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch c.kind {
	case "membership":
		gs := s.dir.userGroups[c.user]
		if len(gs) > 0 {
			gs[len(gs)-1] = c.group
		}
	case "policy":
		ps := s.byAction[c.policy.Action]
		for i := range ps {
			if ps[i].ID == c.policy.ID {
				ps[i] = c.policy
			}
		}
	}
	s.version++
	s.updated = time.Now()
}

// follow polls the identity feed and applies what changed.
func (s *policyStore) follow(ctx context.Context, f *identityFeed, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for _, c := range f.poll() {
				s.apply(c)
			}
		}
	}
}

type change struct {
	kind   string
	user   string
	group  string
	policy policy
}

// identityFeed stands in for the identity service's change stream.
type identityFeed struct {
	rng *rand.Rand
	dir *directory
}

func newIdentityFeed(d *directory, seed int64) *identityFeed {
	return &identityFeed{rng: rand.New(rand.NewSource(seed)), dir: d}
}

func (f *identityFeed) poll() []change {
	n := 1 + f.rng.Intn(3)
	out := make([]change, 0, n)
	for i := 0; i < n; i++ {
		if f.rng.Intn(4) == 0 {
			out = append(out, change{kind: "policy", policy: policy{
				ID: fmt.Sprintf("pol-%05d", f.rng.Intn(2400)), Group: f.dir.groups[f.rng.Intn(len(f.dir.groups))],
				Action: actions[f.rng.Intn(len(actions))], Resource: "repo/*", Effect: "allow",
			}})
			continue
		}
		out = append(out, change{kind: "membership", user: f.dir.users[f.rng.Intn(len(f.dir.users))], group: f.dir.groups[len(f.dir.groups)/2+f.rng.Intn(len(f.dir.groups)/2)]})
	}
	return out
}
