package main

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"sync"
)

// configStore holds the flag configuration document as published by the
// admin console: environments -> flags -> variants and targeting rules.
type configStore struct {
	mu      sync.RWMutex
	doc     map[string]interface{}
	version int
}

var store = &configStore{}

var segments = []string{"beta-testers", "employees", "eu-users", "us-users", "mobile", "enterprise", "free-tier", "churn-risk"}
var attributes = []string{"country", "plan", "platform", "appVersion", "segment", "accountAgeDays"}
var operators = []string{"in", "notIn", "gte", "lte", "semverGte", "startsWith"}

func syntheticFlag(rng *rand.Rand, i int) map[string]interface{} {
	rules := make([]interface{}, 0, 4)
	for r := 0; r < 2+rng.Intn(3); r++ {
		conds := make([]interface{}, 0, 3)
		for c := 0; c < 1+rng.Intn(3); c++ {
			conds = append(conds, map[string]interface{}{
				"attribute": attributes[rng.Intn(len(attributes))],
				"operator":  operators[rng.Intn(len(operators))],
				"values":    []interface{}{segments[rng.Intn(len(segments))], fmt.Sprintf("v%d", rng.Intn(9))},
			})
		}
		rules = append(rules, map[string]interface{}{
			"id":         fmt.Sprintf("rule-%d-%d", i, r),
			"conditions": conds,
			"serve":      map[string]interface{}{"variant": []string{"on", "off", "treatment"}[rng.Intn(3)]},
		})
	}
	return map[string]interface{}{
		"enabled":     rng.Intn(5) != 0,
		"description": fmt.Sprintf("Rollout of feature %d", i),
		"owner":       []string{"checkout", "growth", "search", "platform", "mobile"}[rng.Intn(5)],
		"variants": map[string]interface{}{
			"on":        map[string]interface{}{"value": true, "weight": 50},
			"off":       map[string]interface{}{"value": false, "weight": 50},
			"treatment": map[string]interface{}{"value": "b", "weight": 0},
		},
		"rollout": map[string]interface{}{"percent": float64(rng.Intn(101)), "stickiness": "userId", "seed": float64(rng.Intn(1 << 20))},
		"rules":   rules,
		"default": "off",
		"tags":    []interface{}{"team:" + []string{"a", "b", "c"}[rng.Intn(3)], "q" + fmt.Sprint(1+rng.Intn(4))},
	}
}

// loadSynthetic builds the configuration the service boots with; in
// production it is fetched from the admin console.
func (s *configStore) loadSynthetic(flagsPerEnv int) error {
	rng := rand.New(rand.NewSource(7))
	envs := map[string]interface{}{}
	for _, env := range []string{"prod", "staging", "dev"} {
		flags := map[string]interface{}{}
		for i := 0; i < flagsPerEnv; i++ {
			flags[fmt.Sprintf("feature_%03d", i)] = syntheticFlag(rng, i)
		}
		envs[env] = map[string]interface{}{"flags": flags, "segmentsVersion": float64(3)}
	}
	doc := map[string]interface{}{"environments": envs, "schema": float64(2)}
	// round-trip so the document has exactly the shape a JSON fetch produces
	raw, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	var fresh map[string]interface{}
	if err := json.Unmarshal(raw, &fresh); err != nil {
		return err
	}
	s.mu.Lock()
	s.doc = fresh
	s.version++
	s.mu.Unlock()
	return nil
}

func (s *configStore) snapshot() (map[string]interface{}, int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.doc, s.version
}

func (s *configStore) environment(env string) (map[string]interface{}, int, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	envs, _ := s.doc["environments"].(map[string]interface{})
	e, ok := envs[env].(map[string]interface{})
	return e, s.version, ok
}

func (s *configStore) setOverride(env, flag string, enabled bool, percent float64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	envs, _ := s.doc["environments"].(map[string]interface{})
	e, ok := envs[env].(map[string]interface{})
	if !ok {
		return fmt.Errorf("unknown environment %q", env)
	}
	flags, _ := e["flags"].(map[string]interface{})
	f, ok := flags[flag].(map[string]interface{})
	if !ok {
		return fmt.Errorf("unknown flag %q", flag)
	}
	nf := make(map[string]interface{}, len(f))
	for k, v := range f {
		nf[k] = v
	}
	nf["enabled"] = enabled
	nf["rollout"] = map[string]interface{}{"percent": percent, "stickiness": "userId", "seed": float64(s.version)}
	flags[flag] = nf
	s.version++
	return nil
}
