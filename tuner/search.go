package tuner

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pkg/errors"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/trainer"
)

// Model is the model a trial builds: any model of package models, a
// *models.Sequential or a *models.Functional.
type Model = models.Model

// BuildFunc builds and compiles a fresh model from a trial's
// hyperparameters, and says how to fit it: epochs, batch size, callbacks.
// It should pass hp.Seed() to models.Config's Seed. The search sets the
// FitConfig's Seed (to hp.Seed()), its validation data (when Data has
// Validation), and silences its progress; Hyperband sets Epochs. An error,
// returned or left recorded in hp, fails the trial.
//
// Trials build on several goroutines at once: a BuildFunc must not share a
// model, a callback or other mutable state between calls.
type BuildFunc func(hp *Values) (Model, trainer.FitConfig, error)

// Data is what a search trains and scores on.
type Data struct {
	// Train is the training split; required.
	Train *datasets.Dataset
	// Validation is the split trials are scored on (the objective's val_
	// metrics). Nil means the build function's FitConfig.ValidationSplit
	// holds it out of Train.
	Validation *datasets.Dataset
	// Test is scored once, by TrainBest, never by a search; nil means no
	// test score.
	Test *datasets.Dataset
}

// Search is a hyperparameter search, as Keras Tuner's tuners: it builds a
// model per trial from the Space with Build, trains it on the training
// split, scores it by the Objective on the validation split, and keeps a
// table of the trials. The zero value of each optional field works.
type Search struct {
	// Space is the hyperparameters; required and checked (Space.Validate)
	// before any trial.
	Space Space
	// Build builds each trial's model; required.
	Build BuildFunc
	// Strategy chooses the trials; nil means Random{}.
	Strategy Strategy
	// Objective is what the search optimizes; the zero value minimizes
	// val_loss.
	Objective Objective
	// MaxTrials is the number of trials of Random (zero means 10) and the
	// most trials of Grid (zero means every point). Hyperband ignores it.
	MaxTrials int
	// Executions trains each trial that many times, from seeds of their
	// own, and scores it by the mean, to average out noise; zero means 1.
	Executions int
	// Seed makes the search repeatable: trial i's hyperparameters and
	// model seeds derive from (Seed, i) alone, never from scheduling, so
	// any number of workers gives the same table.
	Seed int64
	// Workers is the number of trials trained at once, each on a goroutine
	// with its own model and graphs; zero means runtime.GOMAXPROCS(0), the
	// cores Go runs on (runtime.NumCPU() unless limited).
	Workers int
	// Dir, when set, is where the search keeps trials.json, rewritten
	// atomically as each trial finishes, and writes results.csv and
	// results.json at the end. A search started again with the same Dir,
	// Space, Strategy, Objective, Executions and Seed resumes: finished
	// trials are not run again (a larger MaxTrials extends the search).
	// Other settings are an error. Empty means no files and no resuming.
	Dir string
	// Progress receives a line as each trial finishes: trial n of N, its
	// score and the best so far. Nil means none.
	Progress io.Writer
	// Ranks, when set, spreads the trials over processes too (see Ranks);
	// nil means this process runs them all.
	Ranks Ranks
}

// The files a search keeps in Search.Dir.
const (
	// TrialsFile holds the settings and the finished trials, for resuming.
	TrialsFile = "trials.json"
	// CSVFile holds the table, best first (Results.WriteCSV).
	CSVFile = "results.csv"
	// JSONFile holds the results (Results.WriteJSON).
	JSONFile = "results.json"
)

// Run runs the search on data and returns its results, failed trials
// included. A trial that errors, panics, logs a NaN loss or does not log
// the objective is marked Failed with its error and the search goes on.
// When ctx is cancelled, the trials running stop between batches and are
// not recorded, and Run returns the results so far with ctx's error; run
// it again with the same Dir to resume. Errors in the settings (the
// space, the objective's direction, Build or Train missing) come before any
// trial.
func (s *Search) Run(ctx context.Context, data Data) (*Results, error) {
	c, obj, strategy, p, err := s.prepare(data)
	if err != nil {
		return nil, err
	}
	hdr, err := newHeader(c, obj, strategy, s.Seed, p.executions, s.Space)
	if err != nil {
		return nil, err
	}
	res := &Results{Objective: obj, Strategy: strategy.kind(), Seed: s.Seed, space: c}
	st := &state{header: hdr}
	if s.Dir != "" {
		st.path = filepath.Join(s.Dir, TrialsFile)
		if err := st.load(c); err != nil {
			return nil, err
		}
		for _, t := range st.trials {
			p.trials[t.ID] = t
		}
	}
	r := &runner{search: s, data: data, objective: obj, plan: p, state: st, total: strategy.total(p), owners: map[int]int{}, ranks: s.Ranks}
	if r.ranks != nil {
		// Rank 0's finished trials (a resumed search) are every rank's;
		// rank 0 alone writes the files and prints.
		var mine []*Trial
		if r.ranks.Rank() == 0 {
			mine = st.sorted()
		} else {
			st.trials, p.trials = map[int]*Trial{}, map[int]*Trial{}
			st.path, r.quiet = "", true
		}
		theirs, err := r.share(mine)
		if err != nil {
			return nil, err
		}
		for _, t := range theirs {
			st.add(t)
			p.trials[t.ID] = t
		}
	}
	if n := len(p.trials); n > 0 {
		r.printf("Resuming the search in %s: %d trials finished\n", s.Dir, n)
	}
	r.workers = s.Workers
	if r.workers == 0 {
		r.workers = runtime.GOMAXPROCS(0)
	}
	var runErr error
	kept := map[int][]*execution{}
	for round := 0; ; round++ {
		specs, err := strategy.round(p, round)
		if err != nil {
			runErr = err
			break
		}
		if len(specs) == 0 {
			break
		}
		if kept, runErr = r.runRound(ctx, specs, kept); runErr != nil {
			break
		}
	}
	res.Trials = st.sorted()
	if rs, ok := strategy.(Random); ok {
		res.Exhausted = p.sampler.exhausted && len(rs.trials(p)) < p.maxTrials
	}
	if s.Dir != "" && !r.quiet {
		if err := res.Save(s.Dir); err != nil && runErr == nil {
			runErr = err
		}
	}
	return res, runErr
}

// prepare checks the settings and makes the plan.
func (s *Search) prepare(data Data) (*compiled, Objective, Strategy, *plan, error) {
	c, err := s.Space.compile()
	if err != nil {
		return nil, Objective{}, nil, nil, errors.Wrap(err, "tuner")
	}
	obj, err := s.Objective.resolve()
	if err != nil {
		return nil, obj, nil, nil, errors.Wrap(err, "tuner")
	}
	strategy := s.Strategy
	if strategy == nil {
		strategy = Random{}
	}
	switch {
	case s.Build == nil:
		return nil, obj, nil, nil, errors.New("tuner: no build function")
	case data.Train == nil || data.Train.X == nil || data.Train.Y == nil || data.Train.Len() == 0:
		return nil, obj, nil, nil, errors.New("tuner: no training data (Data.Train with X and Y)")
	case data.Validation != nil && (data.Validation.X == nil || data.Validation.Y == nil || data.Validation.Len() == 0):
		return nil, obj, nil, nil, errors.New("tuner: the validation data is empty (Data.Validation needs X and Y)")
	case s.MaxTrials < 0:
		return nil, obj, nil, nil, errors.Errorf("tuner: max trials must be >= 0, got %d", s.MaxTrials)
	case s.Executions < 0:
		return nil, obj, nil, nil, errors.Errorf("tuner: executions must be >= 0, got %d", s.Executions)
	case s.Workers < 0:
		return nil, obj, nil, nil, errors.Errorf("tuner: workers must be >= 0, got %d", s.Workers)
	}
	p := &plan{space: c, seed: s.Seed, maxTrials: s.MaxTrials, executions: max(s.Executions, 1), objective: obj, trials: map[int]*Trial{}}
	p.sampler = &sampler{c: c, seed: s.Seed}
	if _, ok := strategy.(Random); ok && p.maxTrials == 0 {
		p.maxTrials = 10
	}
	if err := strategy.check(p); err != nil {
		return nil, obj, nil, nil, errors.Wrap(err, "tuner")
	}
	return c, obj, strategy, p, nil
}

// runner runs the rounds of one Run.
type runner struct {
	search    *Search
	data      Data
	objective Objective
	plan      *plan
	state     *state
	workers   int
	total     int
	done      int
	best      *Trial
	ranks     Ranks       // nil: one process
	owners    map[int]int // the rank that trained each trial
	quiet     bool        // a rank other than 0 prints nothing
}

// job is a trial to run and the models of its parent to continue, if
// they were kept.
type job struct {
	spec    *spec
	parents []*execution
}

// outcome is a finished or interrupted trial and its models.
type outcome struct {
	trial       *Trial
	runs        []*execution
	interrupted bool
}

// runRound runs the round's trials that have not finished yet, on the
// workers, and records each as it finishes. It returns the models of the
// trials that asked to keep them.
func (r *runner) runRound(ctx context.Context, specs []*spec, kept map[int][]*execution) (map[int][]*execution, error) {
	var jobs []job
	for _, sp := range specs {
		if t, ok := r.plan.trials[sp.id]; ok {
			if !sameValues(t.Values, sp.values) || t.Parent != sp.parent {
				return nil, errors.Errorf("tuner: %s: trial %d holds %s, the search plans %s; use another directory",
					r.state.path, sp.id, t.Values.Text(), sp.values.Text())
			}
			r.note(t)
			continue
		}
		if r.ranks != nil {
			o := r.owner(sp)
			r.owners[sp.id] = o
			if o != r.ranks.Rank() {
				continue
			}
		}
		jobs = append(jobs, job{spec: sp, parents: kept[sp.parent]})
	}
	if err := ctx.Err(); err != nil {
		return nil, errors.Wrap(err, "tuner")
	}
	next := map[int][]*execution{}
	queue := make(chan job)
	out := make(chan outcome)
	var wg sync.WaitGroup
	for range min(r.workers, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				out <- r.runTrial(ctx, j)
			}
		}()
	}
	go func() {
		defer close(queue)
		for _, j := range jobs {
			select {
			case queue <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(out)
	}()
	// On cancellation the feeder stops, the running trials stop at their
	// next batch, and out closes once every worker has returned, so no
	// goroutine outlives Run. A trial that finished all the same is kept.
	var saveErr error
	var mine []*Trial
	for o := range out {
		if o.interrupted {
			continue
		}
		mine = append(mine, o.trial)
		r.plan.trials[o.trial.ID] = o.trial
		r.state.add(o.trial)
		if err := r.state.save(); err != nil && saveErr == nil {
			saveErr = err
		}
		r.note(o.trial)
		if o.runs != nil {
			next[o.trial.ID] = o.runs
		}
	}
	if r.ranks != nil && ctx.Err() == nil {
		theirs, err := r.share(mine)
		if err != nil {
			return nil, err
		}
		for _, t := range theirs {
			r.plan.trials[t.ID] = t
			r.state.add(t)
			r.note(t)
		}
		if err := r.state.save(); err != nil && saveErr == nil {
			saveErr = err
		}
	}
	if saveErr != nil {
		return nil, saveErr
	}
	if err := ctx.Err(); err != nil {
		return nil, errors.Wrap(err, "tuner")
	}
	return next, nil
}

// note prints a progress line for a finished trial.
func (r *runner) note(t *Trial) {
	r.done++
	if t.Status == Completed && (r.best == nil || ranksBefore(r.objective, t, r.best)) {
		r.best = t
	}
	if r.search.Progress == nil || r.quiet {
		return
	}
	total := max(r.total, r.done)
	var what string
	if t.Status == Completed {
		what = fmt.Sprintf("%s=%.4f", r.objective.Metric, t.Score)
	} else {
		what = "failed: " + t.Err
	}
	line := fmt.Sprintf("[%*d/%d] trial %d (%s", len(fmt.Sprint(total)), r.done, total, t.ID, t.Values.Text())
	if r.search.Strategy != nil && r.search.Strategy.kind() == "hyperband" {
		line += fmt.Sprintf(", %d epochs", t.Epochs)
	}
	line += fmt.Sprintf(") %s in %s", what, t.Elapsed.Round(time.Millisecond))
	if r.best != nil {
		line += fmt.Sprintf(" | best so far: trial %d, %s=%.4f", r.best.ID, r.objective.Metric, r.best.Score)
	}
	r.printf("%s\n", line)
}

func (r *runner) printf(format string, args ...any) {
	if r.search.Progress != nil && !r.quiet {
		fmt.Fprintf(r.search.Progress, format, args...)
	}
}

// sameValues reports whether two trials chose the same hyperparameters.
func sameValues(a, b *Values) bool {
	if len(a.m) != len(b.m) {
		return false
	}
	for k, v := range a.m {
		if w, ok := b.m[k]; !ok || !equal(v, w) {
			return false
		}
	}
	return true
}

// mean returns the mean of xs.
func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// meanLogs averages logs key by key, over the keys of the first.
func meanLogs(logs []map[string]float64) map[string]float64 {
	if len(logs) == 0 {
		return nil
	}
	keys := make([]string, 0, len(logs[0]))
	for k := range logs[0] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := map[string]float64{}
	for _, k := range keys {
		xs := make([]float64, 0, len(logs))
		for _, l := range logs {
			v, ok := l[k]
			if !ok {
				v = math.NaN()
			}
			xs = append(xs, v)
		}
		out[k] = mean(xs)
	}
	return out
}

// joinNames lists names for messages.
func joinNames(names []string) string { return strings.Join(names, ", ") }
