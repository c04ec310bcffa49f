// Package graphlock serializes the building of Gorgonia graphs across the
// process. Gorgonia keeps unguarded global counters that graph building
// bumps (internal/encoding.NewGroup, used by ops such as Rectify), so two
// goroutines building graphs at once, for two models or a model and its
// replicas, race. Running graphs needs no lock.
//
// This is the one piece of package-level mutable state in Profundo, and it
// exists only to guard Gorgonia's.
package graphlock

import "sync"

var mu sync.Mutex

// Do runs build while no other graph is being built.
func Do(build func() error) error {
	mu.Lock()
	defer mu.Unlock()
	return build()
}
