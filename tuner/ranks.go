package tuner

import (
	"encoding/json"

	"github.com/pkg/errors"
)

// Ranks spreads a search's trials over processes, as well as over each
// process's worker goroutines: distributed.Comm (MPI ranks, under mpirun)
// satisfies it. Every rank runs the same search (same space, seed and
// data); each trains its share of every round's trials, and after each
// round the ranks exchange their results, so every rank ends with the
// whole table, the same as one process's. Rank 0 alone prints progress and
// writes the files.
type Ranks interface {
	Rank() int
	Size() int
	// AllgatherBytes returns every rank's b, in rank order, on every rank.
	AllgatherBytes(b []byte) ([][]byte, error)
}

// owner is the rank that trains a trial: a promoted trial's parent's, so
// that the parent's kept models are at hand, else trial ID mod size.
func (r *runner) owner(sp *spec) int {
	if sp.parent >= 0 {
		if o, ok := r.owners[sp.parent]; ok {
			return o
		}
	}
	return sp.id % r.ranks.Size()
}

// share sends this rank's trials to every rank and returns every other
// rank's.
func (r *runner) share(mine []*Trial) ([]*Trial, error) {
	js := make([]trialJSON, 0, len(mine))
	for _, t := range mine {
		j, err := t.toJSON()
		if err != nil {
			return nil, errors.Wrap(err, "tuner: share trials")
		}
		js = append(js, j)
	}
	data, err := json.Marshal(js)
	if err != nil {
		return nil, errors.Wrap(err, "tuner: share trials")
	}
	all, err := r.ranks.AllgatherBytes(data)
	if err != nil {
		return nil, errors.Wrap(err, "tuner: share trials")
	}
	var theirs []*Trial
	for rank, b := range all {
		if rank == r.ranks.Rank() {
			continue
		}
		var list []trialJSON
		if err := json.Unmarshal(b, &list); err != nil {
			return nil, errors.Wrapf(err, "tuner: trials from rank %d", rank)
		}
		for _, j := range list {
			t, err := j.toTrial(r.plan.space)
			if err != nil {
				return nil, errors.Wrapf(err, "tuner: trials from rank %d", rank)
			}
			theirs = append(theirs, t)
		}
	}
	return theirs, nil
}
