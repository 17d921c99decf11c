package main

import (
	"fmt"
	"math/rand"
)

// directory is the identity service's view of users and (nested) groups.
type directory struct {
	userGroups   map[string][]string // direct memberships
	groupParents map[string][]string // group -> groups it is a member of
	groups       []string
	users        []string
}

// buildDirectory makes a directory shaped like a large company's: teams nested
// into departments, divisions and many cross-cutting access groups.
func buildDirectory(users, groups int) *directory {
	rng := rand.New(rand.NewSource(42))
	d := &directory{userGroups: map[string][]string{}, groupParents: map[string][]string{}}
	for i := 0; i < groups; i++ {
		d.groups = append(d.groups, fmt.Sprintf("grp-%04d", i))
	}
	for i, g := range d.groups {
		// each group belongs to a few groups created before it (no cycles)
		if i == 0 {
			continue
		}
		n := 2 + rng.Intn(4)
		for j := 0; j < n; j++ {
			d.groupParents[g] = append(d.groupParents[g], d.groups[rng.Intn(i)])
		}
	}
	for i := 0; i < users; i++ {
		u := fmt.Sprintf("u%05d", i)
		d.users = append(d.users, u)
		n := 3 + rng.Intn(6)
		for j := 0; j < n; j++ {
			d.userGroups[u] = append(d.userGroups[u], d.groups[groups/2+rng.Intn(groups/2)])
		}
	}
	return d
}

// memberships returns every group the user is in, directly or through nesting.
func (d *directory) memberships(user string) map[string]bool {
	seen := map[string]bool{}
	queue := append([]string(nil), d.userGroups[user]...)
	for len(queue) > 0 {
		g := queue[0]
		queue = queue[1:]
		if seen[g] {
			continue
		}
		seen[g] = true
		queue = append(queue, d.groupParents[g]...)
	}
	return seen
}
