package main

import (
	"hash/crc32"
	"sort"
	"strconv"
	"strings"
)

// flattenInto writes every leaf of v into out under its dotted path.
func flattenInto(prefix string, v interface{}, out map[string]interface{}) {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, child := range t {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flattenInto(key, child, out)
		}
	case []interface{}:
		for i, child := range t {
			flattenInto(prefix+"."+strconv.Itoa(i), child, out)
		}
	default:
		out[prefix] = v
	}
}

type resolved struct {
	version int
	prefix  string
	values  map[string]interface{}
	names   []string
}

// resolveEnvironment flattens the published configuration and picks out
// the flags of one environment.
func resolveEnvironment(env string) (*resolved, bool) {
	doc, version := store.snapshot()
	flat := make(map[string]interface{})
	flattenInto("", doc, flat)
	prefix := "environments." + env + "."
	if _, ok := flat[prefix+"segmentsVersion"]; !ok {
		return nil, false
	}
	var names []string
	for k := range flat {
		if strings.HasPrefix(k, prefix+"flags.") && strings.HasSuffix(k, ".enabled") {
			names = append(names, strings.TrimSuffix(strings.TrimPrefix(k, prefix+"flags."), ".enabled"))
		}
	}
	sort.Strings(names)
	return &resolved{version: version, prefix: prefix, values: flat, names: names}, true
}

func (r *resolved) has(key string) bool {
	_, ok := r.values[r.prefix+key]
	return ok
}

func (r *resolved) num(key string) float64 {
	f, _ := r.values[r.prefix+key].(float64)
	return f
}

func (r *resolved) str(key string) string {
	s, _ := r.values[r.prefix+key].(string)
	return s
}

type userContext struct {
	ID       string
	Country  string
	Plan     string
	Platform string
}

func (u userContext) attr(name string) string {
	switch name {
	case "country":
		return u.Country
	case "plan":
		return u.Plan
	case "platform":
		return u.Platform
	}
	return ""
}

func bucket(userID string, seed float64) float64 {
	h := crc32.ChecksumIEEE([]byte(userID + ":" + strconv.FormatFloat(seed, 'f', 0, 64)))
	return float64(h%10000) / 100
}

func (r *resolved) matchRules(flag string, u userContext) (string, bool) {
	base := "flags." + flag + ".rules."
	for i := 0; ; i++ {
		rp := base + strconv.Itoa(i)
		if !r.has(rp + ".id") {
			return "", false
		}
		matched := true
		for c := 0; ; c++ {
			cp := rp + ".conditions." + strconv.Itoa(c)
			attr := r.str(cp + ".attribute")
			if attr == "" {
				break
			}
			val := u.attr(attr)
			in := val != "" && (r.str(cp+".values.0") == val || r.str(cp+".values.1") == val)
			if op := r.str(cp + ".operator"); op == "notIn" {
				in = !in
			}
			if !in {
				matched = false
				break
			}
		}
		if matched {
			return r.str(rp + ".serve.variant"), true
		}
	}
}

// evaluate decides the variant of one flag for one user.
func (r *resolved) evaluate(flag string, u userContext) (variant string, value interface{}, reason string) {
	p := "flags." + flag
	if on, _ := r.values[r.prefix+p+".enabled"].(bool); !on {
		variant, reason = r.str(p+".default"), "disabled"
	} else if v, ok := r.matchRules(flag, u); ok {
		variant, reason = v, "rule"
	} else if bucket(u.ID, r.num(p+".rollout.seed")) < r.num(p+".rollout.percent") {
		variant, reason = "on", "rollout"
	} else {
		variant, reason = r.str(p+".default"), "fallthrough"
	}
	return variant, r.values[r.prefix+p+".variants."+variant+".value"], reason
}
