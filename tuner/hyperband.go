package tuner

import (
	"sort"

	"github.com/pkg/errors"
)

// Hyperband searches by successive halving (Li et al., 2018), as Keras
// Tuner's Hyperband: each bracket trains many random configurations for a
// few epochs, keeps the best 1/Factor of them, trains those Factor times
// longer, and so on up to MaxEpochs; brackets range from the most
// aggressive (many configurations, one epoch first) to plain random search
// (a few configurations, MaxEpochs each). The losers stop early, so the
// search spends far fewer epochs than random search over as many
// configurations.
//
// A promoted trial continues its parent's models from the epoch they
// reached (the epochs it adds are what it counts), so the models of the
// trials that may be promoted stay in memory until the next rung is
// planned; after an interrupted
// search resumes, a promoted trial whose parent ran before the
// interruption trains from scratch instead, to the same weights, and
// counts those epochs too.
//
// The configurations are the random search's (the same seed draws the same
// ones), bracket after bracket. Trials of the same rung of every bracket run
// in parallel; Search.MaxTrials is ignored and the build function's
// FitConfig.Epochs is overridden by each rung's.
type Hyperband struct {
	// MaxEpochs is the most epochs a configuration trains; zero means 27.
	MaxEpochs int
	// Factor is the halving rate: each rung keeps 1/Factor of the trials
	// and trains them Factor times longer; zero means 3.
	Factor int
	// Iterations repeats the whole schedule with new configurations; zero
	// means 1.
	Iterations int
}

// Rung is a step of a bracket: Trials configurations trained to Epochs.
type Rung struct{ Trials, Epochs int }

// Bracket is one run of successive halving, its rungs in order.
type Bracket struct{ Rungs []Rung }

func (h Hyperband) resolved() (maxEpochs, factor, iterations int) {
	maxEpochs, factor, iterations = h.MaxEpochs, h.Factor, h.Iterations
	if maxEpochs == 0 {
		maxEpochs = 27
	}
	if factor == 0 {
		factor = 3
	}
	if iterations == 0 {
		iterations = 1
	}
	return
}

// Brackets returns the schedule, bracket by bracket: with s_max the
// largest s such that Factor^s <= MaxEpochs, bracket s (from s_max down to
// 0) starts n = ceil((s_max+1)·Factor^s/(s+1)) configurations at
// ceil(MaxEpochs/Factor^s) epochs, and rung i keeps floor(n/Factor^i) of
// them at ceil(MaxEpochs/Factor^(s-i)) epochs. With Iterations > 1 the
// brackets repeat.
func (h Hyperband) Brackets() ([]Bracket, error) {
	if err := h.validate(); err != nil {
		return nil, err
	}
	r, f, iters := h.resolved()
	smax := 0
	for p := f; p <= r; p *= f {
		smax++
	}
	pow := func(s int) int {
		p := 1
		for range s {
			p *= f
		}
		return p
	}
	var out []Bracket
	for range iters {
		for s := smax; s >= 0; s-- {
			n := ((smax+1)*pow(s) + s) / (s + 1)
			b := Bracket{}
			for i := 0; i <= s; i++ {
				epochs := (r + pow(s-i) - 1) / pow(s-i)
				b.Rungs = append(b.Rungs, Rung{Trials: n / pow(i), Epochs: epochs})
			}
			out = append(out, b)
		}
	}
	return out, nil
}

// Epochs is the number of epochs the whole schedule trains, per execution,
// when every trial completes and promoted trials continue their parents.
func (h Hyperband) Epochs() (int, error) {
	bs, err := h.Brackets()
	if err != nil {
		return 0, err
	}
	total := 0
	for _, b := range bs {
		prev := 0
		for _, r := range b.Rungs {
			total += r.Trials * (r.Epochs - prev)
			prev = r.Epochs
		}
	}
	return total, nil
}

func (h Hyperband) validate() error {
	switch {
	case h.MaxEpochs < 0:
		return errors.Errorf("hyperband: max epochs must be >= 1 (or 0 for 27), got %d", h.MaxEpochs)
	case h.Factor < 0 || h.Factor == 1:
		return errors.Errorf("hyperband: factor must be >= 2 (or 0 for 3), got %d", h.Factor)
	case h.Iterations < 0:
		return errors.Errorf("hyperband: iterations must be >= 1 (or 0 for 1), got %d", h.Iterations)
	case h.MaxEpochs > 100_000:
		return errors.Errorf("hyperband: max epochs %d is more than 100000", h.MaxEpochs)
	}
	return nil
}

func (Hyperband) kind() string { return "hyperband" }
func (h Hyperband) settings() map[string]any {
	r, f, i := h.resolved()
	return map[string]any{"max_epochs": r, "factor": f, "iterations": i}
}
func (h Hyperband) check(*plan) error { return h.validate() }

func (h Hyperband) total(*plan) int {
	bs, _ := h.Brackets()
	n := 0
	for _, b := range bs {
		for _, r := range b.Rungs {
			n += r.Trials
		}
	}
	return n
}

func (h Hyperband) round(p *plan, r int) ([]*spec, error) {
	bs, err := h.Brackets()
	if err != nil {
		return nil, err
	}
	var specs []*spec
	if r == 0 {
		need := 0
		for _, b := range bs {
			need += b.Rungs[0].Trials
		}
		configs := p.sampler.get(need)
		for bi, b := range bs {
			for range b.Rungs[0].Trials {
				if len(configs) == 0 {
					break
				}
				sp := p.newSpec(configs[0])
				configs = configs[1:]
				sp.epochs, sp.bracket, sp.keep = b.Rungs[0].Epochs, bi, len(b.Rungs) > 1
				specs = append(specs, sp)
			}
		}
		return specs, nil
	}
	for bi, b := range bs {
		if r >= len(b.Rungs) {
			continue
		}
		var prev []*Trial
		for _, t := range p.trials {
			if t.Bracket == bi && t.Rung == r-1 && t.Status == Completed {
				prev = append(prev, t)
			}
		}
		sort.Slice(prev, func(i, j int) bool { return ranksBefore(p.objective, prev[i], prev[j]) })
		for _, parent := range prev[:min(len(prev), b.Rungs[r].Trials)] {
			sp := &spec{
				id: p.nextID, values: parent.Values, seeds: parent.Seeds, epochs: b.Rungs[r].Epochs,
				initial: parent.Epochs, parent: parent.ID, bracket: bi, rung: r, keep: r < len(b.Rungs)-1,
			}
			p.nextID++
			specs = append(specs, sp)
		}
	}
	return specs, nil
}

// ranksBefore orders trials best first: completed ones by score (ties by
// ID), then failed ones by ID.
func ranksBefore(o Objective, a, b *Trial) bool {
	ac, bc := a.Status == Completed, b.Status == Completed
	switch {
	case ac != bc:
		return ac
	case ac && o.better(a.Score, b.Score):
		return true
	case ac && o.better(b.Score, a.Score):
		return false
	}
	return a.ID < b.ID
}
