package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

type Profile struct {
	ID          string            `json:"id"`
	DisplayName string            `json:"display_name"`
	Email       string            `json:"email"`
	Team        string            `json:"team"`
	Locale      string            `json:"locale"`
	TimeZone    string            `json:"time_zone"`
	Notify      map[string]bool   `json:"notify"`
	Attributes  map[string]string `json:"attributes,omitempty"`
	Version     int               `json:"version"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

var (
	errNotFound = errors.New("profile not found")
	errConflict = errors.New("version conflict")
)

type profileStore struct {
	mu     sync.RWMutex
	byID   map[string]*Profile
	byTeam map[string]map[string]struct{}
}

func newProfileStore() *profileStore {
	return &profileStore{byID: make(map[string]*Profile), byTeam: make(map[string]map[string]struct{})}
}

var teams = []string{"platform", "payments", "growth", "mobile", "data", "support", "design"}
var locales = []string{"en-GB", "en-US", "de-DE", "fr-FR", "es-ES", "nl-NL"}

func (s *profileStore) seed(n int) {
	now := time.Now().UTC()
	for i := 0; i < n; i++ {
		p := &Profile{
			ID:          fmt.Sprintf("u%d", i),
			DisplayName: fmt.Sprintf("Member %d", i),
			Email:       fmt.Sprintf("member%d@example.org", i),
			Team:        teams[i%len(teams)],
			Locale:      locales[i%len(locales)],
			TimeZone:    "Europe/London",
			Notify:      map[string]bool{"email": true, "push": i%3 == 0, "digest": i%2 == 0},
			Version:     1,
			UpdatedAt:   now,
		}
		s.put(p)
	}
}

func (s *profileStore) put(p *Profile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.byID[p.ID]; ok && old.Team != p.Team {
		delete(s.byTeam[old.Team], p.ID)
	}
	s.byID[p.ID] = p
	m := s.byTeam[p.Team]
	if m == nil {
		m = make(map[string]struct{})
		s.byTeam[p.Team] = m
	}
	m[p.ID] = struct{}{}
}

func (s *profileStore) get(id string) (Profile, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.byID[id]
	if !ok {
		return Profile{}, errNotFound
	}
	return *p, nil
}

type profilePatch struct {
	DisplayName *string         `json:"display_name"`
	Team        *string         `json:"team"`
	Locale      *string         `json:"locale"`
	TimeZone    *string         `json:"time_zone"`
	Notify      map[string]bool `json:"notify"`
	Version     int             `json:"version"`
}

func (s *profileStore) update(id string, patch profilePatch) (Profile, error) {
	s.mu.Lock()
	cur, ok := s.byID[id]
	if !ok {
		s.mu.Unlock()
		return Profile{}, errNotFound
	}
	if patch.Version != 0 && patch.Version != cur.Version {
		s.mu.Unlock()
		return Profile{}, errConflict
	}
	next := *cur
	next.Notify = make(map[string]bool, len(cur.Notify))
	for k, v := range cur.Notify {
		next.Notify[k] = v
	}
	if patch.DisplayName != nil {
		next.DisplayName = strings.TrimSpace(*patch.DisplayName)
	}
	if patch.Team != nil {
		next.Team = *patch.Team
	}
	if patch.Locale != nil {
		next.Locale = *patch.Locale
	}
	if patch.TimeZone != nil {
		next.TimeZone = *patch.TimeZone
	}
	for k, v := range patch.Notify {
		next.Notify[k] = v
	}
	next.Version++
	next.UpdatedAt = time.Now().UTC()
	s.mu.Unlock()
	s.put(&next)
	return next, nil
}

func (s *profileStore) teamMembers(team string, limit int) []Profile {
	s.mu.RLock()
	ids := make([]string, 0, len(s.byTeam[team]))
	for id := range s.byTeam[team] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if len(ids) > limit {
		ids = ids[:limit]
	}
	out := make([]Profile, 0, len(ids))
	for _, id := range ids {
		out = append(out, *s.byID[id])
	}
	s.mu.RUnlock()
	return out
}
