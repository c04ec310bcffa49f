package tuner

import (
	"math/rand"

	"github.com/pkg/errors"

	"github.com/profundo/profundo/datasets"
)

// Strategy chooses the trials of a search: Random, Grid or Hyperband. The
// set is closed.
type Strategy interface {
	// kind names the strategy in results: "random", "grid", "hyperband".
	kind() string
	// settings are the strategy's fields that shape the trials, for the
	// results file (a resumed search must have the same).
	settings() map[string]any
	// check checks the strategy's fields against the plan.
	check(p *plan) error
	// round returns the trials of round r (from 0), which may run in
	// parallel, given the trials of the rounds before; none ends the
	// search.
	round(p *plan, r int) ([]*spec, error)
	// total is the number of trials the search plans, for progress.
	total(p *plan) int
}

var (
	_ Strategy = Random{}
	_ Strategy = Grid{}
	_ Strategy = Hyperband{}
)

// spec is a trial the search plans.
type spec struct {
	id      int
	values  *Values
	seeds   []int64
	epochs  int // zero: what the build function's FitConfig says
	initial int // the epoch to start from when continuing the parent
	parent  int // -1 for none
	bracket int
	rung    int
	keep    bool // keep the models: a later round may continue them
}

// plan is what a strategy plans from: the space, the seed, and the
// trials finished so far.
type plan struct {
	space      *compiled
	seed       int64
	maxTrials  int
	executions int
	objective  Objective
	trials     map[int]*Trial
	nextID     int
	sampler    *sampler
}

// newSpec plans a trial of a new configuration: the next ID, and seeds
// derived from (seed, ID, execution) alone.
func (p *plan) newSpec(v *Values) *spec {
	id := p.nextID
	p.nextID++
	seeds := make([]int64, p.executions)
	for e := range seeds {
		seeds[e] = runSeed(p.seed, id, e)
	}
	return &spec{id: id, values: v, seeds: seeds, parent: -1}
}

// Streams of the search seed, kept apart.
const (
	streamSample = 0x73616d70 // "samp"
	streamRun    = 0x72756e73 // "runs"
)

// runSeed is the seed of execution e of the configuration first planned
// as trial config.
func runSeed(seed int64, config, e int) int64 {
	return datasets.StreamSeed(datasets.StreamSeed(seed, streamRun, config), e, 0)
}

// sampler draws the random search's sequence of distinct configurations:
// configuration j comes from a generator seeded by (seed, j) alone, drawn
// again while it repeats an earlier one, so the sequence never depends on
// how many trials run at once.
type sampler struct {
	c         *compiled
	seed      int64
	configs   []*Values
	seen      map[string]bool
	exhausted bool
}

// maxRedraws bounds the draws for one new configuration.
const maxRedraws = 1000

// get returns the first n configurations, fewer when the space has fewer.
func (s *sampler) get(n int) []*Values {
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	for len(s.configs) < n && !s.exhausted {
		j := len(s.configs)
		r := rand.New(rand.NewSource(datasets.StreamSeed(s.seed, streamSample, j)))
		found := false
		for range maxRedraws {
			v := newValues(s.c, s.c.sample(r))
			if k := v.key(); !s.seen[k] {
				s.seen[k] = true
				s.configs = append(s.configs, v)
				found = true
				break
			}
		}
		if !found {
			s.exhausted = true
		}
	}
	return s.configs[:min(n, len(s.configs))]
}

// Random draws each trial's hyperparameters at random, as Keras Tuner's
// RandomSearch: uniformly among a hyperparameter's values, log-uniformly
// on a log scale. No configuration repeats; a space with fewer
// configurations than Search.MaxTrials ends the search early. Trial i's
// values depend on the seed and i alone.
type Random struct{}

func (Random) kind() string             { return "random" }
func (Random) settings() map[string]any { return map[string]any{} }
func (Random) check(p *plan) error      { return nil }
func (Random) trials(p *plan) []*Values { return p.sampler.get(p.maxTrials) }
func (r Random) total(p *plan) int      { return len(r.trials(p)) }
func (r Random) round(p *plan, n int) ([]*spec, error) {
	if n > 0 {
		return nil, nil
	}
	var specs []*spec
	for _, v := range r.trials(p) {
		specs = append(specs, p.newSpec(v))
	}
	return specs, nil
}

// Grid tries every combination of the hyperparameters' values in order,
// the last hyperparameter varying fastest, as Keras Tuner's GridSearch;
// Search.MaxTrials > 0 stops after that many. A conditional
// hyperparameter varies only where it is active.
type Grid struct {
	// Points is the number of values, ends included, a Float without a
	// Step takes (log-spaced on a log scale; an Int with Log and no Step
	// likewise); zero means 4.
	Points int
}

func (g Grid) points() int {
	if g.Points == 0 {
		return 4
	}
	return g.Points
}

func (Grid) kind() string               { return "grid" }
func (g Grid) settings() map[string]any { return map[string]any{"points": g.points()} }
func (g Grid) check(p *plan) error {
	if g.Points < 0 || g.Points == 1 {
		return errors.Errorf("grid: points must be >= 2 (or 0 for 4), got %d", g.Points)
	}
	if p.space.gridSize(0, map[string]any{}, g.points()) > maxValues {
		return errors.Errorf("grid: the space has more than %d points; narrow it or use Random", maxValues)
	}
	return nil
}

func (g Grid) configs(p *plan) []*Values {
	var vs []*Values
	_ = p.space.enumerate(0, map[string]any{}, g.points(), func(m map[string]any) error {
		if p.maxTrials > 0 && len(vs) >= p.maxTrials {
			return errTooMany
		}
		cp := make(map[string]any, len(m))
		for k, v := range m {
			cp[k] = v
		}
		vs = append(vs, newValues(p.space, cp))
		return nil
	})
	return vs
}

func (g Grid) total(p *plan) int { return len(g.configs(p)) }
func (g Grid) round(p *plan, n int) ([]*spec, error) {
	if n > 0 {
		return nil, nil
	}
	var specs []*spec
	for _, v := range g.configs(p) {
		specs = append(specs, p.newSpec(v))
	}
	return specs, nil
}
